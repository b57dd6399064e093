// A small gRPC server reflection client: the service description of a server
// that was started without its .proto at hand, as grpcurl and ghz fetch it.
// It tries grpc.reflection.v1 first and falls back to v1alpha (older servers,
// e.g. grpc-go before 1.57, offer only that); both have the same messages.
// One bidi stream per exchange: list the services, then the file that
// defines the wanted one, then any dependency the server did not send along.
//
// Written on grpc-js and protobufjs (already the engine's libraries) rather
// than taken from grpc-js-reflection-client: that package brings a second
// protobufjs major (its roots are not this project's protobufjs types), lodash
// and google-protobuf, and reads one reflection version chosen by the caller.
import { Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const { FileDescriptorProto } = descriptor;
import { channelCredentials, channelOptions, type TlsMaterial } from './channel-pool.js';

// The subset of reflection.proto this client sends and reads (field numbers as in grpc/reflection/v1/reflection.proto).
const REFLECTION_PROTO = `
syntax = "proto3";
package reflection;
message ServerReflectionRequest {
  string host = 1;
  oneof message_request {
    string file_by_filename = 3;
    string file_containing_symbol = 4;
    string list_services = 7;
  }
}
message ServerReflectionResponse {
  string valid_host = 1;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}
message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
message ErrorResponse { int32 error_code = 1; string error_message = 2; }
`;

const root = protobuf.parse(REFLECTION_PROTO, { keepCase: false }).root;
const RequestType = root.lookupType('reflection.ServerReflectionRequest');
const ResponseType = root.lookupType('reflection.ServerReflectionResponse');

interface ReflectionResponse {
  fileDescriptorResponse?: { fileDescriptorProto?: Uint8Array[] };
  listServicesResponse?: { service?: { name?: string }[] };
  errorResponse?: { errorCode?: number; errorMessage?: string };
}

type ReflectionRequest = { fileByFilename: string } | { fileContainingSymbol: string } | { listServices: string };

export const REFLECTION_VERSIONS = ['v1', 'v1alpha'] as const;
export type ReflectionVersion = (typeof REFLECTION_VERSIONS)[number];

export interface ReflectionTarget {
  /** host:port */
  address: string;
  tls: TlsMaterial | null;
  /** Sent with the reflection call (servers that guard reflection like their methods). */
  metadata: Record<string, string>;
  /** Bound on the whole exchange, ms. */
  timeoutMs: number;
}

export interface Reflected {
  version: ReflectionVersion;
  /** Every service the server lists, sorted. */
  services: string[];
  /** Serialized FileDescriptorProtos: the wanted service's file and its dependencies (none when the service is not listed). */
  files: Uint8Array[];
}

/** Why reflection gave no description: the server cannot be reached, or it offers no reflection, or it answered with an error. */
export class ReflectionError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'unimplemented' | 'failed',
  ) {
    super(message);
    this.name = 'ReflectionError';
  }
}

/** One reflection stream: requests answered in order, one response each. */
class ReflectionStream {
  private readonly call;
  private readonly waiting: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(client: Client, version: ReflectionVersion, metadata: Metadata, deadline: number) {
    this.call = client.makeBidiStreamRequest(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      (r: ReflectionRequest) => Buffer.from(RequestType.encode(RequestType.fromObject(r)).finish()),
      (b: Buffer) => ResponseType.toObject(ResponseType.decode(b), { defaults: false }) as ReflectionResponse,
      metadata,
      { deadline },
    );
    this.call.on('data', (r: ReflectionResponse) => this.waiting.shift()?.resolve(r));
    this.call.on('error', (err: Error) => this.fail(err));
    this.call.on('end', () => this.fail(new ReflectionError('the server ended the reflection stream early', 'failed')));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  ask(request: ReflectionRequest): Promise<ReflectionResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write(request);
    });
  }

  close(): void {
    this.call.end();
    this.call.cancel();
  }
}

