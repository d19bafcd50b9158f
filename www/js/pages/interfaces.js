// Interfaces: assignments (device per interface) and addresses.
import { crudPage } from '../crud.js';

export const title = 'Interfaces: Assignments';
export const subsys = ['interfaces'];

const labels = {
  name: 'Interface', device: 'Device', descr: 'Description', ipaddr: 'IPv4 address', subnet: 'IPv4 prefix',
  ipaddrv6: 'IPv6 address', subnetv6: 'IPv6 prefix', gateway: 'Upstream gateway', blockpriv: 'Block private networks',
  blockbogons: 'Block bogon networks', mtu: 'MTU', mss: 'MSS', locked: 'Locked',
};

export function render(ctx, root) {
  const page = crudPage(ctx, {
    sec: 'interfaces', noun: 'interface', labels, nameField: 'name',
    order: ['name', 'descr', 'device', 'enabled', 'locked', 'ipaddr', 'subnet', 'gateway', 'ipaddrv6', 'subnetv6'],
    columns: ['name', 'descr', 'device', { field: 'ipaddr', label: 'IPv4', render: (r) => (r.subnet ? `${r.ipaddr}/${r.subnet}` : r.ipaddr) },
      { field: 'ipaddrv6', label: 'IPv6', render: (r) => (r.subnetv6 ? `${r.ipaddrv6}/${r.subnetv6}` : r.ipaddrv6) },
      { field: 'locked', label: 'Locked', render: (r) => (r.locked === '1' ? '🔒' : '') }],
    intro: 'Assign a network device to each interface and set its addresses. Both HA nodes must use the same interface names for the same networks.',
    defaultSort: { name: 'asc' },
  });
  root.append(page.el);
}
