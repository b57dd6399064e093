// The `grpc` section of a scenario (targets with a grpc:// or grpcs:// URL).
// Defaults live here; checks that need the .proto (service, method, request
// fields) are in grpc-rules.ts and run at validation time, before any load.
import { z } from 'zod';
import { duration } from './duration.js';
import { tlsSchema } from './tls-schema.js';

/** The shared TLS shape (tls-schema.ts), under its gRPC name. */
export const grpcTlsSchema = tlsSchema;

export const grpcSchema = z.strictObject({
  proto: z.string().min(1).optional().meta({
    description:
      "The service's .proto file; a relative path is relative to the scenario file's folder (the working directory for a file-less run). Default: none, the description comes from the server by gRPC server reflection (grpc.reflection.v1, else v1alpha), once, before any load.",
  }),
  includeDirs: z.array(z.string().min(1)).default([]).meta({
    description:
      "Folders searched for the proto's imports, e.g. the one holding google/api/annotations.proto (relative to the scenario file's folder). google/protobuf/*.proto need none.",
  }),
  service: z.string().min(1).meta({ description: 'Fully qualified service name, e.g. loadtarget.Work.' }),
  method: z.string().min(1).meta({ description: 'Method of the service: unary or server-streaming.' }),
  request: z
    .record(z.string(), z.unknown())
    .default({})
    .meta({ description: 'The request message as JSON (field names in lowerCamelCase), checked against the proto and encoded once.' }),
  metadata: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Call metadata. Values may contain ${env:NAME}, resolved at run time and never written to outputs.' }),
  deadline: duration.prefault('10s').meta({ description: 'Per-call deadline; DEADLINE_EXCEEDED counts as an error.', unit: 'duration' }),
  channels: z.number().int().min(1).max(64).default(4).meta({
    description: "HTTP/2 connections (channels) the calls are spread over, round robin; the http2 client opens more when the server's stream limit is reached.",
    unit: 'connections',
  }),
  client: z.enum(['http2', 'grpc-js']).default('http2').meta({
    description:
      "The gRPC client: http2 (Node's http2 module with the request encoded once: several times cheaper per call) or grpc-js (@grpc/grpc-js, to cross-check).",
  }),
  stopLatency: z
    .enum(['end-of-stream', 'first-message'])
    .default('end-of-stream')
    .meta({ description: 'Server-streaming methods: the latency series the p99 stop signal watches.' }),
  tls: grpcTlsSchema.optional().meta({ description: 'TLS settings for grpcs:// targets. Default: none (the system roots, the URL host).' }),
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
