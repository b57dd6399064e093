// TLS settings shared by HTTPS (`http.tls`) and gRPC (`grpc.tls`) targets: one
// shape, one set of rules (run at validation time, before any load), and one
// way the files become PEM text for the engines.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { renderGot } from './format-issues.js';

export const tlsSchema = z.strictObject({
  ca: z.string().min(1).optional().meta({ description: "PEM file of the certificate authorities to trust. Default: the system's roots." }),
  cert: z.string().min(1).optional().meta({ description: 'PEM client certificate (mutual TLS); needs key. Default: none.' }),
  key: z.string().min(1).optional().meta({ description: 'PEM private key of the client certificate; needs cert. Default: none.' }),
  serverName: z.string().min(1).optional().meta({
    description: "Name to check the server certificate against (SNI; for gRPC also :authority), when it differs from the URL's host. Default: the URL's host.",
  }),
  insecureSkipVerify: z.boolean().default(false).meta({ description: 'Accept any server certificate (test setups only).' }),
});

export type TlsSection = z.output<typeof tlsSchema>;

/** The TLS settings with the files read: plain data, so a worker thread can receive it. */
export interface TlsPem {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

/** Makes the file paths absolute: relative ones are relative to baseDir (the scenario file's folder). */
export function resolveTlsPaths<T extends TlsSection | undefined>(tls: T, baseDir: string): T {
  if (!tls) return tls;
  const abs = (p: string | undefined) => p && path.resolve(baseDir, p);
  return { ...tls, ca: abs(tls.ca), cert: abs(tls.cert), key: abs(tls.key) };
}

function readable(file: string): string | null {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile() ? null : 'not a file';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

/** Problems of a TLS section at `at` (e.g. "http.tls"): cert without key and the reverse, unreadable or non-PEM files. */
export function tlsProblems(tls: TlsSection | undefined, at: string): string[] {
  if (!tls) return [];
  const out: string[] = [];
  if (tls.cert && !tls.key) out.push(`${at}.key: needed with ${at}.cert (mutual TLS), got nothing`);
  if (tls.key && !tls.cert) out.push(`${at}.cert: needed with ${at}.key (mutual TLS), got nothing`);
  for (const field of ['ca', 'cert', 'key'] as const) {
    const file = tls[field];
    if (!file) continue;
    const why = readable(file);
    if (why) out.push(`${at}.${field}: cannot read the file (${why}), got ${renderGot(file)}`);
    else if (!readFileSync(file, 'utf8').includes('-----BEGIN')) out.push(`${at}.${field}: not a PEM file, got ${renderGot(file)}`);
  }
  return out;
}

/** Reads the files of a validated TLS section. */
export function readTls(tls: TlsSection | undefined): TlsPem {
  const read = (p: string | undefined) => (p ? readFileSync(p, 'utf8') : undefined);
  return {
    ...(tls?.ca ? { ca: read(tls.ca) } : {}),
    ...(tls?.cert ? { cert: read(tls.cert) } : {}),
    ...(tls?.key ? { key: read(tls.key) } : {}),
    ...(tls?.serverName ? { serverName: tls.serverName } : {}),
    insecureSkipVerify: tls?.insecureSkipVerify ?? false,
  };
}
