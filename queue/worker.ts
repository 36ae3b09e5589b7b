/**
 * Worker process entry point (`node --import tsx queue/worker.ts`; `node dist/queue/worker.js` once
 * built): queue/worker-process.ts does the work.
 */
import { exitOnStartFailure, runWorker } from './worker-process';

runWorker().catch(exitOnStartFailure);
