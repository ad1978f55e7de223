import { h } from './dom.js';
import { style } from './states.js';

const MAX_ROWS = 150;

/**
 * One lane per connection: its states as coloured, labelled segments along a shared time axis,
 * how long each lasted, the TIME_WAIT timer counting down, and whether each change was traced
 * (solid edge) or found by a sample (dashed edge). Each lane is a button that selects it; lanes are
 * updated in place, so that the one a keyboard user is on keeps its focus while the view moves.
 */
export class Lanes {
  constructor(onSelect) {
    this.onSelect = onSelect;
    this.rows = new Map();
    this.body = h('ul.lanes-body', { 'aria-label': 'Connections, one lane each' });
    this.note = h('p.lanes-note');
    this.el = h('div.lanes', this.note, this.body);
    this.selected = null;
  }

  render(connections, from, now, aggregated) {
    const shown = connections.slice(-MAX_ROWS);
    const span = Math.max(1000, now - from);
    const hidden = connections.length - shown.length;
    this.note.textContent = `${connections.length} connection${connections.length === 1 ? '' : 's'}`
      + (hidden ? `, the latest ${shown.length} shown` : '')
      + (aggregated ? `; ${aggregated} more transitions arrived aggregated (a flood): see the counts` : '');
    const keep = new Set();
    let previous = null;
    for (const conn of shown) {
      let row = this.rows.get(conn.id);
      if (!row) {
        row = this.row(conn);
        this.rows.set(conn.id, row);
      }
      this.update(row, conn, from, span, now);
      keep.add(conn.id);
      const next = previous ? previous.nextSibling : this.body.firstChild;
      if (next !== row.item) this.body.insertBefore(row.item, next);
      previous = row.item;
    }
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.item.remove();
        this.rows.delete(id);
      }
    }
  }

  row(conn) {
    const track = h('span.track');
    const now = h('span.lane-now');
    const button = h('button.lane', { type: 'button', 'data-conn': conn.id, 'data-node': conn.node,
      on: { click: () => { this.selected = conn.id; this.onSelect(conn); } } },
    h('span.lane-name', h('b', conn.node), ` ${conn.local} → ${conn.remote}`), track, now);
    return { item: h('li', button), button, track, now, drawn: '' };
  }

  update(row, conn, from, span, now) {
    const current = conn.closedAt !== null && conn.closedAt <= now ? 'CLOSED' : lastState(conn, now);
    let status = current || '';
    if (current === 'TIME_WAIT' && conn.timeWaitDeadline) {
      status = `TIME_WAIT ${Math.max(0, Math.ceil((conn.timeWaitDeadline - now) / 1000))} s left`;
    } else if (current === 'CLOSED' && conn.end) {
      status = `CLOSED (${conn.end.toLowerCase()})`;
    }
    const selected = String(this.selected === conn.id);
    const drawn = `${from}|${span}|${now}|${conn.segments.length}|${status}|${selected}`;
    if (row.drawn === drawn) return;
    row.drawn = drawn;
    let i = 0;
    for (const s of conn.segments) {
      if (s.from > now) break;
      const end = Math.min(s.to ?? now, now);
      const width = Math.max(1, (end - Math.max(s.from, from)) / span * 100);
      const el = row.track.children[i++] || row.track.appendChild(segment(s));
      el.style.left = `${Math.max(0, (s.from - from) / span * 100)}%`;
      el.style.width = `${width}%`;
      el.title = `${s.state} for ${((end - s.from) / 1000).toFixed(1)} s (${s.traced ? 'traced' : 'sampled'})`;
      const label = width > 4 ? style(s.state).short : '';
      if (el.textContent !== label) el.textContent = label;
    }
    while (row.track.children.length > i) row.track.lastChild.remove();
    row.now.textContent = status;
    row.button.dataset.state = current || '';
    row.button.setAttribute('aria-pressed', selected);
    row.button.classList.toggle('selected', this.selected === conn.id);
    row.button.setAttribute('aria-label', `${conn.node} ${conn.local} to ${conn.remote}: `
      + `${conn.segments.filter(s => s.from <= now).map(s => s.state).join(', ')}; now ${status}`);
  }
}

/** A segment's element: its state's colour and label, its edge solid when traced, dashed when sampled. */
function segment(s) {
  const st = style(s.state);
  return h(`span.seg.${s.traced ? 'traced' : 'sampled'}`, { style: { background: st.colour, color: st.text },
    'data-state': s.state });
}

function lastState(conn, now) {
  let state = null;
  for (const s of conn.segments) if (s.from <= now) state = s.state;
  return state;
}
