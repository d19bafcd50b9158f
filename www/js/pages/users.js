// Users (passwords are write-only) and their API keys (the secret is
// shown once, when the key is made).
import { api } from '../api.js';
import { h, clear, notice, fmtTime, uid } from '../dom.js';
import { crudPage, openDialog } from '../crud.js';

export const title = 'System: Users and API keys';
export const subsys = ['users'];

function keysCard(ctx) {
  const sel = h('select', { id: uid('keyuser') });
  const descr = h('input', { type: 'text', id: uid('keydescr'), maxlength: 255 });
  const msg = h('div', { 'aria-live': 'polite' });
  const body = h('div');
  async function load() {
    const users = (await api.get('core/user/search_item', { rowCount: -1, sort: { name: 'asc' } })).rows;
    const keep = sel.value;
    clear(sel).append(...users.map((u) => h('option', { value: u.name, selected: u.name === keep }, u.name)));
    const ans = await api.get(api.path('core/user/search_api_key', sel.value));
    clear(body).append(ans.rows.length ? h('table.grid', {}, h('thead', {}, h('tr', {}, ['Key', 'Description', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ans.rows.map((k) => h('tr', {}, h('td', { 'data-label': 'Key' }, h('code', {}, k.key.slice(0, 12) + '…')), h('td', { 'data-label': 'Description' }, k.descr),
        h('td', { 'data-label': 'Created' }, fmtTime(k.created)),
        h('td.act', {}, h('button.icon.danger', { type: 'button', 'aria-label': 'Delete API key', title: 'Delete', onclick: () => del(k) }, '✕'))))))
      : h('p', {}, `${sel.value} has no API keys.`));
  }
  async function del(k) {
    if (!confirm(`Delete the API key ${k.key.slice(0, 12)}…?`)) return;
    await api.post(api.path('core/user/del_api_key', k.key));
    clear(msg).append(notice('ok', 'The API key was deleted.'));
    await load();
  }
  async function create() {
    const ans = await api.post(api.path('core/user/add_api_key', sel.value), { descr: descr.value });
    descr.value = '';
    openDialog('New API key', (close) => h('div', {},
      notice('warn', 'Copy the secret now: it is kept only as a hash and is never shown again.'),
      h('p', {}, h('strong', {}, 'Key: '), h('code', { id: 'new-key' }, ans.key)),
      h('p', {}, h('strong', {}, 'Secret: '), h('code', { id: 'new-secret' }, ans.secret)),
      h('div.actions', {}, h('button.primary', { type: 'button', onclick: close }, 'Done'))));
    await load();
  }
  sel.addEventListener('change', load);
  load();
  const el = h('section.card', {}, h('h2', {}, 'API keys'),
    h('p.intro', {}, 'An API key authenticates REST clients (HTTP Basic: key as user name, secret as password) with the rights of its user.'),
    h('div.inline', {}, h('label', { for: sel.id }, 'User'), sel, h('label', { for: descr.id }, 'Description'), descr,
      ctx.writable ? h('button.primary', { type: 'button', onclick: create }, '+ Create API key') : null),
    msg, body);
  return { el, load };
}

export function render(ctx, root) {
  const keys = ctx.writable ? keysCard(ctx) : null;
  root.append(crudPage(ctx, {
    sec: 'users', noun: 'user', nameField: 'name', labels: { name: 'Username', descr: 'Full name' },
    order: ['name', 'descr', 'password', 'scope', 'disabled'],
    columns: ['name', 'descr', 'scope'],
    defaultSort: { name: 'asc' },
    onChange: () => keys && keys.load(),
  }).el);
  if (keys) root.append(keys.el);
}
