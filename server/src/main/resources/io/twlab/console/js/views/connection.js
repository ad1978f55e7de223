import { get, Problem } from '../api.js';
import { h, clear } from '../dom.js';
import { ladder } from '../ladder.js';
import { table } from '../results.js';

/**
 * A chosen connection: each state it went through and for how long, and its packet ladder from
 * the capture of the run it belonged to (a run started with capture=true keeps one per node).
 */
export function connectionPanel(conn) {
  const ladderBox = h('div.ladder-box', { 'aria-live': 'polite' });
  const rows = conn.segments.map(s => [s.state, `${(((s.to ?? Date.now()) - s.from) / 1000).toFixed(2)} s${s.to === null ? ' so far' : ''}`,
    s.traced ? 'traced' : 'sampled']);
  const show = async () => {
    clear(ladderBox, 'Reading the capture…');
    try {
      const { ladders = [] } = await get(`/runs/${conn.runId}/ladders?node=${encodeURIComponent(conn.node)}&max=100`);
      const found = ladders.find(l => (l.a === conn.local && l.b === conn.remote) || (l.a === conn.remote && l.b === conn.local));
      clear(ladderBox, found ? ladder(found) : `The capture of ${conn.node} has no packets of ${conn.local} → ${conn.remote}.`);
    } catch (e) {
      clear(ladderBox, e instanceof Problem ? e.describe() : String(e));
    }
  };
  return h('section.card.connection', { 'aria-labelledby': `conn-${conn.id}` },
    h('h3', { id: `conn-${conn.id}` }, `${conn.node}: ${conn.local} → ${conn.remote}`),
    table(['state', 'lasted', 'seen by'], rows),
    conn.runId ? h('button', { type: 'button', on: { click: show } }, 'Packet ladder')
      : h('p', 'This connection belongs to no run: no capture to draw.'),
    conn.runId ? h('p.help', `From run ${conn.runId}; run a scenario with capture ticked to keep its packets.`) : null,
    ladderBox);
}
