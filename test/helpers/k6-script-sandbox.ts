// Runs a generated k6 script's JavaScript in a Node vm with k6's modules
// replaced by recorders, to check what the script would do per iteration
// (which step it tags, which request it sends, which env vars it reads).
// k6's own behaviour is not simulated: only the script's logic is exercised.
import vm from 'node:vm';

export interface SentRequest {
  method: string;
  url: string;
  body: unknown;
  params: { headers?: Record<string, string>; metadata?: Record<string, string>; timeout?: string; tags: Record<string, string> };
}

export interface ScriptSandbox {
  options: Record<string, unknown>;
  /** Runs one iteration at `elapsedMs` after the scenario start; returns what it sent. */
  iterate(elapsedMs: number): SentRequest;
  responseCallback: unknown;
  grpcLoad?: unknown[];
  /** The script's pick(i) when it carries a request mix. */
  pick?: (i: number) => number;
  grpcConnect?: unknown[];
}

export function loadScript(src: string, env: Record<string, string>): ScriptSandbox {
  const sent: SentRequest[] = [];
  let now = 1_800_000_000_000;
  const startTime = now;
  const box: Partial<ScriptSandbox> = {};
  const k6 = {
    http: {
      request: (method: string, url: string, body: unknown, params: SentRequest['params']) => sent.push({ method, url, body, params: structuredClone(params) }),
      expectedStatuses: (...a: unknown[]) => ({ expected: a }),
      setResponseCallback: (cb: unknown) => {
        box.responseCallback = cb;
      },
    },
    exec: { scenario: { startTime, iterationInTest: 0 } },
    grpc: {
      StatusOK: 0,
      Client: class {
        load(...a: unknown[]) {
          box.grpcLoad = a;
        }
        connect(...a: unknown[]) {
          box.grpcConnect = a;
        }
        invoke(method: string, req: unknown, params: SentRequest['params']) {
          sent.push({ method: 'grpc', url: method, body: req, params: structuredClone(params) });
          return { status: 0 };
        }
      },
    },
    check: () => true,
  };
  const code = src
    .replace(/^import http from 'k6\/http';$/m, 'const http = __k6.http;')
    .replace(/^import exec from 'k6\/execution';$/m, 'const exec = __k6.exec;')
    .replace(/^import grpc from 'k6\/net\/grpc';$/m, 'const grpc = __k6.grpc;')
    .replace(/^import \{ check \} from 'k6';$/m, 'const { check } = __k6;')
    .replace(/^export const options/m, 'const options')
    .replace(/^export default function/m, 'function iteration');
  if (/^\s*(import|export)\s/m.test(code)) throw new Error('the script imports or exports something the sandbox does not know');
  const out: { options?: Record<string, unknown>; iteration?: () => void; pick?: (i: number) => number } = {};
  const context = vm.createContext({ __k6: k6, __ENV: env, __out: out, Date: { now: () => now } });
  vm.runInContext(`${code}\n__out.options = options; __out.iteration = iteration; if (typeof pick === 'function') __out.pick = pick;`, context);
  box.options = out.options;
  if (out.pick) box.pick = out.pick;
  box.iterate = (elapsedMs: number) => {
    now = startTime + elapsedMs;
    out.iteration!();
    k6.exec.scenario.iterationInTest++;
    return sent[sent.length - 1]!;
  };
  return box as ScriptSandbox;
}
