/**
 * Where the day axis of the per-day chart (chart.tsx) puts its labels: on the days themselves, one
 * label per day while they fit, else every n-th day. Left to itself, uPlot splits a short range (one
 * day, drawn from midnight − 12 h to midnight + 12 h) into hours, and each hour got the same day's
 * label. Pure.
 */

/** Room one label (`MM-DD`) needs, in CSS pixels. */
export const LABEL_WIDTH = 56;

/** The days (Unix seconds, one per day, in order) that get a label on an axis `width` pixels wide. */
export function dayTicks(days: readonly number[], width: number): number[] {
  const fit = Math.max(1, Math.floor(width / LABEL_WIDTH));
  const step = Math.max(1, Math.ceil(days.length / fit));
  return days.filter((_, i) => i % step === 0);
}

/** `MM-DD` of a day (UTC), as the axis shows it. */
export const dayLabel = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(5, 10);
