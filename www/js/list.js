// list.js — a list that searches, sorts and pages ON THE SERVER through
// the search API: current, rowCount, searchPhrase, sort[field].

import { api } from './api.js';
import { h, clear, humanize, uid, notice } from './dom.js';

// opts: {path, columns:[{field,label,render(row),sort}], actions(row)->nodes,
//        params()->extra filters, rowCount, defaultSort:{field:dir}, caption, rowClass(row)}
export function createList(opts) {
  const state = { current: 1, rowCount: opts.rowCount || 20, phrase: '', sort: opts.defaultSort || null, total: 0 };
  const sid = uid('search');
  const search = h('input', { type: 'search', id: sid, placeholder: 'Search', autocomplete: 'off' });
  const sizeId = uid('rows');
  const size = h('select', { id: sizeId }, [10, 20, 50, 100].map((n) => h('option', { value: n, selected: n === state.rowCount }, n)));
  const thead = h('thead');
  const tbody = h('tbody');
  const info = h('span.pageinfo', { 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', 'aria-label': 'Previous page' }, '‹ Prev');
  const next = h('button', { type: 'button', 'aria-label': 'Next page' }, 'Next ›');
  const msg = h('div');
  const table = h('table.grid', {}, opts.caption ? h('caption', {}, opts.caption) : null, thead, tbody);
  const el = h('div.list', {},
    h('div.listbar', {}, h('label.sr', { for: sid }, 'Search'), search, opts.toolbar || null),
    msg, h('div.tablewrap', {}, table),
    h('div.pager', {}, prev, info, next, h('label', { for: sizeId }, 'Rows'), size));

  function header() {
    clear(thead);
    const tr = h('tr');
    for (const c of opts.columns) {
      const label = c.label || humanize(c.field);
      const dir = state.sort && state.sort[c.field];
      const th = h('th', { scope: 'col', 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : null });
      if (c.sort !== false && c.field) {
        th.append(h('button.sort', { type: 'button', onclick: () => sortBy(c.field) }, label, dir ? (dir === 'asc' ? ' ▲' : ' ▼') : ''));
      } else th.append(label);
      tr.append(th);
    }
    if (opts.actions) tr.append(h('th', { scope: 'col' }, h('span.sr', {}, 'Actions')));
    thead.append(tr);
  }
  function sortBy(field) {
    const dir = state.sort && state.sort[field] === 'asc' ? 'desc' : 'asc';
    state.sort = { [field]: dir };
    state.current = 1;
    reload();
  }
  async function reload() {
    header();
    const params = { current: state.current, rowCount: state.rowCount, searchPhrase: state.phrase || undefined, sort: state.sort || undefined, ...(opts.params ? opts.params() : {}) };
    let res;
    try {
      res = opts.method === 'post' ? await api.post(opts.path, params) : await api.get(opts.path, params);
    } catch (e) {
      clear(msg).append(notice('error', `The list could not be loaded: ${e.message}`));
      return;
    }
    clear(msg);
    clear(tbody);
    state.total = res.total;
    const ncol = opts.columns.length + (opts.actions ? 1 : 0);
    if (!res.rows.length) tbody.append(h('tr', {}, h('td.empty', { colspan: ncol }, state.phrase ? 'Nothing matches the search.' : 'No items.')));
    for (const row of res.rows) {
      const tr = h('tr', { dataset: { uuid: row.uuid || '' } });
      if (opts.rowClass) { const k = opts.rowClass(row); if (k) tr.classList.add(k); }
      for (const c of opts.columns) {
        const v = c.render ? c.render(row) : row[c.field];
        tr.append(h('td', { 'data-label': c.label || humanize(c.field) }, v));
      }
      if (opts.actions) tr.append(h('td.act', {}, opts.actions(row)));
      tbody.append(tr);
    }
    const pages = Math.max(1, state.rowCount > 0 ? Math.ceil(res.total / state.rowCount) : 1);
    info.textContent = `Page ${state.current} of ${pages} · ${res.total} item${res.total === 1 ? '' : 's'}`;
    prev.disabled = state.current <= 1;
    next.disabled = state.current >= pages;
    if (opts.onLoad) opts.onLoad(res);
  }
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.phrase = search.value.trim(); state.current = 1; reload(); }, 250);
  });
  prev.addEventListener('click', () => { state.current -= 1; reload(); });
  next.addEventListener('click', () => { state.current += 1; reload(); });
  size.addEventListener('change', () => { state.rowCount = Number(size.value); state.current = 1; reload(); });
  return { el, reload, state };
}
