import { get, post, stream, Problem } from '../api.js';
import { h, clear, field } from '../dom.js';
import { Timeline } from '../model.js';
import { LiveView } from '../live.js';

const OUTCOME = {
  VERDICT_OUTCOME_PASSED: ['passed', '✓ passed'],
  VERDICT_OUTCOME_FAILED: ['failed', '✗ failed'],
  VERDICT_OUTCOME_ERROR: ['error', '! cannot be judged'],
};

/**
 * Grade an experiment file: pasted or uploaded, checked whole by the server (each bad field shown
 * on its line), then run in a lab of its own, watched live; each verdict is marked on its run's
 * timeline where it was decided.
 */
export function gradeView() {
  const text = h('textarea', { rows: 18, spellcheck: false, 'aria-describedby': 'grade-help' });
  const upload = h('input', { type: 'file', accept: '.yaml,.yml,.json,text/yaml,application/json', on: { change: async e => {
    const file = e.target.files[0];
    if (file) text.value = await file.text();
  } } });
  const errors = h('div.grade-errors', { role: 'alert' });
  const status = h('p.grade-status', { 'aria-live': 'polite' });
  const liveBox = h('div.grade-live');
  const report = h('div.grade-report');
  const button = h('button', { type: 'submit' }, 'Check and run');
  let watching = null;
  let poll = 0;
  let frame = 0;
  const stop = () => { watching?.close(); clearInterval(poll); cancelAnimationFrame(frame); };
  const form = h('form.card', { on: { submit: async e => {
    e.preventDefault();
    stop();
    clear(errors);
    clear(report);
    clear(liveBox);
    button.disabled = true;
    status.textContent = 'Checking the file, then running it in a lab of its own…';
    const before = new Set(((await get('/labs')).labs || []).map(l => l.id));
    poll = setInterval(async () => {
      const lab = ((await get('/labs')).labs || []).find(l => !before.has(l.id));
      if (!lab || watching) return;
      clearInterval(poll);
      const timeline = new Timeline();
      const live = new LiveView(timeline);
      const verdicts = h('div.live-verdicts', { 'aria-live': 'polite' });
      clear(liveBox, h('h2', `The experiment's lab ${lab.id}, live`), verdicts, live.el);
      watching = stream(`/labs/${lab.id}/events?after=0&detail=auto`, {
        onEvent: ev => {
          timeline.apply(ev);
          if (ev.runFinished) graded(ev.runFinished.run.id).then(run => verdicts.append(verdictList(run)));
        },
        endsWith: '',
      });
      const draw = () => { live.render(); frame = requestAnimationFrame(draw); };
      frame = requestAnimationFrame(draw);
    }, 1000);
    try {
      const graded = await post('/grades', text.value, { type: 'application/yaml' });
      status.textContent = `${graded.experiment}: ${graded.passed ? 'passed' : 'did not pass'}`;
      clear(report, await Promise.all((graded.runs || []).map(verdictsOnTimeline)));
    } catch (err) {
      status.textContent = 'The file was refused: nothing ran.';
      clear(errors, err instanceof Problem ? byLine(text.value, err) : String(err));
    } finally {
      stop();
      button.disabled = false;
    }
  } } }, h('h2', 'Grade an experiment'),
  h('p#grade-help.help', 'An experiment file (YAML or JSON, see examples/): a lab, runs, and what each run must show. ',
    'It is checked whole first; then it runs in a fresh lab, removed afterwards.'),
  field('Experiment file', text), field('Or upload one', upload), button);
  return { title: 'Grading', el: h('div.grade', h('h1', 'Grading'), form, status, errors, liveBox, report), leave: stop };
}

/** A run of the experiment as soon as its verdicts are recorded (just after it finished). */
async function graded(runId) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const run = await get(`/runs/${runId}`);
    if (run.verdicts?.length || ['RUN_STATE_FAILED', 'RUN_STATE_INTERRUPTED'].includes(run.state)) return run;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  return get(`/runs/${runId}`);
}

function verdictList(run) {
  return h('div', h('h3', `${run.scenario} (run ${run.id}) finished`), h('ol.verdicts', (run.verdicts || []).map(v => {
    const [cls, label] = OUTCOME[v.outcome] || ['error', v.outcome];
    return h(`li.verdict.${cls}`, h('b', label), ` ${v.expectation}`, h('br'), h('small', v.observed),
      v.reason ? h('small.why', ` — ${v.reason}`) : null);
  })));
}

