// Static routes (routes/routes): persistent, unlike routes set in a shell.
import { crudPage } from '../crud.js';

export const title = 'System: Static routes';
export const subsys = ['routing'];

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'routes', noun: 'route', labels: { network: 'Network address', descr: 'Description' },
    verbs: { search: 'searchroute', get: 'getroute', add: 'addroute', set: 'setroute', del: 'delroute', toggle: 'toggle_item' },
    columns: ['network', 'gateway', 'descr'],
    intro: 'Static routes are kept across reboots and interface changes.',
  }).el);
}
