// The `grpc` section of a scenario (targets with a grpc:// or grpcs:// URL).
// Defaults live here; checks that need the .proto (service, method, request
// fields) are in grpc-rules.ts and run at validation time, before any load.
import { z } from 'zod';
import { duration } from './duration.js';

export const grpcTlsSchema = z.strictObject({
  /** PEM file of the certificate authorities to trust. Default: the system's roots. */
  ca: z.string().min(1).optional(),
  /** PEM client certificate (mutual TLS); needs key. */
  cert: z.string().min(1).optional(),
  /** PEM private key of the client certificate; needs cert. */
  key: z.string().min(1).optional(),
  /** Name to check the server certificate against (and :authority), when it differs from the URL's host. */
  serverName: z.string().min(1).optional(),
  /** Accept any server certificate (test setups only). Default false. */
  insecureSkipVerify: z.boolean().default(false),
});

export const grpcSchema = z.strictObject({
  /** The .proto file; relative paths are relative to the scenario file's folder. */
  proto: z.string().min(1),
  /** Folders searched for the proto's imports (relative to the scenario file's folder). Default none. */
  includeDirs: z.array(z.string().min(1)).default([]),
  /** Fully qualified service name, e.g. loadtarget.Work. */
  service: z.string().min(1),
  /** Method of the service: unary or server-streaming. */
  method: z.string().min(1),
  /** The request message as JSON (field names in lowerCamelCase), checked against the proto and encoded once. Default {}. */
  request: z.record(z.string(), z.unknown()).default({}),
  /** Call metadata. Values may contain ${env:NAME}, resolved at run time and never written to outputs. Default none. */
  metadata: z.record(z.string(), z.string()).default({}),
  /** Per-call deadline. Default 10s. */
  deadline: duration.default(10_000),
  /** HTTP/2 connections (channels) the calls are spread over, round robin; the http2 client opens more when the server's stream limit is reached. Default 4. */
  channels: z.number().int().min(1).max(64).default(4),
  /** The gRPC client: http2 (Node's http2 module with the request encoded once: several times cheaper per call) or grpc-js (@grpc/grpc-js). Default grpc-js. */
  client: z.enum(['http2', 'grpc-js']).default('grpc-js'),
  /** Server-streaming methods: the latency series the p99 stop signal watches. Default end-of-stream. */
  stopLatency: z.enum(['end-of-stream', 'first-message']).default('end-of-stream'),
  /** TLS settings for grpcs:// targets. */
  tls: grpcTlsSchema.optional(),
});

export type GrpcSection = z.output<typeof grpcSchema>;

export const GRPC_PROTOCOLS = ['grpc:', 'grpcs:'];

/** True for grpc:// and grpcs:// URLs. */
export function isGrpcUrl(url: string): boolean {
  try {
    return GRPC_PROTOCOLS.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
