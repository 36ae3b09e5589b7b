/**
 * Europe/Paris wall-clock time ↔ instants, DST-aware through Intl (the ICU time-zone data of the
 * runtime), without a date library: the one implementation of the service's time zone. Used by
 * the lgc-xml mapper (local dd/mm/yyyy + HH:MM → RFC 3339 with the right offset), the rules
 * ("today" in Paris) and the CDA (an instant written in Paris time).
 */
const PARIS = 'Europe/Paris';

const OFFSET_PART = new Intl.DateTimeFormat('en-US', { timeZone: PARIS, timeZoneName: 'longOffset' });
const OFFSET_TEXT = /GMT(?:([+-])(\d{2}):(\d{2}))?/;

const HOUR = 3_600_000;
/**
 * Paris offsets by UTC hour. Paris changes offset on whole UTC hours (01:00 UTC since 1996), so an
 * hour bucket has one offset; caching it turns Intl's ~µs formatting into a map lookup for the
 * instants the rules see on every payload (now, authoredOn). Cleared when large, never stale.
 */
const offsetByHour = new Map<number, number>();

/** Paris UTC offset in minutes at an instant (+60 in winter, +120 in summer). */
function parisOffsetMinutesAt(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const name = OFFSET_PART.formatToParts(hour * HOUR).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = OFFSET_TEXT.exec(name);
  let minutes = 0;
  if (match && match[1] !== undefined) {
    minutes = Number(match[2]) * 60 + Number(match[3]);
    if (match[1] === '-') minutes = -minutes;
  }
  if (offsetByHour.size > 10_000) offsetByHour.clear();
  offsetByHour.set(hour, minutes);
  return minutes;
}

/** The calendar date (YYYY-MM-DD) in Paris at an instant. */
export function parisDateOf(instant: Date | number): string {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(epochMs + parisOffsetMinutesAt(epochMs) * 60_000).toISOString().slice(0, 10);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * An instant as Paris wall-clock time with its offset, to the second: 2026-10-20T14:05:00Z →
 * "2026-10-20T16:05:00+02:00".
 */
export function parisDateTimeOf(instant: Date | number): string {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime();
  if (Number.isNaN(epochMs)) throw new RangeError('invalid Date');
  const offset = parisOffsetMinutesAt(epochMs);
  return `${new Date(epochMs + offset * 60_000).toISOString().slice(0, 19)}${formatOffset(offset)}`;
}

const THREE_HOURS = 3 * 3_600_000;

/**
 * Offset that Paris wall time `date`T`time` has. Resolved like Temporal's "compatible"
 * disambiguation: in the autumn hour that happens twice, the first occurrence (summer time);
 * in the spring hour that does not exist, the offset in force before the change (so the instant
 * lands just after it).
 */
function parisOffsetForLocal(date: string, time: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  // Date.UTC rolls over impossible dates (31/02 → 03/03); fine here, the rules reject the date itself.
  const wallAsUtc = Date.UTC(y, m - 1, d, hh, mm);
  const before = parisOffsetMinutesAt(wallAsUtc - THREE_HOURS);
  const after = parisOffsetMinutesAt(wallAsUtc + THREE_HOURS);
  const candidates = [...new Set([before, after])]
    .filter((offset) => parisOffsetMinutesAt(wallAsUtc - offset * 60_000) === offset)
    .sort((a, b) => b - a); // larger offset = earlier instant
  return candidates[0] ?? before;
}

/** Paris local date (YYYY-MM-DD) and time (HH:MM) → RFC 3339 date-time with its Paris offset. */
export function parisLocalToOffsetDateTime(date: string, time: string): string {
  return `${date}T${time}:00${formatOffset(parisOffsetForLocal(date, time))}`;
}
