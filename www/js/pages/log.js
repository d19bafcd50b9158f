// Firewall: Log files — packets matched by rules with logging on
// (diagnostics/firewall/log), newest first, refreshed while the page is
// open. A build without the route says so and shows nothing made up.
import { h, clear, notice, uid } from '../dom.js';
import { hasRoute } from '../schema.js';
import { createList } from '../list.js';

export const title = 'Firewall: Log files';
export const subsys = [];

const REFRESH_MS = 3000;

const hp = (a, p) => (!p ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
const when = (t) => { const d = new Date(t); return Number.isNaN(d.getTime()) ? t : d.toLocaleString(); };
// The page that lists the rule an entry names.
const ruleHref = (r) => (r.action === 'nat' ? '#/outbound' : r.action === 'rdr' ? '#/portforward'
  : `#/rules?if=${encodeURIComponent(r.interface)}`);

const COLS = [
  { field: 'time', label: 'Time', render: (r) => h('time', { datetime: r.time, title: r.time }, when(r.time)) },
  { field: 'interface', label: 'Interface' },
  { field: 'dir', label: 'Dir' },
  { field: 'action', label: 'Action', render: (r) => h(`span.badge.${(r.action || 'unknown').replace(/\W/g, '')}`, {}, r.action || '?') },
  { field: 'proto', label: 'Protocol', render: (r) => (r.icmp_type ? `${r.proto} (type ${r.icmp_type})` : r.proto) },
  { field: 'src', label: 'Source', render: (r) => hp(r.src, r.src_port) },
  { field: 'dst', label: 'Destination', render: (r) => hp(r.dst, r.dst_port) },
  { field: 'label', label: 'Rule', render: (r) => (r.rule ? h('a', { href: ruleHref(r), title: `rule ${r.rule}` }, r.label || r.rule) : '') },
].map((c) => ({ ...c, sort: false }));

export function render(ctx, root) {
  if (!hasRoute('diagnostics/firewall/log')) {
    root.append(notice('warn', 'The firewall log is not available yet: this build has no log API. Rules with "Log" switched on will show here once it exists.'));
    return;
  }
  const note = h('div');
  const autoId = uid('auto');
  const auto = h('input', { type: 'checkbox', id: autoId, checked: true });
  const refresh = h('button', { type: 'button', onclick: () => list.reload() }, 'Refresh');
  const list = createList({ path: 'diagnostics/firewall/log', rowCount: 50, columns: COLS,
    toolbar: h('span.logbar', {}, refresh, auto, h('label', { for: autoId }, `Refresh every ${REFRESH_MS / 1000} s`)),
    onLoad: (res) => clear(note).append(res.note ? notice('info', res.note) : '') });
  root.append(h('p.intro', {}, 'Packets matched by rules with logging on, newest first.'), note, list.el);
  list.reload();

  // The shell swaps pages without telling them: the timer ends itself
  // once the list has left the document, or at the next navigation.
  let loading = false;
  const timer = setInterval(async () => {
    if (!list.el.isConnected) { stop(); return; }
    if (loading || !auto.checked || document.hidden) return;
    loading = true;
    try { await list.reload(); } finally { loading = false; }
  }, REFRESH_MS);
  function stop() {
    clearInterval(timer);
    window.removeEventListener('hashchange', stop);
  }
  window.addEventListener('hashchange', stop);
}
