import { get, post, del, stream, Problem } from '../api.js';
import { h, clear, field, duration, toast } from '../dom.js';
import { Timeline } from '../model.js';
import { LiveView } from '../live.js';
import { topology } from '../topology.js';
import { parameterForm } from '../forms.js';
import { resultTables, table } from '../results.js';
import { connectionPanel } from './connection.js';
import { ShellPanel } from '../terminal.js';

/**
 * One lab: its topology, effective sysctls and observation mode; the form that runs a scenario,
 * its progress and typed result; a shell in one of its nodes; and the live view of every event
 * since the lab began (a reload reads them again from the server's retained log, so nothing is
 * lost). A lab that is not the caller's own (an instructor watching a seat) is shown read-only.
 */
export async function labView(id, me) {
  const [lab, scenarios] = await Promise.all([get(`/labs/${id}`), get('/scenarios')]);
  const timeline = new Timeline();
  const selected = h('div.selected-conn', { 'aria-live': 'polite' });
  const live = new LiveView(timeline, { onSelect: conn => clear(selected, connectionPanel(conn)) });
  const runPanel = new RunPanel(lab, (scenarios.scenarios || []).filter(s => (s.topologies || []).includes(lab.spec.topology)), timeline);
  const own = !me || me.id === lab.ownerId;
  const shell = own ? new ShellPanel(lab) : null;
  const ttl = h('span.ttl');
  const status = h('span.status', (lab.status || '').replace('LAB_STATUS_', ''));
  const events = stream(`/labs/${id}/events?after=0&detail=auto`, {
    onEvent: e => {
      timeline.apply(e);
      if (e.runFinished) runPanel.finished(e.runFinished.run);
      if (e.labStatus) status.textContent = timeline.status;
    },
    onProblem: p => toast(p.describe()),
    onState: s => { live.streamStatus.dataset.connection = s; },
    endsWith: '',
  });
  let frame = 0;
  const draw = () => {
    live.render();
    runPanel.progress();
    const left = `${duration((Date.parse(lab.expiresAt) - Date.now()) / 1000)} left`;
    if (ttl.textContent !== left) ttl.textContent = left;
    frame = requestAnimationFrame(draw);
  };
  frame = requestAnimationFrame(draw);
  const el = h('div.lab-page',
    h('div.page-head', h('h1', `Lab ${lab.id}`), status, h('span', lab.spec.topology), ttl,
      own ? h('button.secondary', { type: 'button', on: { click: async () => {
        if (!confirm(`Delete lab ${lab.id}?`)) return;
        await del(`/labs/${lab.id}`);
        location.hash = '#/labs';
      } } }, 'Delete lab') : h('span.read-only', `${lab.ownerId}'s lab, watched read-only`)),
    h('div.columns',
      h('div.col', h('section.card', { 'aria-labelledby': 'topo-title' }, h('h2#topo-title', 'Topology'), topology(lab),
        h('p.observation', h('b', 'Observation: '), lab.observationMode || 'unknown'),
        h('details', h('summary', 'Effective sysctls, read back from each node'), sysctlTable(lab))),
        own ? runPanel.el : null),
      h('div.col.wide', live.el, selected, shell?.el)));
  return { title: `Lab ${lab.id}`, el, leave: () => { events.close(); cancelAnimationFrame(frame); shell?.leave(); } };
}

function sysctlTable(lab) {
  const keys = [...new Set(lab.nodes.flatMap(n => Object.keys(n.effectiveSysctls || {})))].sort();
  return table(['sysctl', ...lab.nodes.map(n => n.name)], keys.map(k => [k, ...lab.nodes.map(n => (n.effectiveSysctls || {})[k] ?? '')]));
}

/** The scenario form, generated from ListScenarios, and what the run it started is doing. */
class RunPanel {
  constructor(lab, scenarios, timeline) {
    this.lab = lab;
    this.timeline = timeline;
    this.runId = null;
    this.choice = h('select', { on: { change: () => this.show() } }, scenarios.map(s => h('option', { value: s.name }, `${s.name}: ${s.title}`)));
    this.scenarios = scenarios;
    this.about = h('div.about');
    this.params = h('div.params');
    this.errors = h('div.error', { role: 'alert' });
    this.status = h('div.run-status', { 'aria-live': 'polite' });
    this.meter = h('progress', { max: 1, value: 0, 'aria-label': 'Run progress' });
    this.result = h('div.run-result');
    this.button = h('button', { type: 'submit' }, 'Run');
    this.el = h('section.card', { 'aria-labelledby': 'run-title' }, h('h2#run-title', 'Run a scenario'),
      h('form', { on: { submit: e => this.run(e) } }, field('Scenario', this.choice), this.about, this.params, this.errors, this.button),
      this.status, this.meter, this.result);
    this.show();
  }

  show() {
    const s = this.scenarios.find(x => x.name === this.choice.value);
    if (!s) return;
    this.form = parameterForm(s);
    clear(this.about, h('p', s.description), h('p.claim', h('b', 'Checks: '), s.checksClaim));
    clear(this.params, this.form.fields);
  }

  async run(e) {
    e.preventDefault();
    clear(this.errors);
    this.button.disabled = true;
    try {
      const run = await post(`/labs/${this.lab.id}/runs`, { scenario: this.choice.value, params: this.form.values() });
      this.runId = run.id;
      clear(this.result);
      this.status.textContent = `Run ${run.id} started`;
    } catch (err) {
      this.button.disabled = false;
      clear(this.errors, err instanceof Problem ? err.describe() : String(err));
    }
  }

  progress() {
    const run = this.runId && this.timeline.runs.get(this.runId);
    if (!run || run.result) return;
    const text = `${run.scenario}: ${run.phase}${run.message ? ` — ${run.message}` : ''}`;
    if (this.status.textContent !== text) this.status.textContent = text;
    if (this.meter.max !== (run.total || 1)) this.meter.max = run.total || 1;
    if (this.meter.value !== (run.total ? run.done : 0)) this.meter.value = run.total ? run.done : 0;
  }

  finished(run) {
    if (run.id !== this.runId) return;
    this.button.disabled = false;
    this.meter.max = 1;
    this.meter.value = 1;
    this.status.textContent = `Run ${run.id} ${run.state.replace('RUN_STATE_', '').toLowerCase()}${run.error ? `: ${run.error}` : ''}`;
    clear(this.result, (run.shellsOpen || []).length ? h('p.notice', `A shell was open in ${run.shellsOpen.join(', ')}`
      + ' during this run: what was typed there may show in its results.') : null,
    resultTables(run.result), h('p', h('a', { href: `#/runs/${run.id}` }, 'Replay this run')));
  }
}
