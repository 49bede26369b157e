import { Worker, workerData } from 'node:worker_threads';

/**
 * Starts a worker thread running a module of this package, with `data` for it (read it with
 * `threadData()`). Portico runs its TypeScript sources through tsx (no build step), so the
 * thread starts at thread-entry.mjs, which registers tsx inside the thread before loading it.
 */
export function startModuleWorker(module: URL, data: unknown): Worker {
  return new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: { module: module.href, data } });
}

/** In a thread started by `startModuleWorker`: the data it was given. */
export function threadData<T>(): T {
  return (workerData as { data: T }).data;
}
