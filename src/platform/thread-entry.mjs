// The first module of every Portico worker thread (threads.ts): registers tsx's loader when the
// thread's module is TypeScript (a thread does not inherit the main thread's loader), then loads it.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
