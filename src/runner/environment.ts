import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { RunEnvironment } from '../types.js';

export function critpointVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function describeEnvironment(): RunEnvironment {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    critpoint: critpointVersion(),
  };
}
