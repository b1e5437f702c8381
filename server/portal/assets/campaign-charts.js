// The campaign results' comparison chart: treated and held-out customers' mean per
// customer as two bars, and on the treated bar a whisker for the 95% interval of the
// uplift (the control mean plus the interval's ends), so "is the gap real" reads at a
// glance. uPlot, like the day charts (charts.js).
import uPlot from './uPlot.esm.js';
import { chartFrame, followWidth } from './charts.js';

const colours = ['#2563eb', '#9ca3af'];

// `bars`: [{label, value}] (the first is the treated group); `interval`: [low, high] in
// the values' unit, or null when there is none; `formatValue` for the axis.
export function comparisonChart(title, bars, interval, formatValue) {
  const { figure, plotArea } = chartFrame(title);
  const xs = bars.map((_, i) => i);
  const top = Math.max(0, ...bars.map((bar) => bar.value), interval ? interval[1] : 0);
  const bottom = Math.min(0, ...bars.map((bar) => bar.value), interval ? interval[0] : 0);
  // One series per bar, so each has its own colour; the others' values are null there.
  const data = [xs, ...bars.map((bar, i) => xs.map((x) => (x === i ? bar.value : null)))];

  const drawInterval = (u) => {
    if (!interval) return;
    const { ctx } = u;
    const x = u.valToPos(0, 'x', true);
    const low = u.valToPos(interval[0], 'y', true);
    const high = u.valToPos(interval[1], 'y', true);
    const cap = 10 * devicePixelRatio;
    ctx.save();
    ctx.strokeStyle = '#1f2937';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, low);
    ctx.lineTo(x, high);
    ctx.moveTo(x - cap, low);
    ctx.lineTo(x + cap, low);
    ctx.moveTo(x - cap, high);
    ctx.lineTo(x + cap, high);
    ctx.stroke();
    ctx.restore();
  };

  const options = {
    width: 400,
    height: 200,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: false, range: [-0.6, bars.length - 0.4] },
      y: { range: () => [bottom < 0 ? bottom * 1.15 : 0, top > 0 ? top * 1.15 : 1] },
    },
    axes: [
      { splits: () => xs, values: (u, ticks) => ticks.map((t) => (bars[t] ? bars[t].label : '')) },
      { size: 70, values: (u, ticks) => ticks.map(formatValue) },
    ],
    series: [
      {},
      ...bars.map((bar, i) => ({
        label: bar.label,
        stroke: colours[i % colours.length],
        fill: colours[i % colours.length],
        paths: uPlot.paths.bars({ size: [0.5, 120] }),
        points: { show: false },
      })),
    ],
    hooks: { draw: [drawInterval] },
  };
  followWidth(new uPlot(options, data, plotArea), plotArea);
  return figure;
}
