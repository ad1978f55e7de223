import { h, clear, field } from './dom.js';
import { StackedChart, legend } from './chart.js';
import { Lanes } from './lanes.js';
import { ORDER } from './states.js';
import { table } from './results.js';

/**
 * What a Timeline shows, drawn: per-node stacked counts, the socket lanes with their filters, and
 * tabs for the transition log, the counters that moved, NAT flows and notices. Drawn at most once
 * per animation frame, and only when the timeline changed or the clock moved a second.
 */
export class LiveView {
  constructor(timeline, { onSelect = () => {} } = {}) {
    this.timeline = timeline;
    this.charts = new Map();
    this.chartsEl = h('div.charts');
    this.lanes = new Lanes(conn => { this.render(true); onSelect(conn); });
    this.filters = { node: '', state: '', port: '' };
    const node = h('select', { on: { change: e => this.filter('node', e.target.value) } }, h('option', { value: '' }, 'every node'));
    const state = h('select', { on: { change: e => this.filter('state', e.target.value) } }, h('option', { value: '' }, 'any state'),
      ORDER.map(s => h('option', { value: s }, s)));
    const port = h('input', { type: 'number', min: 1, max: 65535, placeholder: 'any', on: { input: e => this.filter('port', e.target.value.trim()) } });
    this.nodeFilter = node;
    this.zoom = 'run';
    const zoom = h('select', { on: { change: e => { this.zoom = e.target.value; this.render(true); } } },
      [['run', 'the latest run'], ['10', 'the last 10 s'], ['60', 'the last 60 s'], ['all', 'everything']]
        .map(([value, text]) => h('option', { value }, text)));
    this.streamStatus = h('p.stream-status', { 'aria-live': 'polite' });
    this.tabs = new Tabs([['Transitions', () => this.logTable()], ['Counters', () => this.countersTable()],
      ['NAT flows', () => this.natTable()], ['Notices', () => this.noticesList()]]);
    this.el = h('section.live', { 'aria-label': 'Live view' },
      h('div.live-head', h('h3', 'Sockets per state'), this.streamStatus), legend(), this.chartsEl,
      h('h3', 'Connections'),
      h('p.help', 'One lane per connection. A solid left edge: the kernel reported the change as it happened (traced); dashed: a sample of the socket table found it.'),
      h('div.filters', field('Time axis', zoom), field('Node', node), field('State', state), field('Port', port)), this.lanes.el,
      this.tabs.el);
    this.seen = -1;
    this.drawnSecond = -1;
  }

  filter(name, value) {
    this.filters[name] = value;
    this.render(true);
  }

  /**
   * `now`: the clock (ms) the view shows: the wall clock when live, the player's when replaying.
   * The charts follow every change; the lanes, status and tabs (DOM, dearer) at most four times a
   * second, so that a flood of events costs frames nothing it need not.
   */
  render(force = false, now = Date.now()) {
    const t = this.timeline;
    const second = Math.floor(now / 1000);
    if (!force && t.version === this.seen && second === this.drawnSecond) return false;
    this.seen = t.version;
    this.drawnSecond = second;
    const from = this.from(now);
    this.drawCharts(from, now);
    const wall = performance.now();
    if (!force && wall < (this.domDue || 0)) {
      this.seen = -1;
      return true;
    }
    this.lanes.render(t.lanes(this.filters).filter(c => c.closedAt === null || c.closedAt >= from), from, now, t.aggregated);
    const missing = t.missing;
    this.streamStatus.textContent = t.events ? `events ${t.firstSequence}–${t.lastSequence} received in ${t.events} messages, `
      + (missing ? `${missing} missing${t.lost ? ' (see Notices)' : ' so far'}` : 'none missing') : 'waiting for events';
    this.streamStatus.dataset.missing = missing;
    this.tabs.refresh(t.version);
    // The lanes, log and tables get a small share of the main thread: a pass whose script took
    // 20 ms (style and layout follow it, unmeasured here) waits 400 ms for the next, so that the
    // charts stay smooth whatever the event rate.
    const took = performance.now() - wall;
    this.domDue = wall + Math.max(250, took * 20);
    return true;
  }

