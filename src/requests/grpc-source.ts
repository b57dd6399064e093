// The gRPC request source: the mix's named calls (method, message, metadata)
// as a pure function of the send sequence number i, like the HTTP source.
// A message without placeholders is encoded (and framed) once; a templated
// one is filled per send from its compiled template (no parsing: static
// subtrees are shared) and encoded with the request type, which comes from
// the service description carried as protobufjs JSON. Everything in the
// config is plain, structured-clone-able data (bytes, templates, JSON), so a
// load thread rebuilds the same source and sends the same sequence.
import protobuf from 'protobufjs';
import { RequestSource, type SourceConfig } from './source.js';
import { fillText, fillValue } from './fill.js';
import { valueSlots, type Field, type ValueTemplate } from './template.js';
import { encodeFrame } from '../engines/grpc/grpc-wire.js';

/** One gRPC request of the mix. */
export interface GrpcRequestSpec {
  name: string;
  /** /package.Service/Method */
  path: string;
  /** Server-streaming method. */
  stream: boolean;
  /** The encoded message (no placeholders), or its template and the request type's full name (in the source's proto). */
  message: Uint8Array | { type: string; template: ValueTemplate };
  /** Metadata, ${env:} folded in; a templated value is filled per send. */
  metadata: [string, Field][];
}

export interface GrpcSourceConfig extends SourceConfig {
  requests: GrpcRequestSpec[];
  /** The service description as protobufjs JSON (Root.toJSON), set when a message is templated. */
  proto: protobuf.INamespace | null;
}

const asBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Messages and metadata of send i. `framed`: messages come with the gRPC
 * length prefix (the http2 client writes them as they are); else bare (grpc-js
 * frames them itself).
 */
export class GrpcRequestSource extends RequestSource {
  private readonly specs: GrpcRequestSpec[];
  /** Prepared message per request (null: templated). */
  private readonly built: (Buffer | null)[];
  private readonly types: (protobuf.Type | null)[];
  /** Slots of each request's message template: metadata slots are numbered after them. */
  private readonly messageSlots: number[];
  /** Metadata per request as a map, built once when no value is templated (null: templated). */
  private readonly staticMetadata: (Record<string, string> | null)[];

  constructor(
    cfg: GrpcSourceConfig,
    private readonly framed: boolean,
  ) {
    super(cfg);
    this.specs = cfg.requests;
    const root = cfg.proto ? protobuf.Root.fromJSON(cfg.proto) : null;
    this.types = cfg.requests.map((r) => {
      if (r.message instanceof Uint8Array) return null;
      if (!root) throw new Error(`request ${r.name}: a templated message needs the service description (proto), got none`);
      return root.lookupType(r.message.type);
    });
    this.built = cfg.requests.map((r) => (r.message instanceof Uint8Array ? (framed ? encodeFrame(asBuffer(r.message)) : Buffer.from(r.message)) : null));
    this.messageSlots = cfg.requests.map((r) => (r.message instanceof Uint8Array ? 0 : valueSlots(r.message.template).length));
    this.staticMetadata = cfg.requests.map((r) =>
      r.metadata.every(([, v]) => typeof v === 'string') ? Object.fromEntries(r.metadata as [string, string][]) : null,
    );
  }

  get requests(): readonly GrpcRequestSpec[] {
    return this.specs;
  }

  /** The message of send i carrying request req (the prepared buffer itself when req has no placeholders). */
  message(req: number, i: number): Buffer {
    return this.built[req] ?? this.encode(req, i);
  }

  /** The message object send i would encode (validation checks it against the request type). */
  filled(req: number, i: number): unknown {
    const m = this.specs[req]!.message;
    return m instanceof Uint8Array ? null : fillValue(m.template, this.at(i, req));
  }

  private encode(req: number, i: number): Buffer {
    const type = this.types[req]!;
    const bytes = type.encode(type.fromObject(this.filled(req, i) as Record<string, unknown>)).finish();
    return this.framed ? encodeFrame(asBuffer(bytes)) : asBuffer(bytes);
  }

  /** True when request req's metadata has a value filled per send. */
  templatedMetadata(req: number): boolean {
    return this.staticMetadata[req] === null;
  }

  /** Request req's metadata for send i (the prepared map itself when no value is templated). */
  metadata(req: number, i: number): Record<string, string> {
    const fixed = this.staticMetadata[req];
    if (fixed) return fixed;
    const c = this.at(i, req);
    const out: Record<string, string> = {};
    let base = this.messageSlots[req]!;
    for (const [k, v] of this.specs[req]!.metadata) {
      if (typeof v === 'string') out[k] = v;
      else {
        out[k] = fillText(v, c, base);
        base += v.slots.length;
      }
    }
    return out;
  }
}
