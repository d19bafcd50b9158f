// Gateway groups (routing/settings): members in tiers 1-5; the trigger
// says what takes a member out of its tier. The dashboard shows the tier
// in use.
import { crudPage } from '../crud.js';

export const title = 'System: Gateways: Group';
export const subsys = ['routing'];

const labels = { tier1: 'Tier 1', tier2: 'Tier 2', tier3: 'Tier 3', tier4: 'Tier 4', tier5: 'Tier 5', trigger: 'Trigger level', descr: 'Description' };

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'gateway_groups', noun: 'gateway group', labels, nameField: 'name',
    verbs: { search: 'search_gateway_group', get: 'get_gateway_group', add: 'add_gateway_group', set: 'set_gateway_group', del: 'del_gateway_group' },
    toggleField: null,
    order: ['name', 'tier1', 'tier2', 'tier3', 'tier4', 'tier5', 'trigger', 'descr'],
    columns: ['name', 'tier1', 'tier2', 'trigger', 'descr'],
    intro: 'A group uses the gateways of its lowest tier that the trigger leaves in; the next tier takes over when none is left.',
    defaultSort: { name: 'asc' },
  }).el);
}
