import { get, Problem, signOut } from './api.js';
import { h, clear, toast } from './dom.js';
import { loginView } from './views/login.js';
import { labsView } from './views/labs.js';
import { labView } from './views/lab.js';
import { runsView, replayView, compareView } from './views/runs.js';
import { gradeView } from './views/grade.js';
import { workshopsView, classroomView } from './views/classroom.js';

/**
 * The console: a page per hash route (#/labs, #/labs/ID, #/runs, #/runs/ID, #/compare/A/B, #/grade,
 * and for instructors #/workshops, #/workshops/ID), all built from the public API. Leaving a page stops what it started (streams, timers).
 */
const main = document.getElementById('main');
let leave = () => {};
let me = null;

const routes = [
  [/^#\/labs\/([\w-]+)$/, id => labView(id, me)],
  [/^#\/runs\/([\w-]+)$/, id => replayView(id)],
  [/^#\/compare\/([\w-]+)\/([\w-]+)$/, (a, b) => compareView(a, b)],
  [/^#\/runs$/, () => runsView()],
  [/^#\/grade$/, () => gradeView()],
  [/^#\/labs$/, () => labsView()],
  [/^#\/workshops\/([\w-]+)$/, id => classroomView(id)],
  [/^#\/workshops$/, () => workshopsView()],
];

async function route() {
  leave();
  leave = () => {};
  if (!me) {
    try {
      me = await get('/whoami');
    } catch (e) {
      if (!(e instanceof Problem) || e.status !== 401) throw e;
      clear(main, loginView(async () => { me = null; await route(); }));
      showWho();
      return;
    }
  }
  showWho();
  const hash = location.hash || '#/labs';
  for (const [pattern, view] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      const page = await view(...match.slice(1));
      clear(main, page.el);
      leave = page.leave || (() => {});
      document.title = `${page.title} · twlab`;
      return;
    }
  }
  location.hash = '#/labs';
}

function showWho() {
  const who = document.getElementById('who');
  document.getElementById('nav-classroom').hidden = !['ROLE_INSTRUCTOR', 'ROLE_ADMIN'].includes(me?.role);
  if (!me) {
    clear(who, 'not signed in');
    return;
  }
  const name = me.name || me.id;
  clear(who, `${name} (${(me.role || '').replace('ROLE_', '').toLowerCase()})`,
    h('button.link', { type: 'button', on: { click: async () => {
      try { await signOut(); } catch (e) { /* the session may be gone already */ }
      me = null;
      location.hash = '#/labs';
      await route();
    } } }, 'Sign out'));
}

window.addEventListener('hashchange', () => route().catch(fail));
window.addEventListener('unhandledrejection', e => fail(e.reason));
route().catch(fail);

function fail(e) {
  toast(e instanceof Problem ? e.describe() : String(e?.message || e));
}

/**
 * Frames the page drew, those that came more than 50 ms after the one before (a stall a viewer
 * sees), and the longest gap: what `bench/run.sh console` reads during a flood.
 */
window.twlabFrames = { count: 0, slow: 0, worst: 0 };
let previousFrame = performance.now();
requestAnimationFrame(function frame(now) {
  const frames = window.twlabFrames;
  const gap = now - previousFrame;
  previousFrame = now;
  frames.count++;
  if (gap > 50) frames.slow++;
  frames.worst = Math.max(frames.worst, gap);
  requestAnimationFrame(frame);
});
