/**
 * CPU cost accounting for the benchmarks: the CPU each process of the stack spends while a side of a
 * benchmark runs, read from /proc (Linux), so that a change is judged by the work it removes rather
 * than by a noisy wall clock on shared CPUs.
 *  - gateway: the benchmark's gateway process (its pid);
 *  - hapi: the HAPI JVM (HAPI_PID_FILE, written by fhir-server/start.sh);
 *  - postgres: the PostgreSQL backends connected to HAPI's database (the database named in
 *    HAPI_DB_URL, found by their process title), not the server's shared background processes;
 *  - redis: the whole redis-server process (shared with whatever else uses that Redis).
 * Without /proc or a pid, a process counts 0 and is reported as missing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { addRun, emptyTotals, printComparison, printTable, type Totals } from './stats';

const TICKS_PER_SECOND = 100;

/** CPU seconds (utime + stime) of one process, or undefined when it is gone or unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces, hence the last ')': utime is the 12th field after it, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Pids whose command line matches. */
function pidsMatching(test: (cmd: string) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e) && test(cmdline(e))).map(Number);
}

function hapiPid(): number | undefined {
  const file = process.env.HAPI_PID_FILE;
  if (!file) return undefined;
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The database HAPI stores in (HAPI_DB_URL, jdbc:postgresql://host:port/db?…). */
function hapiDatabase(): string | undefined {
  const match = /^jdbc:postgresql:\/\/[^/]+\/([^?]+)/.exec(process.env.HAPI_DB_URL ?? '');
  return match?.[1];
}

export type CostProcess = 'gateway' | 'hapi' | 'postgres' | 'redis';
export const COST_PROCESSES: readonly CostProcess[] = ['gateway', 'hapi', 'postgres', 'redis'];

/** CPU seconds per pid at one instant. */
type Snapshot = Record<CostProcess, Map<number, number>>;

export type CpuCost = Record<CostProcess, number>;

export const zeroCost = (): CpuCost => ({ gateway: 0, hapi: 0, postgres: 0, redis: 0 });

export function addCost(into: CpuCost, add: CpuCost): void {
  for (const p of COST_PROCESSES) into[p] += add[p];
}

/** Reads the CPU of the stack's processes; `gatewayPid` is the benchmark's gateway process. */
export class CostMeter {
  private readonly hapi = hapiPid();
  private readonly database = hapiDatabase();
  private readonly redis = pidsMatching((cmd) => cmd.startsWith('redis-server'));

  private readonly unmeasurable: CostProcess[];

  constructor(private readonly gatewayPid: () => number | undefined) {
    const s = this.snapshot();
    this.unmeasurable = COST_PROCESSES.filter((p) => s[p].size === 0);
  }

  /** Which processes could not be measured when the meter was made (printed with the results). */
  missing(): CostProcess[] {
    return this.unmeasurable;
  }

  snapshot(): Snapshot {
    const read = (pids: readonly number[]): Map<number, number> => {
      const m = new Map<number, number>();
      for (const pid of pids) {
        const cpu = processCpuSeconds(pid);
        if (cpu !== undefined) m.set(pid, cpu);
      }
      return m;
    };
    const gateway = this.gatewayPid();
    const db = this.database;
    // A backend's title: "postgres: 15/main: <user> <database> <client> <state>"
    const backends = db ? pidsMatching((cmd) => cmd.startsWith('postgres:') && cmd.split(' ').includes(db)) : [];
    return {
      gateway: read(gateway ? [gateway] : []),
      hapi: read(this.hapi ? [this.hapi] : []),
      postgres: read(backends),
      redis: read(this.redis),
    };
  }

  /** CPU seconds spent per process since `before` (a backend born since counts from 0). */
  since(before: Snapshot): CpuCost {
    const now = this.snapshot();
    const cost = zeroCost();
    for (const p of COST_PROCESSES)
      for (const [pid, cpu] of now[p]) cost[p] += Math.max(0, cpu - (before[p].get(pid) ?? 0));
    return cost;
  }

  /** Runs `work` and adds the CPU each process spent meanwhile to `into`. */
  async measure<T>(into: CpuCost, work: () => Promise<T>): Promise<T> {
    const before = this.snapshot();
    const result = await work();
    addCost(into, this.since(before));
    return result;
  }
}

/** Milliseconds of CPU per operation, per process, with HAPI + PostgreSQL together. */
export function perOperationMs(cost: CpuCost, operations: number): CpuCost & { store: number } {
  const per = (s: number) => (s * 1000) / Math.max(1, operations);
  return {
    gateway: per(cost.gateway),
    hapi: per(cost.hapi),
    postgres: per(cost.postgres),
    redis: per(cost.redis),
    store: per(cost.hapi + cost.postgres),
  };
}

/** One machine-readable summary line per metric, printed at the end: `RESULT <name> <value>`. */
export function printResults(results: ReadonlyArray<[name: string, value: number]>): void {
  process.stdout.write('\n');
  for (const [name, value] of results)
    process.stdout.write(`RESULT ${name} ${Number.isFinite(value) ? Number(value.toFixed(3)) : 'NaN'}\n`);
}

/** The per-process CPU of each side of a benchmark, in ms per operation. */
export function printCostTable(
  title: string,
  sides: ReadonlyArray<[label: string, cost: CpuCost, operations: number]>,
  missing: readonly CostProcess[],
): void {
  printTable(
    `${title}: CPU ms per operation, per process${missing.length ? ` (not measurable here: ${missing.join(', ')})` : ''}`,
    ['path', 'gateway', 'HAPI', 'PostgreSQL', 'HAPI + PostgreSQL', 'Redis (whole server)'],
    sides.map(([label, cost, n]) => {
      const ms = perOperationMs(cost, n);
      return [label, ms.gateway, ms.hapi, ms.postgres, ms.store, ms.redis];
    }),
  );
}

/** One side of a gateway-vs-direct comparison: its label, its run totals and the CPU its processes spent. */
export interface ComparedSide {
  label: string;
  totals: Totals;
  cost: CpuCost;
}

/**
 * The report every gateway-vs-direct benchmark prints: throughput and latency side by side, the CPU
 * per operation of each process, and the RESULT entries `<metric>_…` and `…_cpu_ms_per_<operation>`
 * added to `results`.
 */
export function reportGatewayVsDirect(
  report: { title: string; counted: string; metric: string; operation: string; missing: readonly CostProcess[] },
  gateway: ComparedSide,
  direct: ComparedSide,
  results: Array<[string, number]>,
): void {
  const { metric, operation } = report;
  const { g, d } = printComparison(
    report.title,
    report.counted,
    [gateway.label, gateway.totals],
    [direct.label, direct.totals],
  );
  printCostTable(
    `per ${operation}`,
    [
      [gateway.label, gateway.cost, g.count],
      [direct.label, direct.cost, d.count],
    ],
    report.missing,
  );
  const viaGateway = perOperationMs(gateway.cost, g.count);
  const straight = perOperationMs(direct.cost, d.count);
  results.push(
    [`${metric}_gateway_per_second`, g.perSecond],
    [`${metric}_direct_per_second`, d.perSecond],
    [`${metric}_ratio`, g.perSecond / d.perSecond],
    [`${metric}_p50_ratio`, g.p50 / d.p50],
    [`${metric}_p99_ratio`, g.p99 / d.p99],
    [`${metric}_errors`, gateway.totals.errors + direct.totals.errors],
    ...COST_PROCESSES.map((name): [string, number] => [`${name}_cpu_ms_per_${operation}`, viaGateway[name]]),
    [`store_cpu_ms_per_${operation}`, viaGateway.store],
    [`direct_hapi_cpu_ms_per_${operation}`, straight.hapi],
    [`direct_postgres_cpu_ms_per_${operation}`, straight.postgres],
    [`direct_store_cpu_ms_per_${operation}`, straight.store],
    [`store_cpu_ratio_gateway_vs_direct_per_${operation}`, viaGateway.store / straight.store],
  );
}

export type Side = 'gateway' | 'direct';

/**
 * `rounds` rounds of both sides, alternating which goes first (so that neither always meets a warmer
 * or busier store), each run's latencies and its processes' CPU added to its side's totals.
 */
export async function alternatingRounds(
  meter: CostMeter,
  rounds: number,
  run: (side: Side, round: number) => Promise<Totals>,
): Promise<Record<Side, { totals: Totals; cost: CpuCost }>> {
  const sides = {
    gateway: { totals: emptyTotals(), cost: zeroCost() },
    direct: { totals: emptyTotals(), cost: zeroCost() },
  };
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway'];
    for (const side of order) addRun(sides[side].totals, await meter.measure(sides[side].cost, () => run(side, round)));
  }
  return sides;
}
