import { get, post, del, Problem } from '../api.js';
import { h, clear, field, duration, toast } from '../dom.js';
import { sysctlRow } from '../forms.js';

/** The caller's labs with their time left, and the form that makes one. */
export async function labsView() {
  const [labs, sysctls] = await Promise.all([get('/labs'), get('/sysctls')]);
  const list = h('div.lab-list');
  const countdowns = [];
  const draw = items => {
    countdowns.length = 0;
    clear(list, items.length ? h('table.data', h('thead', h('tr', ['Lab', 'Topology', 'Status', 'Time left', ''].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', items.map(lab => {
        const left = h('td.ttl');
        countdowns.push([left, Date.parse(lab.expiresAt)]);
        return h('tr', h('td', h('a', { href: `#/labs/${lab.id}` }, lab.id)),
          h('td', `${lab.spec.topology}${lab.spec.topology === 'nat' ? `, ${lab.spec.clients || 1} client(s)` : ''}`),
          h('td', (lab.status || '').replace('LAB_STATUS_', '')), left,
          h('td', h('button.secondary', { type: 'button', 'aria-label': `Delete lab ${lab.id}`, on: { click: async () => {
            if (!confirm(`Delete lab ${lab.id} and all its containers?`)) return;
            await del(`/labs/${lab.id}`);
            draw((await get('/labs')).labs || []);
          } } }, 'Delete')));
      }))) : h('p', 'No lab yet: make one below.'));
    tick();
  };
  const tick = () => {
    for (const [cell, expires] of countdowns) cell.textContent = duration((expires - Date.now()) / 1000);
  };
  draw(labs.labs || []);
  const timer = setInterval(tick, 1000);
  return { title: 'Labs', el: h('div', h('h1', 'Labs'), list, createForm(sysctls.sysctls || [])), leave: () => clearInterval(timer) };
}

function createForm(keys) {
  const topology = h('select', h('option', { value: 'direct' }, 'direct: client and server'),
    h('option', { value: 'nat' }, 'nat: clients, a NAT gateway, server and redis'));
  const clients = h('input', { type: 'number', min: 1, max: 8, value: 1 });
  const snat = h('input', { type: 'text', placeholder: '1024-65535', pattern: '\\d+-\\d+' });
  const ttl = h('input', { type: 'number', min: 5, max: 1440, value: 120 });
  const natOnly = h('div.nat-only', field('Clients', clients, 'Client nodes on the LAN side, 1 to 8.'),
    field('SNAT port pool', snat, 'The gateway\'s source ports on its WAN side, A-B (default 1024-65535).'));
  const rows = h('div.sysctl-rows');
  const errors = h('div.error', { role: 'alert' });
  const targets = () => topology.value === 'nat'
    ? ['client', ...Array.from({ length: Number(clients.value) || 1 }, (_, i) => `client${i + 1}`), 'gateway', 'server', 'redis']
    : ['client', 'server'];
  const showNat = () => { natOnly.hidden = topology.value !== 'nat'; };
  topology.addEventListener('change', showNat);
  showNat();
  const refused = keys.filter(k => k.type === 'refused');
  const submit = h('button', { type: 'submit' }, 'Create lab');
  const form = h('form.card', { 'aria-labelledby': 'create-title', on: { submit: async e => {
    e.preventDefault();
    clear(errors);
    const nodes = {};
    for (const row of rows.children) {
      const { target, key, value } = row.read();
      (nodes[target] ||= { sysctls: {} }).sysctls[key] = value;
    }
    const spec = { topology: topology.value, nodes, ttl: `${Number(ttl.value) * 60}s` };
    if (topology.value === 'nat') {
      spec.clients = Number(clients.value);
      if (snat.value.trim()) spec.snatPortRange = snat.value.trim();
    }
    submit.disabled = true;
    submit.textContent = 'Creating… (the nodes start and their sysctls are read back)';
    try {
      const lab = await post('/labs', { spec });
      toast(`Lab ${lab.id} is ready`);
      location.hash = `#/labs/${lab.id}`;
    } catch (err) {
      clear(errors, err instanceof Problem ? h('ul', (err.errors.length ? err.errors : [{ field: '', reason: err.message }])
        .map(v => h('li', v.field ? `${v.field}: ${v.reason}` : v.reason))) : String(err));
    } finally {
      submit.disabled = false;
      submit.textContent = 'Create lab';
    }
  } } }, h('h2#create-title', 'New lab'), errors, field('Topology', topology), natOnly,
  field('Lifetime (minutes)', ttl, 'Removed after this, 5 min to 24 h.'),
  h('fieldset', h('legend', 'Sysctls per node'), rows,
    h('button.secondary', { type: 'button', on: { click: () => rows.append(sysctlRow(keys, targets(), () => {})) } }, 'Add a sysctl'),
    refused.length ? h('details', h('summary', 'Keys a lab node cannot have'), h('ul', refused.map(k => h('li', h('code', k.key), `: ${k.help}`)))) : null),
  submit);
  return form;
}
