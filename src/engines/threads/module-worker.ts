// One way to start a worker thread from a typed module, for every engine
// that runs load on worker threads. Built code (dist/, `npm run build`)
// runs the compiled .js that sits next to the caller; source code run
// through tsx or vitest (the caller is a .ts file) has no .js to load, so
// the thread first registers tsx's loader (a devDependency, present
// wherever .ts runs) and then imports the .ts module itself.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/**
 * Starts a worker thread running `module` (a URL relative to the caller's
 * import.meta.url, named with the .js extension as in an import: the .ts
 * file is used when the caller itself runs from source).
 */
export function startModuleWorker(module: URL, callerUrl: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(module, options);
  const source = new URL(module.href.replace(/\.js$/, '.ts'));
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The file a module worker runs, for messages. */
export function moduleWorkerPath(module: URL): string {
  return fileURLToPath(module);
}
