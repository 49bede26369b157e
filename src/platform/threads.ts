import { Worker, workerData } from 'node:worker_threads';

/**
 * Starts a worker thread running a module of this package, with `data` for it (read it with
 * `threadData()`). The thread starts at thread-entry.mjs, which registers tsx inside the thread
 * first when the module is a TypeScript source (development runs; a build runs dist/'s JavaScript).
 */
export function startModuleWorker(module: URL, data: unknown): Worker {
  return new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: { module: module.href, data } });
}

/** In a thread started by `startModuleWorker`: the data it was given. */
export function threadData<T>(): T {
  return (workerData as { data: T }).data;
}

/**
 * The module `name` beside `here` (an `import.meta.url`), with here's extension: `.ts` when the
 * sources run through tsx, `.js` in the compiled dist/.
 */
export function siblingModule(name: string, here: string): URL {
  return new URL(`./${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}
