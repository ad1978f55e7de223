import { get, post, del, watch } from '../api.js';
import { h, svg, clear, field, duration, toast } from '../dom.js';

/** The instructor's workshops, each a link to its room. */
export async function workshopsView() {
  const { workshops = [] } = await get('/workshops');
  return { title: 'Classroom', el: h('div', h('h1', 'Classroom'), workshops.length
    ? h('ul.workshops', workshops.map(w => h('li', h('a', { href: `#/workshops/${w.id}` }, w.name),
      ` · ${w.seats} seats · ${(w.students || []).length} joined · ${w.ended ? 'ended' : `ends ${new Date(w.endsAt).toLocaleString()}`}`)))
    : h('p', 'No workshop yet: open one with `twlab workshops create NAME --seats N`.')) };
}

const SPARK_POINTS = 60;
const SPARK = { width: 160, height: 36 };

/**
 * One workshop's room: a tile per seat with its labs, run in progress, latest verdicts, open shells
 * and a small chart of its sockets (TIME_WAIT apart). Everything comes from one classroom stream,
 * sent again whenever the room changes; the charts grow from successive messages.
 */
export async function classroomView(id) {
  const tiles = h('div.tiles', { 'aria-live': 'polite' });
  const head = h('div.page-head', h('h1', 'Classroom'));
  const history = new Map();
  const countdowns = [];
  let workshop = null;
  const render = room => {
    workshop = room.workshop;
    clear(head, h('h1', room.workshop.name), h('span', `${(room.seats || []).length} of ${room.workshop.seats} seats`),
      h('span', `ends ${new Date(room.workshop.endsAt).toLocaleString()}`));
    countdowns.length = 0;
    clear(tiles, (room.seats || []).map(seat => tile(seat, record(history, seat), countdowns)));
    if (!(room.seats || []).length) tiles.append(h('p', 'No student has joined yet: they join with the workshop\'s code.'));
    tick();
  };
  const tick = () => {
    for (const [cell, expires] of countdowns) cell.textContent = `${duration((expires - Date.now()) / 1000)} left`;
  };
  const timer = setInterval(tick, 1000);
  const source = watch(`/workshops/${id}/classroom/events`, 'classroom', {
    onData: render,
    onProblem: p => toast(p.describe()),
  });
  const by = h('select', [15, 30, 60, 120].map(m => h('option', { value: m }, `${m} min`)));
  const format = h('select', [['csv', 'CSV'], ['canvas', 'Canvas gradebook'], ['moodle', 'Moodle gradebook'],
    ['junit', 'JUnit XML']].map(([v, label]) => h('option', { value: v }, label)));
  const exportLink = h('a.button', { href: `/api/v1/workshops/${id}/grades?format=csv`, download: '' }, 'Export grades');
  format.addEventListener('change', () => { exportLink.href = `/api/v1/workshops/${id}/grades?format=${format.value}`; });
  const actions = h('section.card.room-actions', { 'aria-labelledby': 'room-actions' }, h('h2#room-actions', 'The whole room'),
    h('form.inline', { on: { submit: async e => {
      e.preventDefault();
      const { labs = [] } = await post(`/workshops/${id}/labs/extend`, { by: `${by.value * 60}s` });
      toast(`${labs.length} lab(s) extended by ${by.value} min`);
    } } }, field('Extend every lab by', by), h('button', { type: 'submit' }, 'Extend all labs')),
    h('form.inline', { on: { submit: async e => {
      e.preventDefault();
      if (!confirm(`Delete every lab of ${workshop?.name || 'this workshop'}? Runs stay in the history.`)) return;
      const { labs = [] } = await del(`/workshops/${id}/labs`);
      toast(`${labs.length} lab(s) ended`);
    } } }, h('button.secondary', { type: 'submit' }, 'End all labs')),
    h('div.inline', field('Grades as', format), exportLink));
  return { title: 'Classroom', el: h('div.classroom', head, actions, tiles),
    leave: () => { source.close(); clearInterval(timer); } };
}

/** Appends the seat's socket counts to its chart's history; returns the history. */
function record(history, seat) {
  const key = seat.student.id;
  const points = history.get(key) || [];
  const sockets = seat.sockets || {};
  const total = Object.values(sockets).reduce((a, b) => a + b, 0);
  points.push({ total, timeWait: sockets.TIME_WAIT || 0 });
  if (points.length > SPARK_POINTS) points.shift();
  history.set(key, points);
  return points;
}

function tile(seat, points, countdowns) {
  const run = seat.currentRun;
  const latest = seat.latestRuns || [];
  return h('article.tile', { 'aria-label': `Seat of ${seat.student.name}`, 'data-student': seat.student.name },
    h('h2', seat.student.name),
    h('ul.tile-labs', (seat.labs || []).map(lab => {
      const left = h('span.ttl');
      countdowns.push([left, Date.parse(lab.expiresAt)]);
      return h('li', h('a', { href: `#/labs/${lab.id}`, title: 'Watch this lab, read-only' }, lab.id), ' ',
        (lab.status || '').replace('LAB_STATUS_', '').toLowerCase(), ' · ', left);
    })),
    (seat.labs || []).length ? null : h('p.muted', 'no lab'),
    h('p.current', run ? `running ${run.scenario}` : 'no run in progress'),
    h('ul.verdicts', latest.map(r => h('li', { class: `verdict ${verdictClass(r)}` },
      `${r.scenario}: ${verdictText(r)}`))),
    (seat.shells || []).length ? h('p.shells', `shell open: ${seat.shells.join(', ')}`) : null,
    spark(points));
}

const ENDED_IN_ERROR = ['RUN_STATE_FAILED', 'RUN_STATE_INTERRUPTED'];

function verdictClass(run) {
  if (ENDED_IN_ERROR.includes(run.state)) return 'error';
  if (!(run.passed || run.failed)) return 'plain';
  return run.failed ? 'fail' : 'pass';
}

function verdictText(run) {
  if (run.state === 'RUN_STATE_INTERRUPTED') return 'interrupted';
  if (run.state === 'RUN_STATE_FAILED') return 'error';
  if (!(run.passed || run.failed)) return run.state === 'RUN_STATE_SUCCEEDED' ? 'done' : 'running';
  return run.failed ? `fail (${run.passed || 0} of ${(run.passed || 0) + run.failed})` : `pass (${run.passed})`;
}

/** Sockets over the last messages: all of them as a line, TIME_WAIT as a filled band. */
function spark(points) {
  const max = Math.max(1, ...points.map(p => p.total));
  const x = i => (points.length < 2 ? SPARK.width : (i * SPARK.width) / (points.length - 1));
  const y = v => SPARK.height - (v * (SPARK.height - 2)) / max;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.total).toFixed(1)}`).join('');
  const band = `M0,${SPARK.height}${points.map((p, i) => `L${x(i).toFixed(1)},${y(p.timeWait).toFixed(1)}`).join('')}`
    + `L${x(points.length - 1).toFixed(1)},${SPARK.height}Z`;
  const last = points[points.length - 1] || { total: 0, timeWait: 0 };
  return h('figure.spark', svg('svg', { viewBox: `0 0 ${SPARK.width} ${SPARK.height}`, width: SPARK.width,
    height: SPARK.height, role: 'img', 'aria-label': `${last.total} sockets, ${last.timeWait} in TIME_WAIT` },
    svg('path', { d: band, class: 'tw' }), svg('path', { d: line, class: 'all' })),
  h('figcaption', `${last.total} socket${last.total === 1 ? '' : 's'} · ${last.timeWait} in TIME_WAIT`));
}
