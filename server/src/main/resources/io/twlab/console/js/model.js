import { stateName } from './states.js';

const MAX_CONNECTIONS = 3000;
const MAX_LOG = 400;
const MAX_SERIES = 20000;
const MAX_NAT = 1000;

/** "59.800s" (a proto3 JSON Duration) → 59.8. */
function seconds(text) {
  return text ? parseFloat(String(text)) : 0;
}

/** "10.250.1.3:40000 -> 10.250.2.2:5000" → ["10.250.1.3:40000", "10.250.2.2:5000"]. */
function ends(text) {
  return String(text || '').split(/\s*->\s*/);
}

/**
 * What a lab's events show, built from them in order: one per live stream, replay or graded run.
 * Counts per state over time for each node, one lane per connection, the transition log, the
 * counters that moved, NAT mappings, notices and runs; which sequence numbers arrived and which
 * are known to be missing.
 */
export class Timeline {
  constructor() {
    this.nodes = new Map();
    this.connections = new Map();
    this.open = new Map();
    this.log = [];
    this.nat = [];
    this.notices = [];
    this.runs = new Map();
    this.currentRun = null;
    this.firstSequence = null;
    this.lastSequence = 0;
    this.contiguous = 0;
    this.pending = [];
    this.lost = 0;
    this.aggregated = 0;
    this.start = null;
    this.end = null;
    this.events = 0;
    this.version = 0;
    this.nextId = 0;
    this.status = '';
  }

  node(name) {
    let node = this.nodes.get(name);
    if (!node) {
      node = { name, counts: {}, series: [], counters: {}, aggregated: {} };
      this.nodes.set(name, node);
    }
    return node;
  }

  apply(event) {
    const sequence = Number(event.sequence);
    if (event.summary) this.cover(Number(event.summary.fromSequence), sequence);
    else if (event.gap) this.cover(Number(event.gap.fromSequence), Number(event.gap.toSequence));
    else this.cover(sequence, sequence);
    const t = Date.parse(event.time);
    this.start ??= t;
    this.end = Math.max(this.end ?? t, t);
    this.events++;
    this.version++;
    if (event.transition) this.transition(t, event.transition);
    else if (event.stateCounts) this.counts(t, event.stateCounts);
    else if (event.counters) this.counters(event.counters);
    else if (event.nat) this.mapping(t, event.nat);
    else if (event.summary) this.summary(t, event.summary);
    else if (event.runProgress) this.progress(t, event.runProgress);
    else if (event.runFinished) this.finished(t, event.runFinished.run);
    else if (event.gap?.reason) this.notices.push({ t, node: '', message: event.gap.reason });
    else if (event.gap) {
      this.lost += Number(event.gap.toSequence) - Number(event.gap.fromSequence) + 1;
      this.notices.push({ t, node: '', message: `events ${event.gap.fromSequence}–${event.gap.toSequence} are no longer retained` });
    } else if (event.notice) this.notices.push({ t, node: event.notice.node, message: event.notice.message });
    else if (event.labStatus) this.status = event.labStatus.status.replace('LAB_STATUS_', '');
  }

  /**
   * Sequences from..to were accounted for: delivered, summarised (a summary covers its node's
   * events from its first sequence to its own) or reported lost by a gap. A node's summary arrives
   * after other nodes' events of its range, so holes can be open for a moment; one that stays open
   * is an event the stream never accounted for.
   */
  cover(from, to) {
    if (this.firstSequence === null) {
      this.firstSequence = from;
      this.contiguous = from - 1;
    }
    this.lastSequence = Math.max(this.lastSequence, to);
    if (from > this.contiguous + 1) {
      this.pending.push([from, to]);
      return;
    }
    this.contiguous = Math.max(this.contiguous, to);
    if (!this.pending.length) return;
    this.pending.sort((a, b) => a[0] - b[0]);
    while (this.pending.length && this.pending[0][0] <= this.contiguous + 1) {
      this.contiguous = Math.max(this.contiguous, this.pending.shift()[1]);
    }
  }

  /** Sequences after the first received that are not accounted for (yet), and those a gap reported lost. */
  get missing() {
    let covered = this.contiguous;
    let holes = 0;
    for (const [from, to] of [...this.pending].sort((a, b) => a[0] - b[0])) {
      if (from > covered + 1) holes += from - covered - 1;
      covered = Math.max(covered, to);
    }
    return holes + this.lost;
  }

