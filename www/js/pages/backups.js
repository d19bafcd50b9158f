// Configuration history: every save is a revision. Diff one against the
// current configuration, restore it (then apply), or download it
// (secrets left out).
import { api } from '../api.js';
import { h, clear, notice, fmtTime } from '../dom.js';
import { openDialog } from '../crud.js';

export const title = 'System: Configuration history';
export const subsys = '*';

const PAGE = 20;
const label = (r) => r.description || r.descr || r.name || r.subnet || r.uuid || 'settings';

function asRows(v) { return Array.isArray(v) ? v : v ? [v] : []; }

// Section by section: what an operator would have to change to go from
// the old snapshot to the new one.
export function snapDiff(oldSnap, newSnap) {
  const out = [];
  const a = oldSnap.sections || {}; const b = newSnap.sections || {};
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const lines = [];
    const ra = asRows(a[name]); const rb = asRows(b[name]);
    const key = (r, i) => r.uuid || `#${i}`;
    const ma = new Map(ra.map((r, i) => [key(r, i), r])); const mb = new Map(rb.map((r, i) => [key(r, i), r]));
    for (const [k, r] of ma) if (!mb.has(k)) lines.push(['del', `- ${label(r)}`]);
    for (const [k, r] of mb) {
      const o = ma.get(k);
      if (!o) { lines.push(['add', `+ ${label(r)}`]); continue; }
      for (const f of new Set([...Object.keys(o), ...Object.keys(r)])) {
        if (JSON.stringify(o[f]) !== JSON.stringify(r[f])) lines.push(['chg', `~ ${label(r)}: ${f}: ${o[f] ?? ''} → ${r[f] ?? ''}`]);
      }
    }
    if (lines.length) out.push(['hdr', `[${name}]`], ...lines);
  }
  return out;
}

export async function render(ctx, root) {
  const msg = h('div', { 'aria-live': 'polite', id: 'backup-msg' });
  const body = h('div.list');
  let page = 1;
  root.append(h('p.intro', {}, 'Every saved change is kept as a revision. Restoring writes the old configuration back as a new revision; apply it afterwards. Downloads leave secrets out.'), msg, body);

  async function showDiff(rev, current) {
    const [old, cur] = await Promise.all([api.get(`core/backup/download/${rev.id}`), api.get(`core/backup/download/${current.id}`)]);
    const lines = snapDiff(old, cur);
    openDialog(`Revision ${rev.id} → current (revision ${current.id})`, (close) => h('div', {},
      h('p.intro', {}, 'What changed from this revision to the current configuration (+ added, - removed, ~ changed).'),
      lines.length ? h('pre.diff', { id: 'diff' }, lines.map(([k, t]) => [h(`span.${k === 'chg' ? 'x' : k}`, {}, t), '\n']))
        : h('p', { id: 'diff' }, 'No differences: this revision matches the current configuration.'),
      h('div.actions', {}, h('button', { type: 'button', onclick: close }, 'Close'))));
  }
  async function restore(rev) {
    if (!confirm(`Restore revision ${rev.id} (${rev.description})? The running configuration changes only when you apply.`)) return;
    try {
      await api.post(`core/backup/restore/${rev.id}`);
      clear(msg).append(notice('ok', `Revision ${rev.id} was restored. Apply the changed sections to make it take effect.`));
    } catch (e) {
      clear(msg).append(notice('error', `Revision ${rev.id} was not restored: ${e.message}`));
    }
    await ctx.refresh();
    await load();
  }
  async function load() {
    const ans = await api.get('core/backup/list');
    const revs = ans.revisions || [];
    const pages = Math.max(1, Math.ceil(revs.length / PAGE));
    page = Math.min(page, pages);
    const shown = revs.slice((page - 1) * PAGE, page * PAGE);
    const current = revs[0];
    const row = (r) => h('tr', { dataset: { rev: r.id } },
      h('td', { 'data-label': 'Revision' }, String(r.id), r === current ? ' (current)' : ''),
      h('td', { 'data-label': 'Time' }, fmtTime(r.time)), h('td', { 'data-label': 'User' }, r.user),
      h('td', { 'data-label': 'Description' }, r.description),
      h('td.act', {}, r !== current ? h('button', { type: 'button', onclick: () => showDiff(r, current) }, 'Diff') : null,
        r !== current && ctx.writable ? h('button', { type: 'button', onclick: () => restore(r) }, 'Restore') : null,
        h('a.button', { href: `/api/core/backup/download/${r.id}`, download: `twinwall-config-r${r.id}.json` }, 'Download')));
    const head = h('thead', {}, h('tr', {}, ['Revision', 'Time', 'User', 'Description', ''].map((t) => h('th', { scope: 'col' }, t))));
    clear(body).append(h('div.tablewrap', {}, h('table.grid', {}, head, h('tbody', {}, shown.map(row)))),
      h('div.pager', {}, h('button', { type: 'button', disabled: page <= 1, onclick: () => { page -= 1; load(); } }, '‹ Prev'),
        h('span', {}, `Page ${page} of ${pages} · ${revs.length} revisions`),
        h('button', { type: 'button', disabled: page >= pages, onclick: () => { page += 1; load(); } }, 'Next ›')));
  }
  await load();
}
