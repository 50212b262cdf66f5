// Forecast variance month by month (M1–M12), a line per partner and one for the
// fund, drawn by Chart.js on a canvas. The canvas needs numbers for positions;
// the tooltips and the table beside it show the API's own strings, formatted.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { formatAmount, PERIODS } from '../format.js';
import type { VarianceSeries } from '../overview/model.js';
import { AmountCell } from './common.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#f47738', '#4c2c92', '#b58840', '#912b88', '#28a197'];
const FUND_COLOUR = '#0b0c0c';
const AXIS = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', notation: 'compact', maximumFractionDigits: 1 });

/** A plotting position only: the figure shown anywhere in words is the string itself. */
function position(value: string | null): number | null {
  return value === null ? null : Number(value);
}

function datasets(series: readonly VarianceSeries[]) {
  let colour = 0;
  return series.map((s) => {
    const stroke = s.total ? FUND_COLOUR : (COLOURS[colour++ % COLOURS.length] ?? FUND_COLOUR);
    return {
      label: s.label,
      data: s.values.map(position),
      borderColor: stroke,
      backgroundColor: stroke,
      borderWidth: s.total ? 3 : 2,
      borderDash: s.total ? [] : [6, 3],
      pointRadius: 3,
      spanGaps: false,
    };
  });
}

export function VarianceChart({ series, title }: { series: readonly VarianceSeries[]; title: string }): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current === null) return undefined;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: { labels: [...PERIODS], datasets: datasets(series) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { y: { ticks: { callback: (value) => AXIS.format(Number(value)) }, title: { display: true, text: 'Forecast variance (£; + overspend)' } } },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const text = series[item.datasetIndex]?.values[item.dataIndex];
                return `${item.dataset.label ?? ''}: ${text === null || text === undefined ? '–' : `£${formatAmount(text)}`}`;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [series]);
  const summary = `${title}: a line per partner and one for the fund; the figures are in the table below the chart.`;
  return (
    <figure class="chart" aria-labelledby="chart-title">
      <figcaption id="chart-title"><h2>{title}</h2></figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={summary} id="variance-chart" />
      </div>
      <details>
        <summary>The chart's figures as a table</summary>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Forecast variance by month (scrolls sideways)">
          <table id="chart-figures">
            <thead>
              <tr><th scope="col">Month</th>{series.map((s) => <th key={s.label} scope="col" class="num">{s.label}</th>)}</tr>
            </thead>
            <tbody>
              {PERIODS.map((period, month) => (
                <tr key={period}>
                  <th scope="row">{period}</th>
                  {series.map((s) => <AmountCell key={s.label} value={s.values[month] ?? null} />)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
