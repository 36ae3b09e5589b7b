/**
 * The real worker process with a test hook: it waits TEST_PAUSE_AFTER_PUBLISH_MS between
 * publishing a document and acknowledging its job, so that a test can kill it or stop it at that
 * exact point. Production code knows nothing of the pause: it is injected here.
 */
import '../../queue/start-tracing';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitOnStartFailure, runWorker } from '../../queue/worker-process';

const pauseMs = Number(process.env.TEST_PAUSE_AFTER_PUBLISH_MS ?? 0);
if (!Number.isInteger(pauseMs) || pauseMs <= 0)
  exitOnStartFailure(new Error('TEST_PAUSE_AFTER_PUBLISH_MS must be a positive integer'));

runWorker({
  afterPublish: async () => {
    process.stdout.write(`test hook: pausing ${pauseMs} ms between publishing and acknowledging\n`);
    await sleep(pauseMs);
  },
}).catch(exitOnStartFailure);
