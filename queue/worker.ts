/**
 * Worker process entry point (`node --import tsx queue/worker.ts`; `node dist/queue/worker.js` once
 * built): queue/worker-process.ts does the work.
 */
// First: tracing (when configured) instruments the modules loaded after it.
import './start-tracing';
import { exitOnStartFailure, runWorker } from './worker-process';

runWorker().catch(exitOnStartFailure);
