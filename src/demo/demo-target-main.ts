// Child-process entry of the demo target, so it gets its own core and event
// loop instead of competing with the load generator's. Prints one JSON line
// {url, capacity} on stdout, then serves until SIGTERM or its parent leaves.
import { startDemoTarget } from './demo-target.js';

const workers = Number(process.env.DEMO_WORKERS ?? 10);
const serviceMs = Number(process.env.DEMO_SERVICE_MS ?? 10);
const target = await startDemoTarget({ workers, serviceMs });
process.stdout.write(`${JSON.stringify({ url: target.url, capacity: target.capacity, workers, serviceMs, pid: process.pid })}\n`);
const stop = () => void target.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
