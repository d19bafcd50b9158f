// Virtual IPs: CARP (per interface, shared VHID and password), IP alias, proxy ARP.
import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { crudPage } from '../crud.js';

export const title = 'Interfaces: Virtual IPs';
export const subsys = ['vip'];

const labels = { subnet: 'Address', subnet_bits: 'Prefix length', vhid: 'VHID group', advbase: 'Advertising base (s)', advskew: 'Advertising skew', peer: 'Unicast peer (IPv4)', peer6: 'Unicast peer (IPv6)', nobind: 'Do not bind', nosync: 'Do not sync', descr: 'Description' };

// The "select an unassigned VHID" button beside the VHID field.
function vhidHelper(form) {
  const row = form.el.querySelector('[data-field=vhid]');
  if (!row) return;
  const input = row.querySelector('input');
  const out = h('span.help', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', onclick: async () => {
    const r = await api.get('interfaces/vip_settings/get_unused_vhid');
    if (r.vhid > 0) { input.value = String(r.vhid); out.textContent = `VHID ${r.vhid} is not used by any VIP.`; } else out.textContent = r.message || 'No VHID is free.';
  } }, 'Select an unassigned VHID');
  input.after(h('div.inline', {}, btn, out));
}

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'vips', noun: 'virtual IP', labels, nameField: 'subnet', toggleField: null,
    order: ['mode', 'interface', 'subnet', 'subnet_bits', 'vhid', 'password', 'advbase', 'advskew', 'peer', 'peer6', 'nobind', 'nosync', 'descr'],
    columns: [{ field: 'subnet', label: 'Address', render: (r) => `${r.subnet}/${r.subnet_bits}` }, 'interface', 'mode',
      { field: 'vhid', label: 'VHID' }, { field: 'advbase', label: 'Base / skew', render: (r) => (r.mode === 'carp' ? `${r.advbase} / ${r.advskew}` : '') }, 'descr'],
    intro: 'Create CARP VIPs on the master only, with the same prefix length as the interface; the synchronized copy on the backup gets advskew + 100.',
    formExtras: vhidHelper,
  }).el);
  root.append(notice('info', 'VIP states, temporary disable and maintenance mode are on ', h('a', { href: '#/vipstatus' }, 'Virtual IPs: Status'), '.'));
}
