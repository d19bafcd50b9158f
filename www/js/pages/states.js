// Diagnostics: the state table (diagnostics/firewall/query_states), with
// kill (by address or network) and reset.
import { api } from '../api.js';
import { h, clear, notice, uid } from '../dom.js';
import { hasRoute } from '../schema.js';
import { createList } from '../list.js';

export const title = 'Diagnostics: State table';
export const subsys = [];

const hp = (a, p) => (p === '' || p === undefined ? a : `${a}:${p}`);
const COLS = [
  { field: 'proto', label: 'Protocol', render: (r) => `${r.ipprotocol === 'inet6' ? 'IPv6' : 'IPv4'} ${r.proto}` },
  { field: 'src', label: 'Source', render: (r) => hp(r.src, r.src_port) },
  { field: 'nat_addr', label: 'NAT', render: (r) => (r.nat_addr ? hp(r.nat_addr, r.nat_port) : '') },
  { field: 'dst', label: 'Destination', render: (r) => hp(r.dst, r.dst_port) },
  { field: 'state', label: 'State' }, { field: 'age', label: 'Age (s)' }, { field: 'expires', label: 'Expires (s)' },
  { field: 'pkts', label: 'Packets' }, { field: 'bytes', label: 'Bytes' },
].map((c) => ({ ...c, sort: false, render: c.render || ((r) => (r[c.field] === undefined ? '' : String(r[c.field]))) }));

export function render(ctx, root) {
  if (!hasRoute('diagnostics/firewall/query_states')) {
    root.append(notice('warn', 'The state table is not available in this build yet.'));
    return;
  }
  const note = h('div');
  const msg = h('div', { 'aria-live': 'polite' });
  const list = createList({ path: 'diagnostics/firewall/query_states', rowCount: 50, columns: COLS,
    onLoad: (res) => clear(note).append(res.note ? notice('info', res.note) : '') });
  const fid = uid('kill');
  const filter = h('input', { type: 'text', id: fid, placeholder: '10.0.0.5 or 10.0.0.0/24' });
  async function act(what, path, body) {
    try {
      const r = await api.post(path, body);
      clear(msg).append(notice('ok', `${what}: ${r.dropped_states ?? 0} states dropped.`));
    } catch (e) {
      clear(msg).append(notice('error', `${what} failed: ${e.validations ? Object.values(e.validations).join('; ') : e.message}`));
    }
    list.reload();
  }
  root.append(h('p.intro', {}, 'Connection states on this node; with state sync on, the backup holds the same states.'), note, msg);
  if (ctx.writable) {
    root.append(h('div.card.inline', {}, h('label', { for: fid }, 'Kill states of'), filter,
      h('button', { type: 'button', onclick: () => act('Kill states', 'diagnostics/firewall/kill_states', { filter: filter.value.trim() }) }, 'Kill'),
      h('button.danger', { type: 'button', onclick: () => confirm('Drop every state? Open connections will break.') && act('Reset', 'diagnostics/firewall/flush_states') }, 'Reset state table')));
  }
  root.append(list.el);
  list.reload();
}
