// Child-process entry of the gRPC test target (see grpc-target.ts): prints
// one JSON line {address, capacity}, then serves until SIGTERM or its parent leaves.
import { startGrpcTarget } from './grpc-target.js';

const target = await startGrpcTarget({ workers: Number(process.env.GRPC_TARGET_WORKERS ?? 8), serviceMs: Number(process.env.GRPC_TARGET_SERVICE_MS ?? 10) });
process.stdout.write(`${JSON.stringify({ address: target.address, capacity: target.capacity })}\n`);
const stop = () => void target.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
