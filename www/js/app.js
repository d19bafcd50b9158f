// app.js — the shell: session check (no page without login), the
// navigation, hash routing to one module per page, and the "changes must
// be applied" banners of the dirty subsystems.

import { api, setCsrf, toLogin } from './api.js';
import { h, clear, notice } from './dom.js';
import { loadSchema } from './schema.js';

const NAV = [
  ['Lobby', [['dashboard', 'Dashboard']]],
  ['Interfaces', [['interfaces', 'Assignments'], ['vips', 'Virtual IPs'], ['vipstatus', 'Virtual IPs: Status']]],
  ['Firewall', [['aliases', 'Aliases'], ['rules', 'Rules'], ['outbound', 'NAT: Outbound'], ['portforward', 'NAT: Port forward'], ['log', 'Log files']]],
  ['System', [['system', 'Settings'], ['gateways', 'Gateways'], ['gateway_groups', 'Gateways: Group'], ['routes', 'Static routes'], ['hasync', 'High availability: Settings'],
    ['hastatus', 'High availability: Status'], ['users', 'Users and API keys'], ['cron', 'Cron'], ['backups', 'Configuration history']]],
  ['Diagnostics', [['states', 'State table']]],
];

// Dirty subsystem -> what it is called and the route that applies it.
export const SUBSYS = {
  filter: ['Firewall rules', 'firewall/filter/apply'],
  aliases: ['Aliases', 'firewall/alias/reconfigure'],
  nat: ['NAT', 'firewall/source_nat/apply'],
  vip: ['Virtual IPs', 'interfaces/vip_settings/reconfigure'],
  interfaces: ['Interfaces', 'interfaces/settings/reconfigure'],
  routing: ['Gateways and routes', 'routing/settings/reconfigure'],
  hasync: ['High availability', 'core/hasync/reconfigure'],
  system: ['System settings', 'core/system/reconfigure'],
  cron: ['Cron', 'core/cron/reconfigure'],
  users: ['Users', 'core/user/reconfigure'],
};

const $ = (id) => document.getElementById(id);
const ctx = { session: null, status: null, page: null, writable: false };

function buildNav() {
  const nav = $('nav');
  clear(nav);
  for (const [group, items] of NAV) {
    nav.append(h('div.group', {}, h('h2', {}, group), h('ul', {}, items.map(([id, label]) =>
      h('li', {}, h('a', { href: `#/${id}`, dataset: { page: id } }, label))))));
  }
}

// One banner per dirty subsystem the page concerns (all on the dashboard);
// more than two become one banner with an Apply button each and Apply all.
function banners() {
  const box = $('banners');
  clear(box);
  const dirty = (ctx.status && ctx.status.dirty) || [];
  const mine = ctx.page && ctx.page.subsys ? dirty.filter((s) => ctx.page.subsys === '*' || ctx.page.subsys.includes(s)) : [];
  const text = (label) => `The ${label} configuration has been changed. You must apply the changes in order for them to take effect.`;
  const button = (s, label = 'Apply changes') => {
    const path = (SUBSYS[s] || [])[1];
    if (!path || !ctx.writable) return null;
    const b = h('button.primary', { type: 'button', onclick: () => apply([s], b) }, label);
    return b;
  };
  if (mine.length <= 2) {
    for (const s of mine) box.append(h('div.banner', { role: 'status', dataset: { subsys: s } }, h('span', {}, text((SUBSYS[s] || [s])[0])), button(s)));
    return;
  }
  const all = ctx.writable ? h('button.primary', { type: 'button', onclick: () => apply(mine.filter((s) => SUBSYS[s]), all) }, 'Apply all') : null;
  box.append(h('div.banner.multi', { role: 'status' },
    h('div', {}, h('strong', {}, 'Changes not applied yet. '), 'The running system differs from the saved configuration of these sections:',
      h('ul.pending', {}, mine.map((s) => h('li', { dataset: { subsys: s } }, h('span', {}, (SUBSYS[s] || [s])[0]), button(s, 'Apply'))))),
    all));
}

// Where the GUI will be once "system" is applied: a new URL, or null when
// it stays here (an empty protocol or port means "as the daemon was started").
async function guiMove() {
  const sys = (await api.get('core/system/get')).system || {};
  if (!sys.webgui_port && !sys.webgui_protocol) return null;
  const proto = sys.webgui_protocol || location.protocol.replace(':', '');
  const here = location.port || (location.protocol === 'https:' ? '443' : '80');
  const port = sys.webgui_port || here;
  if (`${proto}:` === location.protocol && port === here) return null;
  const dflt = (proto === 'https' && port === '443') || (proto === 'http' && port === '80');
  return `${proto}://${location.hostname}${dflt ? '' : `:${port}`}${location.pathname}${location.hash}`;
}

async function apply(list, btn) {
  btn.disabled = true;
  const move = list.includes('system') ? await guiMove().catch(() => null) : null;
  for (const s of list) {
    try {
      await api.post(SUBSYS[s][1]);
    } catch (e) {
      await ctx.refresh();
      $('banners').prepend(notice('error', `Applying ${SUBSYS[s][0]} failed: ${e.message}`));
      return;
    }
  }
  if (move) {
    // The listener moved (the answer came on the old one): follow it.
    $('banners').prepend(notice('info', `The web GUI moved to ${move}; opening it.`));
    setTimeout(() => { location.href = move; }, 1500);
    return;
  }
  await ctx.refresh();
}

ctx.refresh = async () => {
  ctx.status = await api.get('core/system/status');
  $('node').textContent = ctx.status.hostname;
  banners();
  return ctx.status;
};

async function route() {
  const id = (location.hash.replace(/^#\/?/, '').split('/')[0]) || 'dashboard';
  const known = NAV.some(([, items]) => items.some(([p]) => p === id));
  const page = known ? id : 'dashboard';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.classList.remove('menu-open');
  $('menu-toggle').setAttribute('aria-expanded', 'false');
  const root = clear($('page'));
  let mod;
  try {
    mod = await import(`./pages/${page}.js`);
  } catch (e) {
    root.append(notice('error', `This page could not be loaded: ${e.message}`));
    return;
  }
  ctx.page = mod;
  delete document.body.dataset.page;
  $('title').textContent = mod.title;
  document.title = `${mod.title} · twinwall`;
  ctx.root = root;
  banners();
  try {
    await mod.render(ctx, root);
  } catch (e) {
    if (e.status !== 401) root.append(notice('error', `Error: ${e.message}`));
  }
  $('main').focus({ preventScroll: true });
  document.body.dataset.page = page;
}

async function start() {
  try {
    ctx.session = await api.get('core/session');
  } catch {
    toLogin();
    return;
  }
  setCsrf(ctx.session.csrf_token);
  ctx.writable = ctx.session.scope === 'admin';
  await loadSchema();
  $('who').textContent = ctx.session.username;
  buildNav();
  $('logout').addEventListener('click', async () => {
    try { await api.post('core/logout'); } finally { location.replace('/login.html'); }
  });
  $('menu-toggle').addEventListener('click', () => {
    const open = document.body.classList.toggle('menu-open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  document.body.classList.remove('loading');
  window.addEventListener('hashchange', route);
  await ctx.refresh();
  await route();
  document.body.dataset.ready = '1';
}

start();
