// Outbound NAT: the mode, and the manual rules (translate to the WAN VIP
// so sessions survive a failover).
import { crudPage } from '../crud.js';
import { singletonForm } from '../single.js';

export const title = 'Firewall: NAT: Outbound';
export const subsys = ['nat', 'filter'];

const labels = { mode: 'Mode', nonat: 'Do not NAT', ipprotocol: 'TCP/IP version', source_net: 'Source', source_not: 'Invert source', source_port: 'Source port', destination_net: 'Destination', destination_not: 'Invert destination', destination_port: 'Destination port', target: 'Translation / target', target_port: 'Target port', staticnatport: 'Static port', nosync: 'Do not sync' };

export async function render(ctx, root) {
  root.append(await singletonForm(ctx, { sec: 'snat', title: 'Mode', labels }));
  root.append(crudPage(ctx, {
    sec: 'snat_rules', noun: 'outbound rule', labels, copy: true,
    verbs: { search: 'search_rule', get: 'get_rule', add: 'add_rule', set: 'set_rule', del: 'del_rule', toggle: 'toggle_rule' },
    exclude: ['sequence'],
    order: ['enabled', 'nonat', 'interface', 'ipprotocol', 'protocol', 'source_net', 'source_not', 'source_port', 'destination_net', 'destination_not', 'destination_port', 'target', 'target_port', 'staticnatport', 'log', 'nosync', 'description'],
    columns: ['interface', { field: 'source_net', label: 'Source' }, { field: 'destination_net', label: 'Destination' }, { field: 'target', label: 'NAT address', render: (r) => (r.nonat === '1' ? 'NO NAT' : r.target || 'interface address') }, 'description'],
    defaultSort: { sequence: 'asc' },
    intro: 'Manual rules are used in the advanced (manual) and hybrid modes. On an HA pair, translate to the CARP VIP of the WAN, never to the interface address.',
  }).el);
}
