// dom.js — building DOM without innerHTML: every string goes in as text.

// h('tag.class#id', {attr: value, onclick: fn}, child, ...): an element.
// Children are nodes, strings (as text), arrays, or null/false (skipped).
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement(m ? m[1] : 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// "source_net" -> "Source net"; a field's label when no page names it.
export function humanize(name) {
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

let seq = 0;
export function uid(prefix = 'f') { seq += 1; return `${prefix}-${seq}`; }

// A status line that screen readers announce.
export function notice(kind, ...text) {
  return h(`div.notice.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, ...text);
}

export function fmtTime(t) {
  if (t === undefined || t === null || t === '') return '';
  const n = Number(t);
  if (!Number.isFinite(n)) return String(t);
  return new Date(n * 1000).toLocaleString();
}

export function fmtDuration(sec) {
  let s = Math.floor(Number(sec) || 0);
  const d = Math.floor(s / 86400); s %= 86400;
  const hh = Math.floor(s / 3600); s %= 3600;
  const mm = Math.floor(s / 60); s %= 60;
  return (d ? `${d}d ` : '') + `${hh}h ${mm}m ${s}s`;
}

// A two-column table of an object's scalar values (nested ones as JSON).
export function kvTable(obj, labels = {}) {
  const rows = Object.entries(obj || {}).map(([k, v]) => h('tr', {},
    h('th', { scope: 'row' }, labels[k] || humanize(k)),
    h('td', {}, v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))));
  return h('table.kv', {}, h('tbody', {}, rows));
}

// A table of objects: columns are the keys (first seen order), times formatted.
export function rowsTable(rows, labels = {}) {
  const cols = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const cell = (k, v) => {
    if (v === null || v === undefined) return '';
    if (/^(time|ts|when|started|finished|last)$/.test(k) && typeof v === 'number') return fmtTime(v);
    if (k === 'status' || k === 'state' || k === 'to' || k === 'from') return h(`span.badge.${String(v).replace(/\W/g, '')}`, {}, String(v));
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  return h('div.tablewrap', {}, h('table.grid', {},
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, labels[c] || humanize(c))))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, cols.map((c) => h('td', { 'data-label': labels[c] || humanize(c) }, cell(c, r[c])))))
      : h('tr', {}, h('td.empty', {}, 'Nothing yet.')))));
}

// The array inside an answer: itself, or its rows/items/entries/services/events.
export function rowsOf(ans) {
  if (Array.isArray(ans)) return ans;
  for (const k of ['rows', 'items', 'entries', 'services', 'events', 'timeline', 'vips']) if (ans && Array.isArray(ans[k])) return ans[k];
  return null;
}

// {a:{b:1}} -> {"a.b":1}: a nested answer as one key/value table.
export function flatten(obj, pre = '', out = {}) {
  for (const [k, v] of Object.entries(obj || {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, pre + k + '.', out);
    else out[pre + k] = Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(', ') : v;
  }
  return out;
}
