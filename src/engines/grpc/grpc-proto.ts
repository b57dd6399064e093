// Loads a service description once into a protobufjs root, from a .proto
// file (include dirs resolved the way @grpc/proto-loader does) or from the
// FileDescriptorProtos server reflection returned, and builds the
// proto-loader package definition from that same root, so the request check
// (protobufjs reflection) and the gRPC view of the method (path, streaming,
// serializer) always agree, whichever source the description came from.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';
import descriptor, { type IDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor/index.js';

// A CommonJS module whose exports Node cannot name statically: take them from its default export.
const { FileDescriptorProto } = descriptor;

/** The options the project loads protos with (field names in lowerCamelCase). */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, defaults: true };

/** Where a service description came from: a .proto file, or server reflection (grpc.reflection.v1 or its v1alpha predecessor). */
export type DescriptionSource = 'proto-file' | 'reflection-v1' | 'reflection-v1alpha';

export interface LoadedProto {
  source: DescriptionSource;
  /** The .proto file (proto-file only). */
  file?: string;
  /** Every service the server lists (reflection only; a file's services are in root). */
  services?: string[];
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
  try {
    root.loadSync(file, { keepCase: false });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { path?: string };
    // An import that is not found is reported as the path protobufjs tried (next to the importing file): name the import instead.
    if (e.code === 'ENOENT' && typeof e.path === 'string' && path.resolve(e.path) !== path.resolve(file)) {
      const tried = path.relative(path.dirname(file), e.path);
      throw new Error(
        `import "${tried}" not found next to the file${includeDirs.length ? ' or in grpc.includeDirs' : '; add the folder that holds it to grpc.includeDirs'}`,
      );
    }
    throw err;
  }
  root.resolveAll();
  const packageDefinition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  return { source: 'proto-file', file, root, packageDefinition };
}

/** Field names as the .proto path loads them (lowerCamelCase, protobufjs's own rule), so a request is written the same way whatever the source. */
function camelCaseFields(m: IDescriptorProto): void {
  for (const f of [...(m.field ?? []), ...(m.extension ?? [])]) if (f.name) f.name = protobuf.util.camelCase(f.name);
  for (const nested of m.nestedType ?? []) camelCaseFields(nested);
}

interface FieldJson {
  rule?: string;
  type: string;
  keyType?: string;
  id: number;
  options?: Record<string, unknown>;
}
interface NamespaceJson {
  options?: Record<string, unknown>;
  fields?: Record<string, FieldJson>;
  nested?: Record<string, NamespaceJson>;
}

/**
 * A descriptor spells `map<K, V> f` as `repeated FEntry f` with a nested FEntry { K key; V value } marked map_entry;
 * protobufjs's fromDescriptor keeps it that way (and marks the parent map_entry too), so a map would have to be
 * written as a list of entries. Turn such fields back into map fields, as a .proto file loads them.
 */
function restoreMaps(ns: NamespaceJson): void {
  const nested = ns.nested ?? {};
  if (ns.fields) {
    if (ns.options) delete ns.options.map_entry;
    for (const [name, f] of Object.entries(ns.fields)) {
      const entryName = f.type.slice(f.type.lastIndexOf('.') + 1);
      const entry = nested[entryName];
      const key = entry?.fields?.key;
      const value = entry?.fields?.value;
      if (f.rule !== 'repeated' || !entry?.options?.map_entry || !key || !value) continue;
      ns.fields[name] = { keyType: key.type, type: value.type, id: f.id, ...(f.options ? { options: f.options } : {}) };
      delete nested[entryName];
    }
  }
  for (const child of Object.values(nested)) restoreMaps(child);
}

/**
 * A description from serialized FileDescriptorProtos (what server reflection returns: the service's file and its
 * dependencies, in any order). Throws Error with a one-line message when they do not decode or resolve.
 */
export function protoFromDescriptors(files: readonly Uint8Array[], source: Exclude<DescriptionSource, 'proto-file'>, services: string[]): LoadedProto {
  const byName = new Map<string, IFileDescriptorProto>();
  for (const bytes of files) {
    const fd = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { defaults: false }) as IFileDescriptorProto;
    for (const m of fd.messageType ?? []) camelCaseFields(m);
    for (const f of fd.extension ?? []) if (f.name) f.name = protobuf.util.camelCase(f.name);
    if (!byName.has(fd.name ?? '')) byName.set(fd.name ?? '', fd);
  }
  const described = (protobuf.Root as unknown as { fromDescriptor(set: { file: IFileDescriptorProto[] }): protobuf.Root }).fromDescriptor({
    file: [...byName.values()],
  });
  const json = described.toJSON() as NamespaceJson;
  restoreMaps(json);
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  const packageDefinition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  return { source, services, root, packageDefinition };
}

/** grpc.reflection.v1 | grpc.reflection.v1alpha, for messages. */
export function reflectionName(source: DescriptionSource): string {
  return source === 'reflection-v1' ? 'grpc.reflection.v1' : 'grpc.reflection.v1alpha';
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
  const services = proto.services ?? serviceNames(proto.root);
  const svc = proto.root.lookup(service);
  const reflected = proto.source !== 'proto-file';
  if (!(svc instanceof protobuf.Service) || !services.includes(service)) {
    const problem = reflected
      ? `no service ${service} on the server (server reflection ${reflectionName(proto.source)} lists: ${list(services)})`
      : `no service ${service} in ${path.basename(proto.file ?? '')} (services: ${list(services)})`;
    return { ok: false, field: 'service', problem };
  }
  const m = svc.methods[method];
  if (!m) {
    const methods = list(Object.keys(svc.methods));
    const problem = reflected
      ? `no method ${method} in service ${service} (server reflection ${reflectionName(proto.source)} lists: ${methods})`
      : `no method ${method} in service ${service} (methods: ${methods})`;
    return { ok: false, field: 'method', problem };
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