const bytesOf = (files: Uint8Array[] | undefined): Uint8Array[] => files ?? [];

function answerError(r: ReflectionResponse, what: string): ReflectionError | null {
  if (!r.errorResponse) return null;
  const e = r.errorResponse;
  return new ReflectionError(`${what}: ${e.errorMessage || 'error'} (code ${e.errorCode ?? 0})`, 'failed');
}

async function exchange(stream: ReflectionStream, service: string): Promise<{ services: string[]; files: Uint8Array[] }> {
  const listed = await stream.ask({ listServices: '*' });
  const err = answerError(listed, 'list services');
  if (err) throw err;
  const services = (listed.listServicesResponse?.service ?? []).map((s) => s.name ?? '').sort();
  if (!services.includes(service)) return { services, files: [] };

  const files: Uint8Array[] = [];
  const have = new Set<string>();
  const needed = new Set<string>();
  const take = (batch: Uint8Array[]) => {
    for (const bytes of batch) {
      const fd = FileDescriptorProto.decode(bytes) as unknown as { name?: string; dependency?: string[] };
      const name = fd.name ?? '';
      if (have.has(name)) continue;
      have.add(name);
      files.push(bytes);
      for (const dep of fd.dependency ?? []) needed.add(dep);
    }
  };
  const first = await stream.ask({ fileContainingSymbol: service });
  const firstErr = answerError(first, `file containing ${service}`);
  if (firstErr) throw firstErr;
  take(bytesOf(first.fileDescriptorResponse?.fileDescriptorProto));
  // Servers send a file's dependencies along with it; ask for any they left out (they skip ones sent earlier on the stream).
  for (let missing = [...needed].filter((d) => !have.has(d)); missing.length > 0; missing = [...needed].filter((d) => !have.has(d))) {
    for (const dep of missing) {
      const r = await stream.ask({ fileByFilename: dep });
      const depErr = answerError(r, `file ${dep}`);
      if (depErr) throw depErr;
      const got = bytesOf(r.fileDescriptorResponse?.fileDescriptorProto);
      if (got.length === 0) throw new ReflectionError(`file ${dep}: the server sent no descriptor`, 'failed');
      take(got);
      have.add(dep);
    }
  }
  return { services, files };
}

/** Fetches the description of service (and the list of all services) by server reflection: v1, else v1alpha. */
export async function reflect(target: ReflectionTarget, service: string): Promise<Reflected> {
  const client = new Client(target.address, channelCredentials(target.tls), channelOptions(target.tls));
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(target.metadata)) metadata.set(k, v);
  const deadline = Date.now() + target.timeoutMs;
  const unimplemented: string[] = [];
  try {
    for (const version of REFLECTION_VERSIONS) {
      const stream = new ReflectionStream(client, version, metadata, deadline);
      try {
        return { version, ...(await exchange(stream, service)) };
      } catch (err) {
        const code = (err as Partial<ServiceError>).code;
        if (code === status.UNIMPLEMENTED) {
          unimplemented.push(`grpc.reflection.${version}`);
          continue;
        }
        if (err instanceof ReflectionError) throw err;
        const e = err as ServiceError;
        // grpc-js wraps a failed connect as "No connection established. Last error: Error: connect ECONNREFUSED ... Resolution note: ...".
        const detail = (e.details || e.message).replace(/^No connection established\. Last error: (Error: )?/, '').replace(/\.?\s*Resolution note:.*$/s, '');
        if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) throw new ReflectionError(detail, 'unreachable');
        throw new ReflectionError(`grpc.reflection.${version}: ${status[code ?? status.UNKNOWN] ?? code}: ${detail}`, 'failed');
      } finally {
        stream.close();
      }
    }
    throw new ReflectionError(`the server offers no reflection service (${unimplemented.join(' and ')}: UNIMPLEMENTED)`, 'unimplemented');
  } finally {
    client.close();
  }
}
