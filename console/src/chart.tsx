/**
 * Accesses and refusals per day, drawn by uPlot (a small canvas chart library, bundled: nothing
 * loaded from elsewhere). The same numbers are in a table below it, for screen readers and for
 * anyone who would rather read.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { dayLabel, dayTicks } from './day-ticks';

export interface DayCount {
  day: string;
  accesses: number;
  refusals: number;
}

export function DayChart({ days }: { days: DayCount[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    // Side by side on each day: accesses left, refusals right.
    const left = uPlot.paths.bars!({ size: [0.4, 24], align: -1 });
    const right = uPlot.paths.bars!({ size: [0.4, 24], align: 1 });
    const halfDay = 43_200;
    const first = xs[0] ?? 0;
    const last = xs[xs.length - 1] ?? first;
    const width = Math.max(320, Math.min(960, el.clientWidth || 720));
    const ticks = dayTicks(xs, width);
    const plot = new uPlot(
      {
        width,
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true, range: () => [first - halfDay, last + halfDay] } },
        axes: [
          // One label per day (or every n-th day over a long period), never one per hour of a day.
          { splits: () => ticks, values: (_u, splits) => splits.map(dayLabel) },
          { label: 'Événements' },
        ],
        series: [
          { label: 'Jour' },
          { label: 'Accès', stroke: '#1d4f91', fill: 'rgba(29,79,145,0.35)', paths: left },
          { label: 'Refus', stroke: '#b00020', fill: 'rgba(176,0,32,0.55)', paths: right },
        ],
      },
      [xs, days.map((d) => d.accesses), days.map((d) => d.refusals)],
      el,
    );
    return () => plot.destroy();
  }, [days]);
  const total = days.reduce((n, d) => n + d.accesses, 0);
  const refused = days.reduce((n, d) => n + d.refusals, 0);
  return (
    <figure class="chart">
      <figcaption id="chart-caption">
        Accès et refus par jour ({total} accès, {refused} refus)
      </figcaption>
      <div ref={box} class="chart-box" role="img" aria-labelledby="chart-caption" />
      <details>
        <summary>Voir les chiffres par jour</summary>
        <table id="per-day">
          <thead>
            <tr>
              <th scope="col">Jour</th>
              <th scope="col">Accès</th>
              <th scope="col">Refus</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.accesses}</td>
                <td>{d.refusals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
