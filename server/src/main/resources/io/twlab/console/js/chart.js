import { ORDER, style } from './states.js';
import { h } from './dom.js';

/**
 * Sockets per state over time on one node, stacked, drawn on a canvas. At most one point per pixel
 * column is drawn (the last of the column), so a flood's thousands of samples cost what a calm
 * run's do.
 */
export class StackedChart {
  constructor(title) {
    this.canvas = h('canvas', { width: 360, height: 120, role: 'img', 'aria-label': `${title}: sockets per state over time` });
    this.caption = h('p.chart-now');
    this.el = h('figure.chart', h('figcaption', title), this.canvas, this.caption);
  }

  draw(series, from, to, cursor) {
    const { width, height } = this.canvas;
    // Unchanged samples on an axis that moved less than a pixel look the same: not drawn again.
    const last = series.length ? series[series.length - 1] : null;
    const pixel = Math.max(1, to - from) / width;
    if (this.drawn && last === this.drawn.last && series.length === this.drawn.length && from === this.drawn.from
        && Math.abs(to - this.drawn.to) < pixel && Math.abs((cursor ?? to) - (this.drawn.cursor ?? this.drawn.to)) < pixel) {
      return;
    }
    this.drawn = { last, length: series.length, from, to, cursor };
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#f6f7f9';
    ctx.fillRect(0, 0, width, height);
    const span = Math.max(1, to - from);
    const columns = new Array(width).fill(null);
    let lo = 0;
    let hi = series.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (series[mid].t < from) lo = mid + 1; else hi = mid;
    }
    const before = lo > 0 ? series[lo - 1] : null;
    for (let i = lo; i < series.length && series[i].t <= to; i++) {
      columns[Math.min(width - 1, Math.floor((series[i].t - from) / span * width))] = series[i];
    }
    const points = [];
    let carry = before;
    for (let x = 0; x < width; x++) {
      if (columns[x]) carry = columns[x];
      if (from + (x / width) * span > (cursor ?? to)) break;
      points.push(carry);
    }
    let max = 1;
    let previous = null;
    for (const p of points) {
      if (p && p !== previous) max = Math.max(max, total(p.counts));
      previous = p;
    }
    // One filled band per state (a step outline along the columns, back along the band below):
    // a dozen fills a frame rather than a rectangle per column and state.
    const scale = (height - 14) / max;
    const below = new Float64Array(points.length).fill(height);
    for (const state of ORDER) {
      let any = false;
      const top = new Float64Array(points.length);
      for (let x = 0; x < points.length; x++) {
        const n = points[x]?.counts[state] || 0;
        any ||= n > 0;
        top[x] = below[x] - n * scale;
      }
      if (!any) continue;
      ctx.beginPath();
      ctx.moveTo(0, below[0]);
      for (let x = 0; x < points.length; x++) {
        ctx.lineTo(x, top[x]);
        ctx.lineTo(x + 1, top[x]);
      }
      for (let x = points.length - 1; x >= 0; x--) {
        ctx.lineTo(x + 1, below[x]);
        ctx.lineTo(x, below[x]);
      }
      ctx.closePath();
      ctx.fillStyle = style(state).colour;
      ctx.fill();
      below.set(top);
    }
    ctx.fillStyle = '#222';
    ctx.font = '11px sans-serif';
    ctx.fillText(`max ${max}`, 4, 11);
    const now = points.length ? points[points.length - 1] : null;
    const caption = now ? Object.entries(now.counts).filter(([, n]) => n)
      .map(([s, n]) => `${s} ${n}`).join(', ') || 'no sockets' : 'no samples yet';
    if (this.caption.textContent !== caption) this.caption.textContent = caption;
  }
}

function total(counts) {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}

export function legend() {
  return h('ul.legend', { 'aria-label': 'State colours' }, ORDER.map(state => h('li',
    h('span.swatch', { style: { background: style(state).colour, color: style(state).text } }, style(state).short),
    ` ${state}`)));
}
