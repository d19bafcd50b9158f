// form.js — an edit form generated from a section's field table: a
// labelled control per field, help text, the API's validation message
// beside its field, write-only secrets. The form keeps the user's input
// when a save fails.

import { api, ApiError } from './api.js';
import { h, clear, humanize, uid, notice } from './dom.js';
import { section } from './schema.js';

const refCache = new Map();

// Names of the items of a referenced section, for a select.
export async function refChoices(secName) {
  if (!refCache.has(secName)) {
    const sec = section(secName);
    const p = api.get(`${sec.base}/${sec.search || 'search_item'}`, { rowCount: -1 }).then((r) => r.rows.map((row) => {
      const name = row.name || row.subnet || row.uuid;
      const d = row.descr || row.description || '';
      return [name, d && d !== name ? `${name} (${d})` : name];
    }));
    refCache.set(secName, p);
    p.catch(() => refCache.delete(secName));
  }
  return refCache.get(secName);
}
export function forgetRefs() { refCache.clear(); }

function options(sel, list, value, required) {
  clear(sel);
  if (!required && !list.some(([v]) => v === '')) sel.append(h('option', { value: '' }, '(none)'));
  for (const [v, label] of list) sel.append(h('option', { value: v, selected: v === value }, label));
  if (value && !list.some(([v]) => v === value)) sel.append(h('option', { value, selected: true }, value));
}

function checks(box, name, list, value) {
  const on = new Set(String(value || '').split(',').filter(Boolean));
  clear(box);
  for (const [v, label] of list) {
    const id = uid(name);
    box.append(h('span.check', {}, h('input', { type: 'checkbox', id, value: v, checked: on.has(v), name }),
      h('label', { for: id }, label)));
  }
}

// One field: returns {row, get(), focus}.
function control(f, value, opts) {
  const id = uid(f.name);
  const hid = id + '-help';
  const eid = id + '-err';
  const label = (opts.labels && opts.labels[f.name]) || humanize(f.name);
  const help = [f.help];
  if (f.secret) help.push(opts.isNew ? 'Write only: it is never shown again.' : 'Leave empty to keep the current value.');
  const described = `${hid} ${eid}`;
  const choiceFn = opts.choices && opts.choices[f.name];
  let input;
  let get;
  if (f.bool) {
    input = h('input', { type: 'checkbox', id, name: f.name, checked: value === '1', 'aria-describedby': described });
    get = () => (input.checked ? '1' : '0');
  } else if (f.list && (f.enum || f.ref || choiceFn)) {
    input = h('div.checks', { id, role: 'group', 'aria-labelledby': id + '-l', 'aria-describedby': described });
    const fill = (list) => checks(input, f.name, list, value);
    if (f.enum) fill(f.enum.filter(Boolean).map((v) => [v, v]));
    else (choiceFn ? choiceFn() : refChoices(f.ref)).then(fill);
    get = () => [...input.querySelectorAll('input:checked')].map((c) => c.value).join(',');
  } else if (f.enum || f.ref || choiceFn) {
    input = h('select', { id, name: f.name, 'aria-describedby': described });
    if (f.enum && !choiceFn) options(input, f.enum.map((v) => [v, v === '' ? '(none)' : v]), value, true);
    else {
      options(input, [], value, f.required);
      (choiceFn ? choiceFn() : refChoices(f.ref)).then((list) => options(input, list, value, f.required));
    }
    get = () => input.value;
  } else if (f.maxLength > 1000) {
    input = h('textarea', { id, name: f.name, rows: 4, 'aria-describedby': described }, value);
    get = () => input.value.split(/\s*[\n,]\s*/).filter(Boolean).join(',');
  } else {
    const attrs = { id, name: f.name, 'aria-describedby': described, value: f.secret ? '' : value };
    if (f.secret) Object.assign(attrs, { type: 'password', autocomplete: 'new-password', placeholder: opts.isNew ? '' : '(unchanged)' });
    else if (f.xtype === 'int') Object.assign(attrs, { type: 'number', inputmode: 'numeric', min: f.min, max: f.max });
    else Object.assign(attrs, { type: 'text', maxlength: f.maxLength, spellcheck: 'false' });
    input = h('input', attrs);
    get = () => input.value.trim();
  }
  const err = h('span.err', { id: eid, 'aria-live': 'polite' });
  const lab = f.list && input.tagName === 'DIV' ? h('span.label', { id: id + '-l' }, label) : h('label', { for: id }, label);
  const row = h('div.field', { dataset: { field: f.name } }, lab, h('div.ctl', {}, input,
    h('small.help', { id: hid }, help.filter(Boolean).map((t, i) => (i ? h('span.hint', {}, t) : t))), err));
  if (f.bool) row.classList.add('bool');
  return { row, get, input, err, f };
}

// opts: {sec: section name, values, isNew, order, labels, exclude, choices,
//        title, submitLabel, onSubmit(values) -> Promise, onCancel}
export function createForm(opts) {
  const sec = section(opts.sec);
  const values = opts.values || {};
  const exclude = new Set(opts.exclude || []);
  const order = opts.order || [];
  const fields = sec.fields.filter((f) => !f.readOnly && !exclude.has(f.name));
  fields.sort((a, b) => {
    const ia = order.indexOf(a.name); const ib = order.indexOf(b.name);
    return (ia < 0 ? 1e3 : ia) - (ib < 0 ? 1e3 : ib);
  });
  const ctls = fields.map((f) => control(f, values[f.name] === undefined ? f.default : String(values[f.name]), opts));
  const general = h('div.general');
  const save = h('button.primary', { type: 'submit' }, opts.submitLabel || 'Save');
  const form = h('form.edit', { novalidate: true, 'aria-label': opts.title || 'Edit' },
    general, ctls.map((c) => c.row),
    h('div.actions', {}, save, opts.onCancel && h('button', { type: 'button', onclick: opts.onCancel }, 'Cancel')));

  function clearErrors() {
    clear(general);
    for (const c of ctls) { c.err.textContent = ''; c.row.classList.remove('invalid'); c.input.removeAttribute('aria-invalid'); }
  }
  function setErrors(validations, message) {
    clearErrors();
    const other = [];
    let first = null;
    for (const [k, msg] of Object.entries(validations || {})) {
      const name = k.includes('.') ? k.slice(k.indexOf('.') + 1) : k;
      const text = Array.isArray(msg) ? msg.join('; ') : String(msg);
      const c = ctls.find((x) => x.f.name === name);
      if (!c) { other.push(`${humanize(name)}: ${text}`); continue; }
      c.err.textContent = text;
      c.row.classList.add('invalid');
      c.input.setAttribute('aria-invalid', 'true');
      first = first || c;
    }
    if (message || other.length) general.append(notice('error', message || 'The item was not saved.', ...other.map((o) => h('div', {}, o))));
    if (first) first.input.focus();
  }
  function collect() {
    const out = {};
    for (const c of ctls) {
      const v = c.get();
      if (c.f.secret && v === '') continue;
      out[c.f.name] = v;
    }
    return out;
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    try {
      clearErrors();
      await opts.onSubmit(collect());
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.validations, e.validations ? 'Please correct the fields marked below.' : e.message);
      else setErrors(null, String(e.message || e));
    } finally {
      save.disabled = false;
    }
  });
  return { el: form, setErrors, clearErrors, values: collect };
}
