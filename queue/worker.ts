/** Worker process entry point (`node --import tsx queue/worker.ts`): queue/worker-process.ts does the work. */
import { exitOnStartFailure, runWorker } from './worker-process';

runWorker().catch(exitOnStartFailure);