/** The file with its lines numbered, the lines the server named marked with their reasons. */
function byLine(source, problem) {
  const byLineNo = new Map();
  const loose = [];
  for (const v of problem.errors.length ? problem.errors : [{ field: '', reason: problem.message }]) {
    const m = /^line (\d+): (.*)$/s.exec(v.reason);
    if (m) (byLineNo.get(Number(m[1])) || byLineNo.set(Number(m[1]), []).get(Number(m[1]))).push(`${v.field}: ${m[2]}`);
    else loose.push(v.field ? `${v.field}: ${v.reason}` : v.reason);
  }
  return h('div', h('h3', problem.title), loose.length ? h('ul', loose.map(l => h('li', l))) : null,
    h('ol.listing', source.split('\n').map((line, i) => {
      const reasons = byLineNo.get(i + 1);
      return h(reasons ? 'li.bad' : 'li', { value: i + 1 }, h('code', line || ' '),
        reasons ? h('span.why', reasons.join('; ')) : null);
    })));
}

/** One graded run: its verdicts, and its timeline with each verdict where it was decided. */
async function verdictsOnTimeline(graded) {
  const run = graded.run;
  const timeline = new Timeline();
  await new Promise(resolve => {
    const s = stream(`/runs/${run.id}/events?after=0&detail=auto`, {
      onEvent: e => timeline.apply(e), onProblem: resolve,
      onState: st => { if (st === 'ended' || st === 'closed') resolve(); },
    });
    setTimeout(() => { s.close(); resolve(); }, 60000);
  });
  const start = Date.parse(run.startedAt);
  const end = Date.parse(run.finishedAt || run.startedAt);
  const span = Math.max(1, end - start);
  const marks = (graded.verdicts || []).map((v, i) => {
    const at = decidedAt(v, timeline, start, end);
    const [cls, label] = OUTCOME[v.outcome] || ['error', v.outcome];
    return h(`span.verdict-mark.${cls}`, { style: { left: `${Math.min(100, Math.max(0, (at - start) / span * 100))}%` },
      title: `${label}: ${v.expectation} at ${((at - start) / 1000).toFixed(1)} s`, 'data-outcome': cls, role: 'img',
      'aria-label': `${label}: ${v.expectation}, decided ${((at - start) / 1000).toFixed(1)} s into the run` }, String(i + 1));
  });
  const live = new LiveView(timeline);
  live.render(true, end);
  return h('section.card.graded-run', h('h3', `${run.scenario} (run ${run.id}): ${graded.passed ? 'passed' : 'did not pass'}`),
    h('div.verdict-axis', { 'aria-label': 'The run from start to end, each verdict where it was decided' },
      h('span.axis-start', '0 s'), marks, h('span.axis-end', `${(span / 1000).toFixed(1)} s`)),
    verdictList({ ...run, verdicts: graded.verdicts }).lastChild, h('details', h('summary', 'The run\'s timeline'), live.el));
}

/**
 * When a verdict was decided: a count at the end, at its peak, or some seconds in; a sequence when
 * its last state was first reached; a duration when that state first ended; counters, errors and
 * sysctls at the end, when they were read.
 */
function decidedAt(verdict, timeline, start, end) {
  const text = verdict.expectation;
  const [node, second] = text.split(' ');
  if (verdict.kind === 'count') {
    const into = /([\d.]+) s into the run/.exec(text);
    if (into) return start + Number(into[1]) * 1000;
    if (/at its peak/.test(text)) {
      let best = end;
      let max = -1;
      for (const p of timeline.nodes.get(node)?.series || []) {
        if ((p.counts[second] || 0) > max) { max = p.counts[second] || 0; best = p.t; }
      }
      return best;
    }
    return end;
  }
  if (verdict.kind === 'sequence') {
    const states = text.replace(/^\S+ goes /, '').split(' → ');
    let first = end;
    for (const conn of timeline.connections.values()) {
      if (conn.node !== node) continue;
      let i = 0;
      for (const s of conn.segments) {
        if (s.state === states[i]) i++;
        if (i === states.length) { first = Math.min(first, s.from); break; }
      }
    }
    return first;
  }
  if (verdict.kind === 'duration') {
    const state = /stays in (\S+)/.exec(text)?.[1];
    let first = end;
    for (const conn of timeline.connections.values()) {
      const seg = conn.node === node && conn.segments.find(s => s.state === state && s.to !== null);
      if (seg) first = Math.min(first, seg.to);
    }
    return first;
  }
  return end;
}
