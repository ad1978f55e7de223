import { get, stream } from '../api.js';
import { h, clear, field, when } from '../dom.js';
import { Timeline } from '../model.js';
import { LiveView } from '../live.js';
import { resultTables, table } from '../results.js';
import { connectionPanel } from './connection.js';

/** The caller's runs, newest first; pick one to replay, or two to compare. */
export async function runsView() {
  const { runs = [] } = await get('/runs?page_size=100');
  const picked = new Set();
  const compare = h('button', { type: 'button', disabled: true, on: { click: () => { location.hash = `#/compare/${[...picked].join('/')}`; } } },
    'Compare the two chosen runs');
  const rows = runs.map(run => h('tr',
    h('td', h('input', { type: 'checkbox', 'aria-label': `Choose run ${run.id} to compare`, on: { change: e => {
      if (e.target.checked) picked.add(run.id); else picked.delete(run.id);
      compare.disabled = picked.size !== 2;
    } } })),
    h('td', h('a', { href: `#/runs/${run.id}` }, run.id)), h('td', run.scenario), h('td', run.labId),
    h('td', (run.state || '').replace('RUN_STATE_', '').toLowerCase()), h('td', when(run.startedAt)),
    h('td', run.experiment || '')));
  return { title: 'History', el: h('div', h('h1', 'Runs'), h('p', 'Open a run to replay its timeline, or choose two to compare them side by side.'),
    runs.length ? h('table.data.runs', h('thead', h('tr', ['', 'Run', 'Scenario', 'Lab', 'State', 'Started', 'Experiment']
      .map(c => h('th', { scope: 'col' }, c)))), h('tbody', rows)) : h('p', 'No run yet.'), compare) };
}

/** Every recorded event of a run, in order (the stream ends after run_finished). */
function recorded(runId) {
  return new Promise((resolve, reject) => {
    const events = [];
    const source = stream(`/runs/${runId}/events?after=0&detail=auto`, {
      onEvent: e => events.push(e),
      onProblem: reject,
      onState: s => {
        if (s === 'ended') resolve(events);
        if (s === 'closed') reject(new Error(`run ${runId}'s events could not be read`));
      },
    });
    setTimeout(() => { source.close(); resolve(events); }, 120000);
  });
}

/** A run's recorded timeline on a clock of its own: the view shows the lab as it was at `clock`. */
class Replay {
  constructor(run, events, onSelect) {
    this.run = run;
    this.events = events;
    this.start = events.length ? Date.parse(events[0].time) : Date.parse(run.startedAt);
    this.length = events.length ? Date.parse(events[events.length - 1].time) - this.start : 0;
    this.live = new LiveView(new Timeline(), { onSelect });
    this.applied = 0;
    this.clock = -1;
  }

  seek(offset) {
    const clock = this.start + offset;
    if (clock < this.clock) {
      this.live.timeline = new Timeline();
      this.applied = 0;
    }
    this.clock = clock;
    while (this.applied < this.events.length && Date.parse(this.events[this.applied].time) <= clock) {
      this.live.timeline.apply(this.events[this.applied++]);
    }
    this.live.render(true, clock);
  }
}

/** Play, pause, scrub and speed over a span of `length` ms; `onTime(offset)` as the clock moves. */
class Player {
  constructor(length, onTime) {
    this.length = Math.max(length, 1);
    this.onTime = onTime;
    this.offset = 0;
    this.speed = 1;
    this.playing = false;
    this.play = h('button', { type: 'button', on: { click: () => this.toggle() } }, 'Play');
    this.scrub = h('input', { type: 'range', min: 0, max: this.length, step: 10, value: 0, on: { input: e => this.to(Number(e.target.value)) } });
    const speed = h('select', { on: { change: e => { this.speed = Number(e.target.value); } } },
      [0.25, 0.5, 1, 2, 5, 10, 30].map(s => h('option', { value: s, selected: s === 1 }, `${s}×`)));
    this.clock = h('output.clock', { 'aria-live': 'off' });
    this.el = h('div.player', this.play, field('Position', this.scrub), field('Speed', speed), this.clock);
    this.to(0);
  }

  toggle() {
    this.playing = !this.playing;
    this.play.textContent = this.playing ? 'Pause' : 'Play';
    if (this.playing) {
      if (this.offset >= this.length) this.to(0);
      let last = performance.now();
      const step = now => {
        if (!this.playing) return;
        this.to(Math.min(this.length, this.offset + (now - last) * this.speed));
        last = now;
        if (this.offset >= this.length) this.toggle();
        else this.frame = requestAnimationFrame(step);
      };
      this.frame = requestAnimationFrame(step);
    }
  }

  to(offset) {
    this.offset = offset;
    this.scrub.value = offset;
    this.clock.textContent = `${(offset / 1000).toFixed(1)} s of ${(this.length / 1000).toFixed(1)} s`;
    this.onTime(offset);
  }

  stop() {
    this.playing = false;
    cancelAnimationFrame(this.frame);
  }
}

async function load(runId, onSelect) {
  const [run, events] = await Promise.all([get(`/runs/${runId}`), recorded(runId)]);
  return new Replay(run, events, onSelect);
}

function describe(run) {
  return h('div.run-brief', h('p', `${run.scenario} in lab ${run.labId}, ${when(run.startedAt)}: `,
    h('b', (run.state || '').replace('RUN_STATE_', '').toLowerCase()), run.error ? ` — ${run.error}` : ''),
  table(['parameter', 'value'], Object.entries(run.params || {})));
}

export async function replayView(runId) {
  const selected = h('div.selected-conn');
  const replay = await load(runId, conn => clear(selected, connectionPanel(conn)));
  const player = new Player(replay.length, offset => replay.seek(offset));
  player.to(replay.length);
  return { title: `Run ${runId}`, leave: () => player.stop(), el: h('div.replay',
    h('h1', `Run ${runId}`), describe(replay.run), h('section.card', h('h2', 'Replay'), player.el),
    h('div.columns', h('div.col.wide', replay.live.el, selected), h('div.col', h('section.card', h('h2', 'Result'), resultTables(replay.run.result)))) ) };
}

export async function compareView(a, b) {
  const [left, right] = await Promise.all([load(a, () => {}), load(b, () => {})]);
  const player = new Player(Math.max(left.length, right.length), offset => { left.seek(offset); right.seek(offset); });
  player.to(player.length);
  const keys = [...new Set([...Object.keys(left.run.params || {}), ...Object.keys(right.run.params || {})])].sort();
  const differ = keys.filter(k => (left.run.params || {})[k] !== (right.run.params || {})[k]);
  return { title: `Compare ${a} and ${b}`, leave: () => player.stop(), el: h('div.compare',
    h('h1', 'A/B comparison'),
    h('p', differ.length ? `They differ in ${differ.join(', ')}.` : 'Same scenario parameters.'),
    h('section.card', h('h2', 'Both at the same time since their start'), player.el),
    h('div.columns.ab', [['A', left], ['B', right]].map(([name, r]) => h('div.col', { 'aria-label': `Run ${name}` },
      h('h2', `${name}: run ${r.run.id}`), describe(r.run), h('p.summary', r.run.result?.summary || ''), r.live.el)))) };
}
