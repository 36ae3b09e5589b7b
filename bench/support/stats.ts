/** Latency statistics and a fixed-width table for benchmark reports. */

export interface LatencySummary {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

export function summarize(latenciesMs: readonly number[], wallSeconds: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    seconds: wallSeconds,
    perSecond: sorted.length / wallSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** One side's runs (gateway or direct), summed over the rounds of a benchmark. */
export interface Totals {
  seconds: number;
  errors: number;
  latencies: number[];
}

export const emptyTotals = (): Totals => ({ seconds: 0, errors: 0, latencies: [] });

export function addRun(into: Totals, run: Totals): void {
  into.seconds += run.seconds;
  into.errors += run.errors;
  into.latencies.push(...run.latencies);
}

/** The gateway beside the direct path over all rounds, and their ratio; returns both summaries. */
export function printComparison(
  title: string,
  counted: string,
  gateway: [label: string, totals: Totals],
  direct: [label: string, totals: Totals],
): { g: LatencySummary; d: LatencySummary } {
  const g = summarize(gateway[1].latencies, gateway[1].seconds);
  const d = summarize(direct[1].latencies, direct[1].seconds);
  printTable(
    title,
    ['path', counted, 'errors', 'per second', 'p50 ms', 'p99 ms'],
    [
      [gateway[0], g.count, gateway[1].errors, g.perSecond, g.p50, g.p99],
      [direct[0], d.count, direct[1].errors, d.perSecond, d.p50, d.p99],
      ['ratio gateway / direct', '', '', g.perSecond / d.perSecond, g.p50 / d.p50, g.p99 / d.p99],
    ],
  );
  return { g, d };
}

export function printTable(
  title: string,
  header: readonly string[],
  rows: ReadonlyArray<readonly (string | number)[]>,
): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: readonly (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(
    `\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}\n`,
  );
}

const formatNumber = (n: number): string =>
  Number.isNaN(n)
    ? '-'
    : Number.isInteger(n)
      ? String(n)
      : n >= 100
        ? n.toFixed(0)
        : n >= 10
          ? n.toFixed(1)
          : n.toFixed(2);
