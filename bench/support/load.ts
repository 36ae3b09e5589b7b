/**
 * A bounded closed-loop load generator: `concurrency` workers take the next task until none
 * is left, recording each task's latency. Bounded in count, so it always stops by itself.
 */
import { summarize, type LatencySummary } from './stats';

export async function runClosedLoop<T>(
  tasks: readonly T[],
  concurrency: number,
  run: (task: T) => Promise<void>,
): Promise<LatencySummary & { errors: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= tasks.length) return;
      const t0 = performance.now();
      try {
        await run(tasks[i]!);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...summarize(latencies, (performance.now() - started) / 1000), errors, latencies };
}
