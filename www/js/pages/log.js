// Firewall: Log files. There is no log API yet: say so, show nothing made up.
import { h, notice } from '../dom.js';
import { hasRoute } from '../schema.js';
import { createList } from '../list.js';

export const title = 'Firewall: Log files';
export const subsys = [];

export function render(ctx, root) {
  if (!hasRoute('diagnostics/firewall/log')) {
    root.append(notice('warn', 'The firewall log is not available yet: this build has no log API. Rules with "Log" switched on will show here once it exists.'));
    return;
  }
  const list = createList({ path: 'diagnostics/firewall/log', rowCount: 50,
    columns: ['time', 'interface', 'action', 'proto', 'src', 'dst', 'rule'].map((field) => ({ field, sort: false })) });
  root.append(h('p.intro', {}, 'Packets matched by rules with logging on, newest first.'), list.el);
  list.reload();
}
