import { h, svg } from './dom.js';

/**
 * A lab's nodes on its networks: each network a bus, each node a box joined to the buses it is on
 * (the gateway, on two, sits between them, its SNAT pool written under it).
 */
export function topology(lab) {
  const networks = [...new Set(lab.nodes.flatMap(n => (n.addresses || []).map(a => a.network)))].sort();
  const busY = networks.map((_, i) => 70 + i * 150);
  const height = busY[busY.length - 1] + 90;
  const placed = [];
  const columns = new Map();
  lab.nodes.forEach(node => {
    const on = (node.addresses || []).map(a => networks.indexOf(a.network));
    const band = on.length > 1 ? 'between' : on[0] === 0 && networks.length > 1 ? 'above' : 'below';
    const key = `${band}${on.join()}`;
    const index = columns.get(key) || 0;
    columns.set(key, index + 1);
    placed.push({ node, on, band, x: 40 + index * 140 + (band === 'between' ? 260 : 0) });
  });
  const width = Math.max(...placed.map(p => p.x + 180), 320);
  const items = networks.map((net, i) => [
    svg('line', { x1: 20, y1: busY[i], x2: width - 20, y2: busY[i], class: 'bus' }),
    svg('text', { x: width - 20, y: busY[i] - 6, 'text-anchor': 'end', class: 'net' }, net),
  ]);
  placed.forEach(({ node, on, band, x }) => {
    const y = band === 'between' ? (busY[on[0]] + busY[on[on.length - 1]]) / 2 - 22
      : band === 'above' ? busY[on[0]] - 62 : busY[on[0]] + 18;
    for (const a of node.addresses || []) {
      const by = busY[networks.indexOf(a.network)];
      items.push(svg('line', { x1: x + 60, y1: by < y ? y : y + 44, x2: x + 60, y2: by, class: 'link' }));
    }
    const snat = node.role === 'gateway' ? `SNAT ${lab.spec.snatPortRange || '1024-65535'}` : '';
    items.push(svg('g', { class: `node role-${node.role}`, 'data-node': node.name },
      svg('rect', { x, y, width: 120, height: 44, rx: 6 }),
      svg('text', { x: x + 60, y: y + 18, 'text-anchor': 'middle', class: 'name' }, node.name),
      svg('text', { x: x + 60, y: y + 34, 'text-anchor': 'middle', class: 'addr' },
        (node.addresses || []).map(a => a.ip).join(' / ')),
      snat ? svg('text', { x: x + 60, y: y + 58, 'text-anchor': 'middle', class: 'snat' }, snat) : null));
  });
  return h('figure.topology', svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Topology: ${lab.nodes.map(n => `${n.name} (${n.role}) on ${(n.addresses || []).map(a => `${a.network} ${a.ip}`).join(' and ')}`).join('; ')}` }, items));
}
