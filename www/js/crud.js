// crud.js — the generic page of an item section: a server-side list,
// add/edit in a dialog with the generated form, toggle, delete. Page
// modules pass what differs (columns, labels, field order, extras).

import { api, plainItem } from './api.js';
import { h, clear, humanize, notice } from './dom.js';
import { section } from './schema.js';
import { createList } from './list.js';
import { createForm, forgetRefs } from './form.js';

// A modal dialog holding content; closed with Esc or Cancel.
export function openDialog(title, build) {
  const heading = h('h2', {}, title);
  const dlg = h('dialog.modal', { 'aria-label': title }, heading);
  const close = () => { dlg.close(); dlg.remove(); };
  dlg.append(build(close));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  const first = dlg.querySelector('input:not([type=hidden]),select,textarea,button');
  if (first) first.focus();
  return { dlg, close };
}

// A button that flips a boolean column (toggle_item, toggle_rule_log).
export function toggleButton(on, label, onclick) {
  return h(`button.toggle.${on ? 'on' : 'off'}`, { type: 'button', 'aria-pressed': on ? 'true' : 'false', title: label, onclick },
    h('span.sr', {}, label + ': '), on ? '✔' : '✖');
}

// opts: {sec, title, noun, columns, order, labels, exclude, choices,
//        verbs, toggleField, params, defaults(), rowActions(row, list),
//        toolbar, defaultSort, rowClass, formExtras(form, values, isNew), onChange()}
export function crudPage(ctx, opts) {
  const sec = section(opts.sec);
  const base = opts.base || sec.base;
  const v = { search: 'search_item', get: 'get_item', add: 'add_item', set: 'set_item', del: 'del_item', toggle: 'toggle_item', ...(opts.verbs || {}) };
  const noun = opts.noun || 'item';
  const tf = opts.toggleField === undefined ? ['enabled', 'disabled'].find((n) => sec.field(n)) : opts.toggleField;
  const msg = h('div.pagemsg', { 'aria-live': 'polite' });

  async function saved(text) {
    forgetRefs();
    clear(msg).append(notice('ok', text));
    await list.reload();
    await ctx.refresh();
    if (opts.onChange) await opts.onChange();
  }

  async function edit(uuid, copy) {
    const data = await api.get(uuid ? api.path(`${base}/${v.get}`, uuid) : `${base}/${v.get}`);
    const values = plainItem(data[sec.key]);
    if (!uuid && opts.defaults) Object.assign(values, await opts.defaults());
    if (copy) delete values.sequence;
    const isNew = !uuid || copy;
    const title = `${isNew ? 'Add' : 'Edit'} ${noun}`;
    openDialog(title, (close) => {
      const form = createForm({
        sec: opts.sec, values, isNew, title, order: opts.order, labels: opts.labels, exclude: opts.exclude, choices: opts.choices,
        onCancel: close,
        onSubmit: async (vals) => {
          const body = { [sec.key]: vals };
          if (isNew) await api.post(`${base}/${v.add}`, body);
          else await api.post(api.path(`${base}/${v.set}`, uuid), body);
          close();
          await saved(`The ${noun} was saved. Apply the changes to make them take effect.`);
        },
      });
      if (opts.formExtras) opts.formExtras(form, values, isNew);
      return form.el;
    });
  }

  async function del(row) {
    const name = row[opts.nameField || 'description'] || row.descr || row.name || row.subnet || '';
    if (!confirm(`Delete this ${noun}${name ? ` (${name})` : ''}?`)) return;
    try {
      await api.post(api.path(`${base}/${v.del}`, row.uuid));
      await saved(`The ${noun} was deleted.`);
    } catch (e) {
      const why = e.validations ? Object.values(e.validations).join('; ') : e.message;
      clear(msg).append(notice('error', `The ${noun} was not deleted: ${why}`));
    }
  }

  async function toggle(row) {
    await api.post(api.path(`${base}/${v.toggle}`, row.uuid));
    await saved(`The ${noun} was ${tf === 'disabled' ? (row.disabled === '1' ? 'enabled' : 'disabled') : (row.enabled === '1' ? 'disabled' : 'enabled')}.`);
  }

  const columns = [];
  if (tf) columns.push({ field: tf, label: tf === 'disabled' ? 'On' : 'On', render: (r) => toggleButton(tf === 'disabled' ? r.disabled !== '1' : r.enabled === '1', `Enabled`, () => toggle(r)) });
  for (const c of opts.columns || sec.fields.filter((f) => !f.secret && f.name !== tf).slice(0, 6).map((f) => f.name)) {
    columns.push(typeof c === 'string' ? { field: c, label: (opts.labels && opts.labels[c]) || humanize(c) } : c);
  }
  const add = h('button.primary', { type: 'button', onclick: () => edit(null) }, `+ Add ${noun}`);
  const list = createList({
    path: `${base}/${v.search}`, columns, params: opts.params, defaultSort: opts.defaultSort, rowClass: opts.rowClass,
    toolbar: [opts.toolbar || null, ctx.writable ? add : null],
    actions: (row) => [
      opts.rowActions ? opts.rowActions(row, { edit, reload: () => list.reload(), saved, msg }) : null,
      h('button.icon', { type: 'button', onclick: () => edit(row.uuid), 'aria-label': `Edit ${noun}`, title: 'Edit' }, '✎'),
      opts.copy ? h('button.icon', { type: 'button', onclick: () => edit(row.uuid, true), 'aria-label': `Copy ${noun}`, title: 'Copy' }, '❐') : null,
      h('button.icon.danger', { type: 'button', onclick: () => del(row), 'aria-label': `Delete ${noun}`, title: 'Delete' }, '✕'),
    ],
  });
  const el = h('section.crud', {}, opts.intro ? h('p.intro', {}, opts.intro) : null, msg, list.el);
  list.reload();
  return { el, list, edit, msg, saved };
}