  transition(t, tr) {
    const from = stateName(tr.from);
    const to = stateName(tr.to);
    const key = `${tr.node}|${tr.local}|${tr.remote}`;
    let conn = this.open.get(key);
    if (!conn) {
      conn = { id: ++this.nextId, node: tr.node, local: tr.local, remote: tr.remote, runId: this.currentRun,
        segments: [{ state: from, from: t, to: null, traced: tr.traced }], closedAt: null };
      this.open.set(key, conn);
      this.connections.set(conn.id, conn);
      this.trim();
    }
    const current = conn.segments[conn.segments.length - 1];
    current.to = t;
    if (to === 'CLOSED') {
      conn.closedAt = t;
      conn.end = tr.timeWaitEnd ? tr.timeWaitEnd.replace('TIME_WAIT_END_', '') : '';
      this.open.delete(key);
    } else {
      conn.segments.push({ state: to, from: t, to: null, traced: tr.traced });
    }
    if (to === 'TIME_WAIT') conn.timeWaitDeadline = t + seconds(tr.timeWaitRemaining) * 1000;
    this.log.push({ t, node: tr.node, local: tr.local, remote: tr.remote, from, to, traced: tr.traced,
      remaining: to === 'TIME_WAIT' ? seconds(tr.timeWaitRemaining) : null, conn: conn.id });
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  /**
   * Past the cap, the tenth that began first makes room, in one sweep (a flood's sockets sit in
   * TIME_WAIT, so waiting for them to close would not bound anything). A later change of one of
   * them starts a new lane from the state it leaves.
   */
  trim() {
    if (this.connections.size <= MAX_CONNECTIONS) return;
    let drop = this.connections.size - Math.floor(MAX_CONNECTIONS * 0.9);
    for (const [id, conn] of this.connections) {
      if (drop-- <= 0) break;
      this.connections.delete(id);
      const key = `${conn.node}|${conn.local}|${conn.remote}`;
      if (this.open.get(key) === conn) this.open.delete(key);
    }
  }

  counts(t, sc) {
    const node = this.node(sc.node);
    node.counts = Object.fromEntries(Object.entries(sc.counts || {}).map(([k, v]) => [k, Number(v)]));
    node.series.push({ t, counts: node.counts });
    if (node.series.length > MAX_SERIES) node.series.splice(0, node.series.length - MAX_SERIES);
  }

  counters(c) {
    const node = this.node(c.node);
    for (const [name, delta] of Object.entries(c.deltas || {})) node.counters[name] = (node.counters[name] || 0) + Number(delta);
  }

  mapping(t, nat) {
    this.nat.push({ t, ...nat });
    if (this.nat.length > MAX_NAT) this.nat.splice(0, this.nat.length - MAX_NAT);
  }

  summary(t, s) {
    const node = this.node(s.node);
    for (const [change, n] of Object.entries(s.transitions || {})) {
      node.aggregated[change] = (node.aggregated[change] || 0) + n;
      this.aggregated += n;
    }
  }

  progress(t, p) {
    const run = this.runs.get(p.runId) || { id: p.runId, scenario: p.scenario, startedAt: t, result: null };
    Object.assign(run, { phase: p.phase, message: p.message, done: Number(p.done || 0), total: Number(p.total || 0) });
    this.runs.set(p.runId, run);
    this.currentRun = p.runId;
  }

  finished(t, run) {
    const known = this.runs.get(run.id) || { id: run.id, scenario: run.scenario, startedAt: Date.parse(run.startedAt) };
    known.result = run;
    known.finishedAt = t;
    this.runs.set(run.id, known);
    if (this.currentRun === run.id) this.currentRun = null;
  }

  /** The connections in a lane's order (by when they began), narrowed by the filters. */
  lanes({ node = '', state = '', port = '' } = {}) {
    const out = [];
    for (const conn of this.connections.values()) {
      if (node && conn.node !== node) continue;
      if (state && !conn.segments.some(s => s.state === state)) continue;
      if (port && !conn.local.endsWith(`:${port}`) && !conn.remote.endsWith(`:${port}`)) continue;
      out.push(conn);
    }
    return out;
  }

  /** The NAT mappings, each joined to the client's socket and the server's socket of its flow. */
  flows() {
    const byEnds = new Map();
    for (const conn of this.connections.values()) byEnds.set(`${conn.local}>${conn.remote}`, conn);
    return this.nat.map(m => {
      const [client, server] = ends(m.original);
      const [serverSide, snat] = ends(m.reply);
      return { ...m, client: byEnds.get(`${client}>${server}`), server: byEnds.get(`${serverSide}>${snat}`) };
    });
  }
}
