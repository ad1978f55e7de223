import { h, svg } from './dom.js';
import { stateName } from './states.js';

const FLAGS = { S: 'SYN', 'S.': 'SYN, ACK', '.': 'ACK', 'P.': 'PSH, ACK', 'F.': 'FIN, ACK', F: 'FIN', R: 'RST', 'R.': 'RST, ACK' };

/** tcpdump's flags ("F.") in words ("FIN, ACK"). */
export function flagWords(flags) {
  return FLAGS[flags] || flags;
}

/**
 * One connection's packets between its two ends in time order, as the seeds draw the four-way
 * close: an arrow per packet, and beside each end the state it entered with that packet.
 */
export function ladder(l) {
  const width = 760;
  const step = 46;
  const height = 70 + l.rungs.length * step;
  const ax = 190;
  const bx = width - 190;
  const items = [
    svg('text', { x: ax, y: 20, 'text-anchor': 'middle', class: 'end' }, l.a),
    svg('text', { x: bx, y: 20, 'text-anchor': 'middle', class: 'end' }, l.b),
    svg('line', { x1: ax, y1: 30, x2: ax, y2: height - 10, class: 'pole' }),
    svg('line', { x1: bx, y1: 30, x2: bx, y2: height - 10, class: 'pole' }),
  ];
  l.rungs.forEach((r, i) => {
    const y = 50 + i * step;
    const [x1, x2] = r.fromA ? [ax, bx] : [bx, ax];
    const words = flagWords(r.flags || '');
    items.push(svg('g', { class: `rung flags-${(r.flags || '').replace('.', 'dot')}`, 'data-flags': r.flags || '' },
      svg('title', {}, `${words} seq ${r.seq || 0} ack ${r.ack || 0} length ${r.length || 0}, at ${(r.atSeconds || 0).toFixed(4)} s`),
      svg('line', { x1, y1: y, x2: x2 + (r.fromA ? -8 : 8), y2: y + step - 20, class: 'arrow', 'marker-end': 'url(#head)' }),
      svg('text', { x: (ax + bx) / 2, y: y + (step - 20) / 2 - 4, 'text-anchor': 'middle', class: 'flags' },
        `${words}  seq ${r.seq || 0} ack ${r.ack || 0}${r.length ? ` len ${r.length}` : ''}`),
      svg('text', { x: 6, y: y + 4, class: 'time' }, `${((r.atSeconds || 0) * 1000).toFixed(1)} ms`),
      entered(r.aEntered, ax - 8, y + 14, 'end'),
      entered(r.bEntered, bx + 8, y + 14, 'start')));
  });
  const defs = svg('defs', {}, svg('marker', { id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8,
    markerHeight: 8, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'head' })));
  return h('figure.ladder', svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': `Packets between ${l.a} and ${l.b}: ${l.rungs.map(r => flagWords(r.flags)).join('; ')}` }, defs, items),
  h('figcaption', `${l.node}'s capture: ${l.a} (sent the SYN) and ${l.b}. Beside each end, the state it entered with that packet.`));
}

function entered(states, x, y, anchor) {
  if (!states || !states.length) return null;
  return svg('text', { x, y, 'text-anchor': anchor, class: 'entered' }, `→ ${states.map(stateName).join(', ')}`);
}
