// A small element builder: h('div.card#id', {attrs, on: {click}}, children...). Text is always set
// as text, never parsed as HTML, so nothing the server or a user wrote can become markup.
export function h(spec, props, ...children) {
  if (props === null || typeof props !== 'object' || Array.isArray(props) || props instanceof Node) {
    children.unshift(props);
    props = {};
  }
  const [, tag, rest] = /^([a-z0-9]+)?(.*)$/i.exec(spec);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key in el && !key.startsWith('aria') && !key.startsWith('data') && key !== 'list' && key !== 'for') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(key, value);
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A labelled form control: the label's for= names the control, so screen readers announce it. */
let controls = 0;
export function field(label, control, help) {
  control.id ||= `f${++controls}`;
  const helpEl = help ? h('small.help', { id: `${control.id}-help` }, help) : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  return h('div.field', h('label', { for: control.id }, label), control, helpEl);
}

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 5000);
}

/** "1 h 02 min", "4 min 05 s", "12 s". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor(s % 3600 / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString() : '';
}
