import { h } from './dom.js';
import { stateName } from './states.js';

/** A field name of the proto3 JSON mapping in words: "timeWaitTimerAtEntry" → "time wait timer at entry". */
function words(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function value(v) {
  if (Array.isArray(v)) return v.map(value).join(', ');
  if (typeof v === 'string' && v.startsWith('TCP_STATE_')) return stateName(v);
  if (typeof v === 'string' && /^TIME_WAIT_END_/.test(v)) return v.replace('TIME_WAIT_END_', '').toLowerCase();
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join('; ');
  return String(v);
}

/**
 * A scenario's typed result as tables: scalars in a two-column table, each list of records in a
 * table of its own with a column per field.
 */
export function resultTables(result) {
  if (!result) return null;
  const out = [h('p.summary', result.summary || '')];
  const detail = Object.entries(result).find(([k]) => !['summary', 'counters'].includes(k));
  if (detail) out.push(h('h4', words(detail[0])), object(detail[1]));
  if (result.counters?.length) {
    out.push(h('h4', 'Kernel counters that moved'), table(['node', 'counter', 'delta'],
      result.counters.flatMap(c => Object.entries(c.deltas || {}).map(([k, d]) => [c.node, k, d]))));
  }
  return h('div.result', out);
}

function object(o) {
  const scalars = [];
  const lists = [];
  for (const [k, v] of Object.entries(o)) {
    if (Array.isArray(v) && v.length && typeof v[0] === 'object') lists.push([k, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).some(x => x && typeof x === 'object')) lists.push([k, [v]]);
    else scalars.push([words(k), value(v)]);
  }
  return h('div', scalars.length ? table(['field', 'value'], scalars) : null, lists.map(([k, rows]) => {
    const columns = [...new Set(rows.flatMap(r => Object.keys(r)))];
    return h('div', h('h5', words(k)), table(columns.map(words), rows.map(r => columns.map(c => r[c] === undefined ? '' : value(r[c])))));
  }));
}

export function table(columns, rows) {
  return h('table.data', h('thead', h('tr', columns.map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', rows.map(r => h('tr', r.map(c => h('td', String(c)))))));
}