  drawCharts(from, now) {
    for (const node of this.timeline.nodes.values()) {
      if (!this.charts.has(node.name)) {
        const chart = new StackedChart(node.name);
        this.charts.set(node.name, chart);
        this.chartsEl.append(chart.el);
        this.nodeFilter.append(h('option', { value: node.name }, node.name));
      }
      this.charts.get(node.name).draw(node.series, from, Math.max(now, from + 1000), now);
    }
  }

  /** Where the time axis begins: the latest run's start, some seconds ago, or the first event. */
  from(now) {
    const t = this.timeline;
    const first = t.start ?? now;
    if (this.zoom === 'all') return first;
    if (this.zoom !== 'run') return Math.max(first, now - Number(this.zoom) * 1000);
    let latest = null;
    for (const run of t.runs.values()) if (run.startedAt <= now && (latest === null || run.startedAt > latest)) latest = run.startedAt;
    return latest ?? first;
  }

  logTable() {
    const rows = this.timeline.log.slice(-100).reverse().map(e => [new Date(e.t).toLocaleTimeString(), e.node,
      `${e.local} → ${e.remote}`, `${e.from} → ${e.to}`, e.remaining !== null ? `${e.remaining.toFixed(1)} s` : '', e.traced ? 'traced' : 'sampled']);
    return table(['time', 'node', 'connection', 'change', 'TIME_WAIT timer', 'seen by'], rows);
  }

  countersTable() {
    const rows = [];
    for (const node of this.timeline.nodes.values()) {
      for (const [name, n] of Object.entries(node.counters)) rows.push([node.name, name, n]);
      for (const [change, n] of Object.entries(node.aggregated)) rows.push([node.name, `${change} (aggregated)`, n]);
    }
    return rows.length ? table(['node', 'counter', 'moved by'], rows) : h('p', 'No kernel counter has moved yet.');
  }

  natTable() {
    const flows = this.timeline.flows().slice(-100).reverse();
    if (!flows.length) return h('p', 'No NAT mapping yet (the nat topology\'s gateway reports them).');
    const sock = conn => conn ? `${conn.node}: ${conn.segments[conn.segments.length - 1].state}` : 'not seen';
    return table(['event', 'client socket', 'conntrack entry (original / reply)', 'server socket'],
      flows.map(f => [`${f.event}${f.state ? ` ${f.state}` : ''}`, `${f.original.split(' -> ')[0]} (${sock(f.client)})`,
        `${f.original} / ${f.reply}`, `${f.reply.split(' -> ')[0]} (${sock(f.server)})`]));
  }

  noticesList() {
    const notices = this.timeline.notices;
    return notices.length ? h('ul', notices.map(n => h('li', `${new Date(n.t).toLocaleTimeString()} ${n.node ? `${n.node}: ` : ''}${n.message}`)))
      : h('p', 'No notice: observation has no hole.');
  }
}

let tabSets = 0;

/** Keyboard-navigable tabs (arrow keys move between them), as the WAI-ARIA tabs pattern has it. */
class Tabs {
  constructor(tabs) {
    this.tabs = tabs;
    this.current = 0;
    const set = ++tabSets;
    this.panel = h('div.tab-panel', { role: 'tabpanel', tabindex: 0 });
    this.buttons = tabs.map(([name], i) => h('button', {
      type: 'button', role: 'tab', id: `tab${set}-${name.replace(/\W/g, '')}`,
      on: { click: () => this.select(i), keydown: e => this.key(e, i) },
    }, name));
    this.el = h('div.tabs', h('div', { role: 'tablist', 'aria-label': 'Details' }, this.buttons), this.panel);
    this.select(0);
  }

  key(e, i) {
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (next === null) return;
    this.select((next + this.tabs.length) % this.tabs.length);
    this.buttons[this.current].focus();
  }

  select(i) {
    this.current = i;
    this.buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    });
    this.panel.setAttribute('aria-labelledby', this.buttons[i].id);
    this.refresh();
  }

  /** Redraws the open tab when what it shows may have changed ({@code version}), or when chosen. */
  refresh(version) {
    if (version !== undefined && version === this.drawn) return;
    this.drawn = version;
    clear(this.panel, this.tabs[this.current][1]());
  }
}

