// A small time-series line chart in SVG: labelled axes with round ticks, a legend, a readout of the
// bucket under the pointer (or keyboard focus), and the same numbers as a table for screen readers.
import { Button } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { niceTicks } from './chartScale';

export interface ChartSeries {
  key: string;
  label: string;
  values: number[];
}

export interface TimeSeriesChartProps {
  /** The chart's accessible name and the table's caption. */
  title: string;
  /** Unix milliseconds of each bucket's start. */
  times: number[];
  series: ChartSeries[];
  /** The unit of the y axis, such as "events/min". */
  unit: string;
  /** The x axis's labels: the bucket each stands at, and its text. */
  xTicks: { index: number; label: string }[];
  formatTime: (ms: number) => string;
  formatValue: (value: number) => string;
}

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

export function TimeSeriesChart({ title, times, series, unit, xTicks, formatTime, formatValue }: TimeSeriesChartProps) {
  const [active, setActive] = useState<number | null>(null);
  const [asTable, setAsTable] = useState(false);
  const yTicks = niceTicks(Math.max(0, ...series.flatMap((s) => s.values)));
  const top = yTicks[yTicks.length - 1] ?? 1;
  const x = (i: number) => MARGIN.left + (times.length > 1 ? (i / (times.length - 1)) * PLOT_W : PLOT_W / 2);
  const y = (v: number) => MARGIN.top + PLOT_H - (v / top) * PLOT_H;
  const indexAt = (clientX: number, box: DOMRect) => {
    const at = ((clientX - box.left) / box.width) * WIDTH;
    return Math.min(times.length - 1, Math.max(0, Math.round(((at - MARGIN.left) / PLOT_W) * (times.length - 1))));
  };
  const shown = active ?? times.length - 1;

  return (
    <figure className="crm-bridge-chart">
      <ul className="crm-bridge-chart-legend" aria-label={__('Legend', 'crm-bridge')}>
        {series.map((s) => (
          <li key={s.key}>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="28" y2="5" className={`crm-bridge-series-${s.key}`} />
            </svg>
            {s.label}
          </li>
        ))}
      </ul>
      {!asTable && (
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          role="img"
          aria-label={title}
          tabIndex={0}
          data-testid="chart"
          onMouseMove={(e) => setActive(indexAt(e.clientX, e.currentTarget.getBoundingClientRect()))}
          onMouseLeave={() => setActive(null)}
          onKeyDown={(e) => {
            const step = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
            if (step === 0) return;
            e.preventDefault();
            setActive(Math.min(times.length - 1, Math.max(0, shown + step)));
          }}
        >
          <g className="crm-bridge-chart-y" data-testid="chart-y-axis">
            {yTicks.map((v) => (
              <g key={v}>
                <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(v)} y2={y(v)} className="crm-bridge-chart-grid" />
                <text x={MARGIN.left - 6} y={y(v)} dy="0.32em" textAnchor="end">
                  {formatValue(v)}
                </text>
              </g>
            ))}
            <text transform={`translate(12 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`} textAnchor="middle">
              {unit}
            </text>
          </g>
          <g className="crm-bridge-chart-x" data-testid="chart-x-axis">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={MARGIN.top + PLOT_H} y2={MARGIN.top + PLOT_H} className="crm-bridge-chart-axis" />
            {xTicks.map(({ index, label }) => (
              <g key={index}>
                <line x1={x(index)} x2={x(index)} y1={MARGIN.top + PLOT_H} y2={MARGIN.top + PLOT_H + 4} className="crm-bridge-chart-axis" />
                <text x={x(index)} y={HEIGHT - 8} textAnchor="middle">
                  {label}
                </text>
              </g>
            ))}
          </g>
          {series.map((s) => (
            <polyline key={s.key} className={`crm-bridge-series-${s.key}`} points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
          ))}
          {active !== null && <line x1={x(active)} x2={x(active)} y1={MARGIN.top} y2={MARGIN.top + PLOT_H} className="crm-bridge-chart-cursor" />}
        </svg>
      )}
      {!asTable && times.length > 0 && (
        <p className="crm-bridge-chart-readout" data-testid="chart-readout" aria-live="polite">
          <strong>{formatTime(times[shown] ?? 0)}</strong>
          {series.map((s) => (
            <span key={s.key}>
              {s.label}: {formatValue(s.values[shown] ?? 0)} {unit}
            </span>
          ))}
        </p>
      )}
      {asTable && (
        <div className="crm-bridge-chart-table">
        <table className="widefat striped" data-testid="chart-table">
          <caption>{`${title} (${unit})`}</caption>
          <thead>
            <tr>
              <th scope="col">{__('Time', 'crm-bridge')}</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr key={t}>
                <th scope="row">{formatTime(t)}</th>
                {series.map((s) => (
                  <td key={s.key}>{formatValue(s.values[i] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      <figcaption>
        {title}{' '}
        <Button variant="link" onClick={() => setAsTable(!asTable)} aria-pressed={asTable}>
          {asTable ? __('Show as chart', 'crm-bridge') : __('Show as table', 'crm-bridge')}
        </Button>
      </figcaption>
    </figure>
  );
}
