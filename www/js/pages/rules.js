// Firewall rules: per-interface tabs, evaluated in order; move a rule
// before another, toggle it, switch its logging. As in OPNsense, a tab
// lists every rule that applies to its interface (multi-interface and
// no-interface rules too), Floating the rules on none or several.
import { api } from '../api.js';
import { h, clear, notice } from '../dom.js';
import { crudPage, toggleButton } from '../crud.js';
import { refChoices } from '../form.js';

export const title = 'Firewall: Rules';
export const subsys = ['filter', 'aliases', 'nat'];

const labels = { ipprotocol: 'TCP/IP version', icmptype: 'ICMP type', source_net: 'Source', source_not: 'Invert source', source_port: 'Source port', destination_net: 'Destination', destination_not: 'Invert destination', destination_port: 'Destination port', log: 'Log', statetype: 'State type', nosync: 'Do not sync', nopfsync: 'Do not sync states', quick: 'Quick' };
const order = ['enabled', 'action', 'quick', 'interface', 'direction', 'ipprotocol', 'protocol', 'icmptype', 'source_net', 'source_not', 'source_port', 'destination_net', 'destination_not', 'destination_port', 'log', 'description', 'gateway', 'statetype', 'nosync', 'nopfsync', 'categories', 'sequence'];
const base = 'firewall/filter';

// A rule's gateway is a gateway or a gateway group (the field refers to
// gateways, and the model lets a group's name stand there too); groups
// live beside gateways under routing/settings with their own verbs.
async function gatewayChoices() {
  const [gws, groups] = await Promise.all([
    refChoices('gateways'),
    api.get('routing/settings/search_gateway_group', { rowCount: -1, sort: { name: 'asc' } }),
  ]);
  return [...gws, ...groups.rows.map((g) => [g.name, `${g.name} (gateway group${g.descr ? `: ${g.descr}` : ''})`])];
}

const ep = (net, not, port) => `${not === '1' ? '! ' : ''}${net}${port ? ` : ${port}` : ''}`;

export async function render(ctx, root) {
  const ifs = (await api.get('interfaces/settings/search_item', { rowCount: -1, sort: { name: 'asc' } })).rows;
  const want = new URLSearchParams(location.hash.split('?')[1] || '').get('if');
  // tab: an interface name, '' Floating (the API's empty interface), null All.
  let tab = ifs.some((i) => i.name === want) ? want : want === 'FloatingRules' ? '' : (ifs.find((i) => i.name === 'lan') || ifs[0] || {}).name ?? null;
  let moving = null;
  let page = null;

  const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Interface' });
  function drawTabs() {
    clear(tabs);
    for (const [name, label] of [['', 'Floating'], ...ifs.map((i) => [i.name, i.descr || i.name]), [null, 'All']]) {
      tabs.append(h('button', { type: 'button', role: 'tab', 'aria-selected': String(name === tab), onclick: () => { tab = name; moving = null; drawTabs(); page.list.reload(); } }, label));
    }
  }

  async function move(before) {
    const u = moving;
    moving = null;
    try {
      await api.post(api.path(`${base}/move_rule_before`, u.uuid, before.uuid));
      await page.saved('The rule was moved.');
    } catch (e) {
      clear(page.msg).append(notice('error', `The rule was not moved: ${e.message}`));
      page.list.reload();
    }
  }
  async function toggleLog(r) {
    await api.post(api.path(`${base}/toggle_rule_log`, r.uuid));
    await page.saved(`Logging was ${r.log === '1' ? 'switched off' : 'switched on'}.`);
  }

  page = crudPage(ctx, {
    sec: 'filter_rules', noun: 'rule', labels, order, copy: true, nameField: 'description',
    choices: { gateway: gatewayChoices },
    verbs: { search: 'search_rule', get: 'get_rule', add: 'add_rule', set: 'set_rule', del: 'del_rule', toggle: 'toggle_rule' },
    params: () => (tab === null ? {} : { interface: tab }),
    defaults: () => (tab ? { interface: tab } : {}),
    defaultSort: { sequence: 'asc' },
    rowClass: (r) => (moving && moving.uuid === r.uuid ? 'moving' : r.enabled === '1' ? '' : 'off'),
    columns: [
      { field: 'sequence', label: '#' },
      { field: 'action', render: (r) => h(`span.badge.${r.action}`, {}, r.action + (r.quick === '1' ? '' : ' (no quick)')) },
      { field: 'interface', render: (r) => r.interface || 'floating' },
      { field: 'protocol', label: 'Protocol', render: (r) => `${r.ipprotocol === 'inet' ? 'IPv4' : r.ipprotocol === 'inet6' ? 'IPv6' : 'IPv4+6'} ${r.protocol}` },
      { field: 'source_net', label: 'Source', render: (r) => ep(r.source_net, r.source_not, r.source_port) },
      { field: 'destination_net', label: 'Destination', render: (r) => ep(r.destination_net, r.destination_not, r.destination_port) },
      { field: 'log', label: 'Log', render: (r) => toggleButton(r.log === '1', 'Logging', () => toggleLog(r)) },
      { field: 'description', label: 'Description' },
    ],
    rowActions: (r) => {
      if (!ctx.writable) return null;
      if (moving && moving.uuid === r.uuid) return h('button', { type: 'button', onclick: () => { moving = null; page.list.reload(); } }, 'Cancel move');
      if (moving) return h('button.primary', { type: 'button', onclick: () => move(r), 'aria-label': 'Move the selected rule before this rule' }, 'Move here');
      return h('button.icon', { type: 'button', title: 'Move this rule before another', 'aria-label': 'Move rule', onclick: () => { moving = r; clear(page.msg).append(notice('info', 'Choose "Move here" on the rule that should come after it.')); page.list.reload(); } }, '⇅');
    },
    intro: 'Rules are evaluated from the top; a quick rule that matches ends evaluation. New interfaces block all inbound traffic until a rule passes it.',
  });
  drawTabs();
  root.append(tabs, page.el);
}
