// The public REST API (/api/v1), as the console calls it: the browser session's cookie goes with
// every call; a change also carries the CSRF token the server sends back in X-Twlab-Csrf.
let csrf = sessionStorage.getItem('twlab.csrf') || '';

/** A refused call: the problem+json body's title, detail and each field that was wrong. */
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.title = body.title || `HTTP ${status}`;
    this.errors = body.errors || [];
  }

  /** "field: reason" lines, or the detail alone. */
  describe() {
    return this.errors.length ? this.errors.map(e => `${e.field}: ${e.reason}`).join('\n') : this.message;
  }
}

function remember(response) {
  const token = response.headers.get('X-Twlab-Csrf');
  if (token && token !== csrf) {
    csrf = token;
    sessionStorage.setItem('twlab.csrf', token);
  }
}

export async function call(method, path, body, { type = 'application/json', bearer } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = type;
  if (method !== 'GET' && csrf) headers['X-Twlab-Csrf'] = csrf;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(`/api/v1${path}`, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  remember(response);
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch (e) {
    parsed = { title: `HTTP ${response.status}`, detail: text.slice(0, 300) };
  }
  if (!response.ok) throw new Problem(response.status, parsed);
  return parsed;
}

export const get = path => call('GET', path);
export const post = (path, body, options) => call('POST', path, body ?? {}, options);
export const del = path => call('DELETE', path);

/** Opens a browser session from a token (a student's from joining, or any twlab token). */
export async function signIn(token) {
  await call('POST', '/sessions', undefined, { bearer: token });
}

export async function signOut() {
  await call('DELETE', '/sessions');
  csrf = '';
  sessionStorage.removeItem('twlab.csrf');
}

const KINDS = ['lab_status', 'transition', 'state_counts', 'run_progress', 'run_finished', 'gap', 'summary',
  'counters', 'nat', 'notice'];

/**
 * An event stream (SSE): `path` under /api/v1 with its query; `onEvent(labEvent)` for each event in
 * order. The browser reconnects by itself with Last-Event-ID, so that a dropped connection resumes
 * after the last event it delivered. `onEnd(reason)` when the stream ends for good.
 */
export function stream(path, { onEvent, onProblem, onState, endsWith = 'run_finished' }) {
  const source = new EventSource(`/api/v1${path}`);
  let ended = false;
  const end = () => { ended = true; source.close(); onState?.('ended'); };
  for (const kind of KINDS) {
    source.addEventListener(kind, message => {
      const event = JSON.parse(message.data);
      onEvent(event);
      if (kind === endsWith) end();
      if (kind === 'lab_status' && ['LAB_STATUS_DELETED', 'LAB_STATUS_FAILED'].includes(event.labStatus.status)) end();
    });
  }
  source.addEventListener('open', () => onState?.('open'));
  source.addEventListener('error', message => {
    if (message.data) {
      onProblem?.(new Problem(0, JSON.parse(message.data)));
      end();
    } else if (!ended) {
      onState?.(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    }
  });
  return { close: end };
}

/**
 * A stream of one kind of SSE event (`name`) whose every message is the whole of something, as the
 * classroom is: `onData(value)` for each; the browser reconnects by itself.
 */
export function watch(path, name, { onData, onProblem, onState }) {
  const source = new EventSource(`/api/v1${path}`);
  source.addEventListener(name, message => onData(JSON.parse(message.data)));
  source.addEventListener('open', () => onState?.('open'));
  source.addEventListener('error', message => {
    if (message.data) {
      onProblem?.(new Problem(0, JSON.parse(message.data)));
      source.close();
    } else {
      onState?.(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    }
  });
  return { close: () => source.close() };
}
