// Gateways (routing/settings): the upstream one makes the default route.
import { h } from '../dom.js';
import { crudPage } from '../crud.js';

export const title = 'System: Gateways';
export const subsys = ['routing'];

const labels = { defaultgw: 'Upstream gateway', monitor_disable: 'Disable monitoring', monitor: 'Monitor IP', ipprotocol: 'Address family', gateway: 'IP address', force_down: 'Mark as down', nosync: 'Do not sync', descr: 'Description' };

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'gateways', noun: 'gateway', labels, nameField: 'name',
    verbs: { search: 'search_gateway', get: 'get_gateway', add: 'add_gateway', set: 'set_gateway', del: 'del_gateway', toggle: 'toggle_gateway' },
    order: ['name', 'descr', 'interface', 'ipprotocol', 'gateway', 'defaultgw', 'monitor_disable', 'monitor', 'priority', 'weight'],
    columns: ['name', 'interface', 'ipprotocol', 'gateway', { field: 'defaultgw', label: 'Upstream', render: (r) => (r.defaultgw === '1' ? h('span.badge.ok', {}, 'default') : '') }, 'priority', 'descr'],
    intro: 'Gateways come first: a static route names one. The upstream gateway becomes the default route.',
    defaultSort: { name: 'asc' },
  }).el);
}
