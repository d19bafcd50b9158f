// NAT port forwards (firewall/d_nat).
import { crudPage } from '../crud.js';

export const title = 'Firewall: NAT: Port forward';
export const subsys = ['nat', 'filter'];

const labels = { ipprotocol: 'TCP/IP version', source_net: 'Source', destination_net: 'Destination', destination_port: 'Destination port', target: 'Redirect target IP', local_port: 'Redirect target port', filter_rule: 'Filter rule association', nosync: 'Do not sync', descr: 'Description' };

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'dnat_rules', noun: 'port forward', labels, nameField: 'descr', copy: true,
    verbs: { search: 'search_rule', get: 'get_rule', add: 'add_rule', set: 'set_rule', del: 'del_rule', toggle: 'toggle_rule' },
    exclude: ['sequence'],
    order: ['disabled', 'interface', 'ipprotocol', 'protocol', 'source_net', 'source_not', 'source_port', 'destination_net', 'destination_not', 'destination_port', 'target', 'local_port', 'log', 'filter_rule', 'nosync', 'descr'],
    columns: ['interface', 'protocol', { field: 'destination_net', label: 'Destination', render: (r) => `${r.destination_not === '1' ? '! ' : ''}${r.destination_net}` },
      { field: 'destination_port', label: 'Port' }, { field: 'target', label: 'NAT IP' }, { field: 'local_port', label: 'NAT port' }, 'descr'],
    rowClass: (r) => (r.disabled === '1' ? 'off' : ''),
    defaultSort: { sequence: 'asc' },
  }).el);
}
