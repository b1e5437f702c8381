// Charts with uPlot (installed from npm, served by the portal itself): per day, and one bar
// per label.
import uPlot from './uPlot.esm.js';
import { h } from './dom.js';

const kHalfDay = 12 * 60 * 60;
const colours = ['#2563eb', '#16a34a', '#d97706', '#9333ea'];

// Counts tick at whole numbers only.
const wholeIncrements = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5,
  2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

const dateLabel = (seconds, options) => new Date(seconds * 1000).toLocaleDateString(undefined,
  options);

// `days`: [{date: 'YYYY-MM-DD', ...}]; `series`: [{label, value: (day) => number, bars,
// total, format (the legend's, by default `formatValue`)}]; `whole`: the values are counts. Until the pointer is over a day, the legend
// shows each series' `total` over the period (by default the sum of its days; give it
// for figures that do not add up, such as distinct customers).
// Returns the chart's figure element; the chart sizes itself to it and follows resizes.
export function dayChart(title, days, series, formatValue = (v) => String(v), whole = false) {
  // Local midnight of each date: uPlot draws time in the browser's zone, as are the days.
  const xs = days.map((day) => {
    const [y, m, d] = day.date.split('-').map(Number);
    return new Date(y, m - 1, d).getTime() / 1000;
  });
  const data = [xs, ...series.map((s) => days.map(s.value))];
  const totals = series.map((s, i) => (s.total !== undefined ? s.total
    : data[i + 1].reduce((sum, v) => sum + (v ?? 0), 0)));
  const short = { month: 'short', day: 'numeric' };
  const period = xs.length === 0 ? ''
    : xs.length === 1 ? dateLabel(xs[0], { weekday: 'short', ...short })
      : `${dateLabel(xs[0], short)} – ${dateLabel(xs[xs.length - 1], short)}`;
  const { figure, plotArea } = chartFrame(title);

  const options = {
    width: 400,
    height: 200,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: [xs[0] - kHalfDay, xs[xs.length - 1] + kHalfDay] },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      // A day is one point: ticks fall on the days (local midnights), never on hours
      // inside one, and read as dates in the viewer's zone.
      {
        space: 60,
        splits: (u, axis, min, max, increment) => {
          const spacing = Math.max(1, Math.round(increment / 86400));
          return xs.filter((x, i) => (xs.length - 1 - i) % spacing === 0);
        },
        incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400],
        values: (u, ticks) => ticks.map((t) => dateLabel(t,
          xs.length === 1 ? { weekday: 'short', ...short } : short)),
      },
      {
        size: 70,
        values: (u, ticks) => ticks.map(formatValue),
        incrs: whole ? wholeIncrements : undefined,
      },
    ],
    series: [
      {
        label: 'Day',
        value: (u, v) => (v == null ? period : dateLabel(v, { weekday: 'short', ...short })),
      },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: colours[i % colours.length],
        width: 2,
        fill: s.bars ? `${colours[i % colours.length]}55` : undefined,
        paths: s.bars ? uPlot.paths.bars({ size: [0.6, 48] }) : undefined,
        points: { show: days.length <= 31 },
        value: (u, v, seriesIndex, index) => {
          const format = s.format || formatValue;
          return index == null ? format(totals[i]) : v == null ? '' : format(v);
        },
      })),
    ],
  };
  // The day labels uPlot drew on the canvas, readable in the page (and by its tests).
  options.hooks = { draw: [(u) => { figure.dataset.days = (u.axes[0]._values || []).join('|'); }] };
  followWidth(new uPlot(options, data, plotArea), plotArea);
  return figure;
}

// A chart's figure with its caption, and the area inside it the plot is drawn into.
export function chartFrame(title) {
  const plotArea = h('div', { class: 'plot' });
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title), plotArea);
  return { figure, plotArea };
}

// Keeps a chart as wide as its area, from the next frame (when the area has its width)
// and on every resize.
export function followWidth(plot, plotArea) {
  const fit = () => {
    const width = Math.max(240, plotArea.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: 200 });
  };
  new ResizeObserver(fit).observe(plotArea);
  requestAnimationFrame(fit);
}

// One bar per label (a store, a cashier): `labels` along x, `values` the bars' heights.
// Returns the chart's figure element, sized and following its width like dayChart's.
export function barChart(title, labels, values, formatValue = (v) => String(v)) {
  const { figure, plotArea } = chartFrame(title);
  const options = {
    width: 400,
    height: 200,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] },
      y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      {
        space: 10,
        incrs: [1],
        values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? labels[t] ?? '' : '')),
      },
      { size: 70, values: (u, ticks) => ticks.map(formatValue) },
    ],
    series: [
      {},
      {
        label: title,
        stroke: colours[0],
        width: 2,
        fill: `${colours[0]}55`,
        paths: uPlot.paths.bars({ size: [0.6, 64] }),
        points: { show: false },
        value: (u, v) => (v == null ? '' : formatValue(v)),
      },
    ],
  };
  followWidth(new uPlot(options, [labels.map((_, i) => i), values], plotArea), plotArea);
  return figure;
}
