// Loads a .proto once with protobufjs (include dirs resolved the way
// @grpc/proto-loader does) and builds the proto-loader package definition
// from that same root, so the request check (protobufjs reflection) and the
// gRPC view of the method (path, streaming, serializer) always agree.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';

/** The options the project loads protos with (field names in lowerCamelCase). */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, defaults: true };

export interface LoadedProto {
  file: string;
  root: protobuf.Root;
  packageDefinition: protoLoader.PackageDefinition;
}

export interface GrpcMethod {
  service: string;
  method: string;
  /** /package.Service/Method */
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestType: protobuf.Type;
  /** proto-loader's serializer: plain object -> wire bytes. */
  serialize: (value: object) => Buffer;
}

export type MethodLookup = { ok: true; method: GrpcMethod } | { ok: false; field: 'service' | 'method'; problem: string };

/** Loads file and its imports. Throws Error with a one-line message when the file cannot be read or parsed. */
export function loadProto(file: string, includeDirs: string[] = []): LoadedProto {
  const root = new protobuf.Root();
  if (includeDirs.length > 0) {
    const fallback = root.resolvePath.bind(root);
    root.resolvePath = (origin, target) => {
      if (path.isAbsolute(target)) return target;
      for (const dir of includeDirs) {
        const full = path.join(dir, target);
        try {
          accessSync(full, constants.R_OK);
          return full;
        } catch {
          continue;
        }
      }
      return fallback(origin, target);
    };
  }
  root.loadSync(file, { keepCase: false });
  root.resolveAll();
  const packageDefinition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  return { file, root, packageDefinition };
}

/** Fully qualified names of every service in the loaded files. */
export function serviceNames(root: protobuf.NamespaceBase): string[] {
  const out: string[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Service) out.push(child.fullName.replace(/^\./, ''));
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type || child instanceof protobuf.Service) walk(child);
    }
  };
  walk(root);
  return out.sort();
}

const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));

/** Finds service/method; on failure says which field is wrong and what exists. */
export function findMethod(proto: LoadedProto, service: string, method: string): MethodLookup {
  const services = serviceNames(proto.root);
  const svc = proto.root.lookup(service);
  if (!(svc instanceof protobuf.Service) || !services.includes(service)) {
    return { ok: false, field: 'service', problem: `no service ${service} in ${path.basename(proto.file)} (services: ${list(services)})` };
  }
  const m = svc.methods[method];
  if (!m) {
    return { ok: false, field: 'method', problem: `no method ${method} in service ${service} (methods: ${list(Object.keys(svc.methods))})` };
  }
  const def = (proto.packageDefinition[service] as protoLoader.ServiceDefinition | undefined)?.[method];
  if (!def || !m.resolvedRequestType) {
    return { ok: false, field: 'method', problem: `method ${method} of ${service} could not be resolved` };
  }
  return {
    ok: true,
    method: {
      service,
      method,
      path: def.path,
      requestStream: def.requestStream,
      responseStream: def.responseStream,
      requestType: m.resolvedRequestType,
      serialize: def.requestSerialize as (value: object) => Buffer,
    },
  };
}

/** unary | server-streaming | client-streaming | bidi-streaming */
export function methodKind(m: Pick<GrpcMethod, 'requestStream' | 'responseStream'>): string {
  if (m.requestStream && m.responseStream) return 'bidi-streaming';
  if (m.requestStream) return 'client-streaming';
  if (m.responseStream) return 'server-streaming';
  return 'unary';
}
