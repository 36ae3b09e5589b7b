/** The per-day chart's axis labels (console/src/day-ticks.ts): on the days, never repeated, thinned to fit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayLabel, dayTicks, LABEL_WIDTH } from '../../console/src/day-ticks';

const DAY = 86_400;
const from = Date.parse('2026-12-01T00:00:00Z') / 1000;
const days = (n: number) => Array.from({ length: n }, (_, i) => from + i * DAY);

test('one day: one label, that day', () => {
  const ticks = dayTicks(days(1), 720);
  assert.deepEqual(ticks, [from]);
  assert.deepEqual(ticks.map(dayLabel), ['12-01']);
});

test('a week: every day once, in order', () => {
  const labels = dayTicks(days(7), 720).map(dayLabel);
  assert.deepEqual(labels, ['12-01', '12-02', '12-03', '12-04', '12-05', '12-06', '12-07']);
});

test('a year on a narrow axis: every n-th day, as many as fit, none repeated', () => {
  const width = 320;
  const ticks = dayTicks(days(366), width);
  assert.ok(ticks.length <= Math.floor(width / LABEL_WIDTH), `${ticks.length} labels`);
  assert.ok(ticks.length >= 2);
  assert.equal(ticks[0], from, 'starts on the first day');
  assert.equal(new Set(ticks.map(dayLabel)).size, ticks.length);
  const gaps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]!));
  assert.equal(gaps.size, 1, 'evenly spaced');
});
