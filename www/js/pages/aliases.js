// Firewall aliases: named hosts, networks and ports used by rules.
import { crudPage } from '../crud.js';

export const title = 'Firewall: Aliases';
export const subsys = ['aliases'];

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'aliases', noun: 'alias', nameField: 'name', labels: { descr: 'Description' },
    order: ['enabled', 'name', 'type', 'content', 'descr'],
    columns: ['name', 'type', { field: 'content', render: (r) => r.content.split(',').join(', ') }, 'descr'],
    defaultSort: { name: 'asc' },
  }).el);
}
