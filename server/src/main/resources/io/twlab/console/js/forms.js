import { h, field } from './dom.js';

/**
 * A scenario's parameters as form controls, generated from ListScenarios: a checkbox for a bool,
 * a bounded number for an int, a choice for an enum, a checkbox per value for a list.
 */
export function parameterForm(scenario) {
  const inputs = new Map();
  const fields = (scenario.parameters || []).map(p => {
    let control;
    if (p.type === 'bool') {
      control = h('input', { type: 'checkbox', name: p.name, checked: p.defaultValue === 'true' });
      inputs.set(p.name, () => String(control.checked));
    } else if (p.type === 'int') {
      control = h('input', { type: 'number', name: p.name, value: p.defaultValue, min: p.min || undefined, max: p.max || undefined, required: true });
      inputs.set(p.name, () => control.value.trim());
    } else if (p.type === 'enum') {
      control = h('select', { name: p.name }, (p.allowedValues || []).map(v => h('option', { value: v, selected: v === p.defaultValue }, v)));
      inputs.set(p.name, () => control.value);
    } else if (p.type === 'list') {
      const chosen = new Set(String(p.defaultValue || '').split(',').filter(Boolean));
      const boxes = (p.allowedValues || []).map(v => h('label.inline', h('input', { type: 'checkbox', value: v, checked: chosen.has(v) }), ` ${v}`));
      control = h('fieldset.list', { name: p.name }, h('legend', p.name), boxes);
      inputs.set(p.name, () => boxes.map(b => b.firstChild).filter(b => b.checked).map(b => b.value).join(','));
      return h('div.field', control, h('small.help', p.description));
    } else {
      control = h('input', { type: 'text', name: p.name, value: p.defaultValue });
      inputs.set(p.name, () => control.value.trim());
    }
    const bounds = p.min || p.max ? ` (${p.min}–${p.max}, default ${p.defaultValue})` : p.defaultValue ? ` (default ${p.defaultValue})` : '';
    return field(p.name, control, p.description + bounds);
  });
  return { fields, values: () => Object.fromEntries([...inputs].map(([k, read]) => [k, read()])) };
}

/**
 * A lab node's sysctl as a row of the lab form: which node or role, which key (from the server's
 * allow-list, its bounds and help shown), and the value, bounded the same way.
 */
export function sysctlRow(keys, targets, onRemove) {
  const allowed = keys.filter(k => k.type !== 'refused');
  const target = h('select', targets.map(t => h('option', { value: t }, t)));
  const key = h('select', allowed.map(k => h('option', { value: k.key }, k.key)));
  const value = h('input', { type: 'text', required: true });
  const help = h('small.help');
  const fit = () => {
    const k = allowed.find(x => x.key === key.value);
    if (k.type === 'int') {
      Object.assign(value, { type: 'number', min: k.min, max: k.max, placeholder: `${k.min}–${k.max}` });
      value.removeAttribute('pattern');
    } else {
      Object.assign(value, { type: 'text', placeholder: `LOW HIGH within ${k.min}–${k.max}`, pattern: '\\d+[ -]\\d+' });
    }
    help.textContent = `${k.help} (${k.type === 'int' ? `${k.min} to ${k.max}` : `two ports, ${k.min} to ${k.max}`})`;
  };
  key.addEventListener('change', fit);
  fit();
  const row = h('div.sysctl-row', field('Node or role', target), field('Sysctl', key), field('Value', value),
    h('button.secondary', { type: 'button', on: { click: () => { row.remove(); onRemove(); } } }, 'Remove'), help);
  row.read = () => ({ target: target.value, key: key.value, value: value.value.trim() });
  return row;
}
