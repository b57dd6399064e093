// From a validated gRPC scenario and its service description to the gRPC
// request source's plain config: each `requests:` entry over the grpc:
// section, its method found, its message encoded once or compiled into a
// template, its metadata compiled (${env:} folded in, for the engine only).
import type { Scenario } from '../scenario/schema.js';
import { findMethod, type LoadedProto } from '../engines/grpc/grpc-proto.js';
import { compileText, compileValue, type Field } from './template.js';
import { dataConfig, mergedGrpcRequests, needsSource, type MergedGrpcRequest } from './config.js';
import type { DataConfig } from './source.js';
import type { GrpcRequestSpec, GrpcSourceConfig } from './grpc-source.js';

/** One merged gRPC request compiled against the description; throws Error naming the field when its method is not there (validation said so first). */
export function compileGrpcRequest(r: MergedGrpcRequest, service: string, proto: LoadedProto, env: NodeJS.ProcessEnv): GrpcRequestSpec {
  const found = findMethod(proto, service, r.method.value);
  if (!found.ok) throw new Error(`${r.method.at}: ${found.problem}, got ${JSON.stringify(r.method.value)}`);
  const m = found.method;
  const tpl = compileValue(r.request.value, env);
  return {
    name: r.name,
    path: m.path,
    stream: m.responseStream,
    message: tpl.t === 'static' ? new Uint8Array(m.serialize(tpl.v as object)) : { type: m.requestType.fullName.replace(/^\./, ''), template: tpl },
    metadata: Object.entries(r.metadata.value).map(([k, v]): [string, Field] => [k, compileText(v, env)]),
  };
}

/** The gRPC request source's config, or null when the scenario sends one plain call (the engine's prepared request). */
export function grpcSourceConfig(s: Scenario, env: NodeJS.ProcessEnv, proto: LoadedProto, data: DataConfig | null = dataConfig(s)): GrpcSourceConfig | null {
  if (!s.grpc || !needsSource(s)) return null;
  const reqs = mergedGrpcRequests(s);
  const requests = reqs.map((r) => compileGrpcRequest(r, s.grpc!.service, proto, env));
  return {
    seed: s.load.seed,
    names: reqs.map((r) => r.name),
    weights: reqs.map((r) => r.weight),
    data,
    requests,
    proto: requests.some((r) => !(r.message instanceof Uint8Array)) ? (proto.root.toJSON() as GrpcSourceConfig['proto']) : null,
  };
}
