// test_gui.mjs — the browser GUI end to end: headless Debian Chromium
// (playwright-core) against real twinwall daemons (--platform dry) on
// loopback. One line per test, "N passed, N failed" at the end.
//
//   node tests/browser/test_gui.mjs          (TW_ONLY=substring, TW_KEEP=1)
import fs from 'node:fs';
import path from 'node:path';
import { Daemon, launch, run, assert, within, SHOTS } from './lib.mjs';

const A = new Daemon('a');            // the node most tests use
const M = new Daemon('master');       // HA pair for the sync test
const S = new Daemon('backup');
let chrome; let ctx; let page;
const bodies = [];                    // every /api/ response the browser received
const secrets = { carp: 'carp-Secret-7781', user: 'op-Secret-Pass-4410', api: null };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

function watch(p) {
  p.on('response', (r) => {
    if (!r.url().includes('/api/')) return;
    // A body the browser dropped (navigation) never resolves: give up on it after 3 s.
    bodies.push(within(3000, r.body(), 'body').then((b) => ({ url: r.url(), text: b.toString('utf8') }), () => ({ url: r.url(), text: '' })));
  });
}

async function newPage(d, viewport = { width: 1280, height: 900 }) {
  const c = await chrome.browser.newContext({ viewport });
  const p = await c.newPage();
  p.setDefaultTimeout(8000);
  watch(p);
  return { c, p, d };
}

// Keyboard only: type, Tab, type, Enter.
async function login(p, d) {
  await p.goto(d.url + '/login.html');
  await p.focus('#username');
  await p.keyboard.type('root');
  await p.keyboard.press('Tab');
  await p.keyboard.type(d.password);
  await p.keyboard.press('Enter');
  await p.waitForSelector('body[data-ready="1"]');
}

// A full page load every time (a hash-only goto would not reload).
async function go(p, d, hash) {
  await p.goto('about:blank');
  await p.goto(`${d.url}/${hash}`);
  await p.waitForSelector(`body[data-ready="1"][data-page="${hash.replace(/^#\//, '')}"]`, { state: 'attached' });
  await p.waitForFunction(() => document.documentElement.dataset.pending === '0');
}

const dialog = () => page.locator('dialog.modal');
const field = (name, sel = 'input') => dialog().locator(`[data-field=${name}] ${sel}`).first();
const ruleRow = (text) => page.locator('table.grid tbody tr', { hasText: text });

async function save() {
  await dialog().locator('button[type=submit]').click();
  await dialog().waitFor({ state: 'detached' });
}

async function rules(d, iface = 'lan') {
  const r = await d.api('GET', `firewall/filter/search_rule?rowCount=-1&interface=${iface}&sort[sequence]=asc`);
  return r.json.rows;
}

const tests = [
  ['pages need a login (direct navigation goes to login)', async () => {
    const { c, p } = await newPage(A);
    for (const h of ['#/rules', '#/users', '#/hastatus']) {
      await p.goto(`${A.url}/${h}`);
      await p.waitForURL(/\/login\.html/);
    }
    assert((await p.locator('#nav a').count()) === 0, 'the navigation was shown without a session');
    const st = await p.evaluate(async () => (await fetch('/api/core/system/status')).status);
    assert(st === 401, `the API answered ${st} without a session`);
    await shot(p, 'login');
    await c.close();
  }],

  ['log in', async () => {
    await page.goto(A.url + '/login.html');
    await page.fill('#username', 'root');
    await page.fill('#password', 'wrong-password');
    await page.click('#login button[type=submit]');
    await page.locator('#login-msg', { hasText: 'Wrong username or password' }).waitFor();
    await login(page, A);
    await page.locator('#title', { hasText: 'Dashboard' }).waitFor();
    await page.locator('#role .badge').waitFor();
    await shot(page, 'dashboard');
  }],

  ['add, edit, toggle, reorder, log and delete a firewall rule', async () => {
    await go(page, A, '#/rules');
    await page.locator('button[role=tab][aria-selected=true]', { hasText: 'LAN' }).waitFor();
    await page.click('button:has-text("+ Add rule")');
    await field('protocol', 'select').selectOption('tcp');
    await field('destination_port').fill('443');
    await field('description').fill('gui-test-rule');
    assert(await dialog().locator('[data-field=interface] input[value=lan]').isChecked(), 'the LAN tab did not preset the interface');
    await save();
    await ruleRow('gui-test-rule').waitFor();
    await shot(page, 'rules');

    await ruleRow('gui-test-rule').locator('button[aria-label="Edit rule"]').click();
    assert(await field('destination_port').inputValue() === '443', 'the edit form lost the port');
    await field('description').fill('gui-rule-edited');
    await save();
    await ruleRow('gui-rule-edited').waitFor();

    await ruleRow('gui-rule-edited').locator('button.toggle').first().click();
    await page.locator('table.grid tbody tr.off', { hasText: 'gui-rule-edited' }).waitFor();
    let mine = (await rules(A)).find((r) => r.description === 'gui-rule-edited');
    assert(mine.enabled === '0', 'the toggle did not disable the rule');

    await ruleRow('gui-rule-edited').locator('button[aria-label="Log"], button[title="Logging"]').click();
    await page.waitForFunction(() => [...document.querySelectorAll('tr')].some((tr) => tr.textContent.includes('gui-rule-edited') && tr.querySelector('button[title=Logging][aria-pressed=true]')));
    mine = (await rules(A)).find((r) => r.description === 'gui-rule-edited');
    assert(mine.log === '1', 'logging was not switched on');

    const first = (await rules(A))[0];
    assert(first.uuid !== mine.uuid, 'the new rule is already first');
    await ruleRow('gui-rule-edited').locator('button[aria-label="Move rule"]').click();
    await page.locator(`tr[data-uuid="${first.uuid}"] button:has-text("Move here")`).click();
    await page.locator('table.grid tbody tr').first().filter({ hasText: 'gui-rule-edited' }).waitFor();
    const order = await rules(A);
    assert(order[0].uuid === mine.uuid && order[1].uuid === first.uuid, 'move before did not reorder the rules');
    await shot(page, 'rules-moved');

    page.once('dialog', (d) => d.accept());
    await ruleRow('gui-rule-edited').locator('button[aria-label="Delete rule"]').click();
    await ruleRow('gui-rule-edited').waitFor({ state: 'detached' });
    assert(!(await rules(A)).some((r) => r.uuid === mine.uuid), 'the rule is still stored');
  }],

  ['rule tabs: a rule under each of its interfaces, Floating, All', async () => {
    const made = [];
    const add = async (what, body) => {
      const r = await A.api('POST', what, body);
      assert(r.status === 200, `${what}: ${r.text}`);
      made.unshift([what.replace('add_', 'del_'), r.json.uuid]);
    };
    // The rows on a tab, once its list has loaded.
    const tab = async (label) => {
      await page.locator('button[role=tab]', { hasText: new RegExp(`^${label}$`) }).click();
      await page.locator('button[role=tab][aria-selected=true]', { hasText: new RegExp(`^${label}$`) }).waitFor();
      await page.waitForFunction(() => document.documentElement.dataset.pending === '0');
      return (await page.locator('table.grid tbody tr').allInnerTexts()).join('\n');
    };
    try {
      await add('interfaces/settings/add_item', { interface: { name: 'opt1', descr: 'DMZ' } });
      await add('firewall/filter/add_rule', { rule: { interface: 'lan,opt1', description: 'tab-multi' } });
      await add('firewall/filter/add_rule', { rule: { interface: '', description: 'tab-floating' } });
      await add('firewall/filter/add_rule', { rule: { interface: 'wan', description: 'tab-wan' } });
      await go(page, A, '#/rules');
      const want = {
        LAN: ['tab-multi', 'tab-floating', 'Default allow LAN to any rule'],
        DMZ: ['tab-multi', 'tab-floating'],
        WAN: ['tab-wan', 'tab-floating'],
        Floating: ['tab-multi', 'tab-floating'],
        All: ['tab-multi', 'tab-floating', 'tab-wan', 'Default allow LAN to any rule'],
      };
      const every = want.All;
      for (const [label, rows] of Object.entries(want)) {
        const got = await tab(label);
        for (const r of every) assert(got.includes(r) === rows.includes(r), `tab ${label}: rule "${r}" ${rows.includes(r) ? 'missing' : 'listed'}`);
        if (label === 'Floating') await shot(page, 'rules-floating');
      }
    } finally {
      for (const [what, uuid] of made) await A.api('POST', `${what}/${uuid}`);
    }
  }],

  ['a bad address shows the validation message beside its field, input kept', async () => {
    await go(page, A, '#/rules');
    await page.click('button:has-text("+ Add rule")');
    await field('source_net').fill('10.0.0.300');
    await field('description').fill('keep-my-input');
    await dialog().locator('button[type=submit]').click();
    const err = dialog().locator('[data-field=source_net] .err');
    await err.filter({ hasText: '10.0.0.300' }).waitFor();
    assert(await field('source_net').getAttribute('aria-invalid') === 'true', 'the field is not marked invalid');
    assert(await field('description').inputValue() === 'keep-my-input', 'the form lost the user input');
    assert(await dialog().locator('[data-field=description] .err').innerText() === '', 'a message landed on the wrong field');
    await shot(page, 'validation');
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
  }],

  ['apply: the banner goes away', async () => {
    await go(page, A, '#/rules');
    const banner = page.locator('#banners [data-subsys=filter]');
    await banner.waitFor();
    await shot(page, 'banner');
    await banner.locator('button', { hasText: 'Apply' }).click();
    await banner.waitFor({ state: 'detached' });
    const st = await A.api('GET', 'core/system/status');
    assert(!st.json.dirty.includes('filter'), 'filter is still dirty after apply');
  }],

  ['create a CARP VIP with "select an unassigned VHID"', async () => {
    await go(page, A, '#/vips');
    await page.click('button:has-text("+ Add virtual IP")');
    await field('mode', 'select').selectOption('carp');
    await field('interface', 'select').selectOption('lan');
    await field('subnet').fill('192.168.1.250');
    await field('subnet_bits').fill('24');
    await dialog().locator('button', { hasText: 'Select an unassigned VHID' }).click();
    await page.waitForFunction(() => document.querySelector('dialog [data-field=vhid] input').value !== '');
    const vhid = await field('vhid').inputValue();
    await field('password').fill(secrets.carp);
    await field('descr').fill('LAN VIP');
    await shot(page, 'vip-form');
    await save();
    await ruleRow('192.168.1.250/24').waitFor();
    const vips = (await A.api('GET', 'interfaces/vip_settings/search_item')).json.rows;
    assert(vips.length === 1 && vips[0].vhid === vhid && vhid === '1', `VHID ${vhid} was not the unused one`);
    await shot(page, 'vips');
  }],

  ['dashboard: role, VIP states and the failover timeline', async () => {
    await go(page, A, '#/vips');
    await page.locator('#banners [data-subsys=vip] button', { hasText: 'Apply' }).click();
    await page.locator('#banners [data-subsys=vip]').waitFor({ state: 'detached' });
    const deadline = Date.now() + 15000;
    for (;;) {
      await go(page, A, '#/dashboard');
      if (await page.locator('#role .badge', { hasText: 'MASTER' }).count()) break;
      assert(Date.now() < deadline, `the node did not become master: ${await page.locator('#role').innerText()}`);
      await page.waitForTimeout(700);
    }
    await page.locator('section.card', { hasText: 'Virtual IPs' }).locator('td', { hasText: '192.168.1.250' }).waitFor();
    await page.locator('section.card', { hasText: 'Failover timeline' }).locator('td', { hasText: 'master-down' }).first().waitFor();
    // Management access: the throttle's line (core/system/throttle).
    await page.locator('#access', { hasText: 'locked out' }).waitFor();
    await shot(page, 'dashboard-master');
  }],

  ['dashboard: gateway status card', async () => {
    const add = await A.api('POST', 'routing/settings/add_gateway', { gateway: { name: 'DASHGW', interface: 'lan',
      gateway: '192.168.1.77', force_down: '1' } });
    // (a factory WAN is in DHCP mode, where a static gateway is refused)
    assert(add.status === 200 && add.json.result === 'saved', `add_gateway: ${add.status} ${add.text}`);
    assert((await A.api('POST', 'routing/settings/reconfigure')).status === 200, 'reconfigure failed');
    await go(page, A, '#/dashboard');
    const gw = page.locator('section.card', { hasText: 'Gateways' });
    await gw.locator('td', { hasText: 'DASHGW' }).first().waitFor();
    await gw.locator('td', { hasText: 'Offline (forced)' }).first().waitFor();
    await shot(page, 'dashboard-gateways');
    // a group of it: its page lists it, the card says no tier is usable
    const grp = await A.api('POST', 'routing/settings/add_gateway_group', { gateway_group: { name: 'DASHGRP', tier1: 'DASHGW' } });
    assert(grp.status === 200, `add_gateway_group: ${grp.status} ${grp.text}`);
    await go(page, A, '#/gateway_groups');
    await page.locator('td', { hasText: 'DASHGRP' }).first().waitFor();
    await shot(page, 'gateway-groups');
    assert((await A.api('POST', 'routing/settings/reconfigure')).status === 200, 'reconfigure failed');
    await go(page, A, '#/dashboard');
    await gw.locator('td', { hasText: 'every member is out' }).first().waitFor();
    assert((await A.api('POST', `routing/settings/del_gateway_group/${grp.json.uuid}`)).status === 200, 'del_gateway_group failed');
    assert((await A.api('POST', `routing/settings/del_gateway/${add.json.uuid}`)).status === 200, 'del_gateway failed');
    assert((await A.api('POST', 'routing/settings/reconfigure')).status === 200, 'reconfigure failed');
  }],

  ['switch the outbound NAT mode', async () => {
    await go(page, A, '#/outbound');
    const mode = page.locator('[data-field=mode] select');
    assert(await mode.inputValue() === 'automatic', 'the factory mode is not automatic');
    await mode.selectOption('advanced');
    await page.locator('section.card', { hasText: 'Mode' }).locator('button[type=submit]').click();
    await page.locator('.notice.ok', { hasText: 'saved' }).waitFor();
    await go(page, A, '#/outbound');
    assert(await page.locator('[data-field=mode] select').inputValue() === 'advanced', 'the mode did not stick');
    assert((await A.api('GET', 'firewall/source_nat/get')).json.snat.mode === 'advanced', 'the store has another mode');
    await page.locator('#banners [data-subsys=nat]').waitFor();
    await shot(page, 'outbound');
  }],

  ['diff and restore a revision', async () => {
    await go(page, A, '#/backups');
    const second = page.locator('table.grid tbody tr').nth(1);
    const rev = await second.getAttribute('data-rev');
    await second.locator('button', { hasText: 'Diff' }).click();
    await dialog().locator('#diff', { hasText: 'mode: automatic → advanced' }).waitFor();
    await shot(page, 'diff');
    await dialog().locator('button', { hasText: 'Close' }).click();
    page.once('dialog', (d) => d.accept());
    await second.locator('button', { hasText: 'Restore' }).click();
    await page.locator('#backup-msg .notice.ok', { hasText: `Revision ${rev} was restored` }).waitFor();
    assert((await A.api('GET', 'firewall/source_nat/get')).json.snat.mode === 'automatic', 'the restore did not bring back automatic mode');
    const dl = await page.evaluate(async (id) => { const r = await fetch(`/api/core/backup/download/${id}`); return [r.status, r.headers.get('content-disposition')]; }, rev);
    assert(dl[0] === 200 && /attachment/.test(dl[1] || ''), `download answered ${dl}`);
    await shot(page, 'backups');
  }],

  ['users and API keys: secrets write-only, shown once', async () => {
    await go(page, A, '#/users');
    await page.click('button:has-text("+ Add user")');
    await field('name').fill('operator');
    await field('password').fill(secrets.user);
    await field('scope', 'select').selectOption('user');
    await save();
    await ruleRow('operator').waitFor();
    await ruleRow('operator').locator('button[aria-label="Edit user"]').click();
    assert(await field('password').inputValue() === '', 'the password field was pre-filled');
    assert(/leave empty to keep/i.test(await dialog().locator('[data-field=password] .help').innerText()), 'no "leave empty to keep" hint');
    await page.keyboard.press('Escape');
    const card = page.locator('section.card', { hasText: 'API keys' });
    await card.locator('select').selectOption('operator');
    await card.locator('input[type=text]').fill('ci');
    await card.locator('button', { hasText: 'Create API key' }).click();
    secrets.api = await dialog().locator('#new-secret').innerText();
    const key = await dialog().locator('#new-key').innerText();
    assert(secrets.api.length >= 32, 'no secret shown');
    const withKey = () => fetch(`${A.url}/api/core/session`, { headers: { Authorization: 'Basic ' + Buffer.from(`${key}:${secrets.api}`).toString('base64') } }).then((r) => r.status);
    assert(await withKey() === 200, 'the new API key does not authenticate');
    await shot(page, 'apikey');
    await dialog().locator('button', { hasText: 'Done' }).click();
    await card.locator('tbody tr', { hasText: 'ci' }).waitFor();
    page.once('dialog', (d) => d.accept());
    await card.locator('button[aria-label="Delete API key"]').click();
    await card.locator('p', { hasText: 'operator has no API keys' }).waitFor();
    assert(await withKey() === 401, 'the deleted API key still authenticates');
  }],

  ['enter and leave persistent maintenance mode, disable and enable CARP', async () => {
    await go(page, A, '#/vipstatus');
    const enter = page.locator('button', { hasText: 'Enter persistent CARP maintenance mode' });
    if (!(await enter.count())) throw new Error('no "Enter persistent CARP maintenance mode" button (needs diagnostics/interface/carp_status)');
    await enter.click();
    await page.locator('#carp-state', { hasText: 'maintenance mode on' }).waitFor();
    await shot(page, 'maintenance');
    await page.locator('button', { hasText: 'Leave persistent CARP maintenance mode' }).click();
    await page.locator('#carp-state', { hasText: 'maintenance mode off' }).waitFor();
    await page.locator('button', { hasText: 'Temporarily disable CARP' }).click();
    await page.locator('#carp-state', { hasText: 'temporarily disabled' }).waitFor();
    await page.locator('button', { hasText: 'Enable CARP' }).click();
    await page.locator('#carp-state', { hasText: 'CARP is enabled' }).waitFor();
  }],

  ['HA settings and Synchronize on a two-daemon pair', async () => {
    const { c, p } = await newPage(M);
    try {
      await login(p, M);
      await M.api('POST', 'firewall/filter/add_rule', { rule: { interface: 'lan', description: 'synced-by-gui' } });
      await go(p, M, '#/hasync');
      await p.fill('[data-field=synchronizetoip] input', S.url);
      await p.fill('[data-field=username] input', 'root');
      await p.fill('[data-field=password] input', S.password);
      await p.check('[data-field=syncitems] input[value=rules]');
      await p.click('form.edit button[type=submit]');
      await p.locator('.notice.ok', { hasText: 'saved' }).waitFor();
      assert(await p.locator('[data-field=password] input').inputValue() === '', 'the password stayed in the form');
      await shot(p, 'hasync');
      await go(p, M, '#/hastatus');
      await p.click('button:has-text("Synchronize")');
      const res = p.locator('#sync-result .notice:not(.info)');
      await res.waitFor({ timeout: 20000 });
      const cls = await res.getAttribute('class');
      assert(cls.includes('ok'), `Synchronize: ${await res.innerText()}`);
      await p.locator('[data-panel=last] tbody tr', { hasText: 'ok' }).first().waitFor();
      await shot(p, 'hastatus');
      const peer = await S.api('GET', 'firewall/filter/search_rule?searchPhrase=synced-by-gui');
      assert(peer.json && peer.json.total === 1, 'the rule did not reach the backup');
    } finally {
      await c.close();
    }
  }],

  ['lists search, sort and page on the server', async () => {
    for (let i = 1; i <= 25; i++) {
      const r = await A.api('POST', 'firewall/alias/add_item', { alias: { name: `net_${String(i).padStart(2, '0')}`, type: 'network', content: `10.${i}.0.0/16` } });
      assert(r.status === 200, `alias ${i}: ${r.text}`);
    }
    const seen = [];
    const onReq = (r) => { if (r.url().includes('/firewall/alias/search_item')) seen.push(new URL(r.url()).searchParams); };
    page.on('request', onReq);
    try {
      await go(page, A, '#/aliases');
      await page.locator('.pageinfo', { hasText: 'Page 1 of 2 · 25 items' }).waitFor();
      assert((await page.locator('table.grid tbody tr').count()) === 20, 'the first page does not hold 20 rows');
      await page.click('button[aria-label="Next page"]');
      await page.locator('.pageinfo', { hasText: 'Page 2 of 2' }).waitFor();
      await page.locator('th[aria-sort=ascending] button.sort', { hasText: 'Name' }).click();
      await page.locator('th[aria-sort=descending]', { hasText: 'Name' }).waitFor();
      await page.locator('table.grid tbody tr').first().filter({ hasText: 'net_25' }).waitFor();
      await page.fill('input[type=search]', 'net_07');
      await page.locator('.pageinfo', { hasText: '1 item' }).waitFor();
      assert(seen.some((q) => q.get('current') === '2'), 'no request for page 2');
      assert(seen.some((q) => q.get('sort[name]') === 'desc'), 'the sort was not sent to the server');
      assert(seen.some((q) => q.get('searchPhrase') === 'net_07'), 'the search was not sent to the server');
      await shot(page, 'aliases-search');
    } finally {
      page.off('request', onReq);
    }
  }],

  ['firewall log: the table, the dry-platform note, refresh, rows, and quiet once left', async () => {
    const L = '/api/diagnostics/firewall/log';
    const seen = [];
    const onReq = (r) => { if (new URL(r.url()).pathname === L) seen.push(r.url()); };
    const more = async (n, ms) => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (seen.length > n) return true;
      return false;
    };
    page.on('request', onReq);
    try {
      await go(page, A, '#/log');
      assert(await page.locator('.notice.warn', { hasText: 'not available' }).count() === 0, 'the page says the log is not available');
      await page.locator('.notice.info', { hasText: 'the dry platform logs no packets' }).waitFor();
      const heads = (await page.locator('table.grid thead th').allInnerTexts()).map((t) => t.trim());
      for (const want of ['Time', 'Interface', 'Dir', 'Action', 'Protocol', 'Source', 'Destination', 'Rule']) {
        assert(heads.includes(want), `no ${want} column: ${heads.join(', ')}`);
      }
      await page.locator('table.grid tbody td.empty', { hasText: 'No items.' }).waitFor();
      await shot(page, 'log');
      let n = seen.length;
      assert(await more(n, 4500), 'no automatic refresh within 4.5 s');
      n = seen.length;
      await page.click('button:has-text("Refresh")');
      assert(await more(n, 2000), 'the Refresh button sent no request');

      // Rows as the linux platform answers them (the dry one has none).
      const rows = [
        { time: '2030-01-02T03:04:05.678Z', interface: 'lan', dir: 'in', action: 'block', proto: 'tcp', src: '192.168.1.10', src_port: '51000',
          dst: '10.0.0.1', dst_port: '81', rule: '0f6c3c1e-4f3a-4b8e-9d2a-1c2b3d4e5f60', label: 'Block web', icmp_type: '' },
        { time: '2030-01-02T03:04:04.000Z', interface: 'wan', dir: 'out', action: 'pass', proto: 'ipv6-icmp', src: '2001:db8::1', src_port: '',
          dst: '2001:db8::2', dst_port: '', rule: '1f6c3c1e-4f3a-4b8e-9d2a-1c2b3d4e5f61', label: '', icmp_type: '128' },
      ];
      await page.route(`**${L}*`, (route) => route.fulfill({ json: { total: 2, rowCount: 2, current: 1, rows } }));
      await page.click('button:has-text("Refresh")');
      const first = page.locator('table.grid tbody tr').first();
      await first.filter({ hasText: 'Block web' }).waitFor();
      const cell = async (tr, label) => (await tr.locator(`td[data-label="${label}"]`).innerText()).trim();
      const want = { Interface: 'lan', Dir: 'in', Action: 'block', Protocol: 'tcp', Source: '192.168.1.10:51000', Destination: '10.0.0.1:81', Rule: 'Block web' };
      for (const [k, v] of Object.entries(want)) assert(await cell(first, k) === v, `${k}: "${await cell(first, k)}", want "${v}"`);
      assert(await first.locator('td[data-label=Rule] a').getAttribute('href') === '#/rules?if=lan', 'the rule does not link to its interface\'s rules');
      assert(await first.locator('time').getAttribute('datetime') === rows[0].time, 'the time is not the entry\'s');
      const second = page.locator('table.grid tbody tr').nth(1);
      assert(await cell(second, 'Source') === '2001:db8::1', `IPv6 source: ${await cell(second, 'Source')}`);
      assert(await cell(second, 'Protocol') === 'ipv6-icmp (type 128)', `ICMP: ${await cell(second, 'Protocol')}`);
      assert(await cell(second, 'Rule') === rows[1].rule, 'a rule without a description is not named by its uuid');
      await page.unroute(`**${L}*`);

      // Another page: the timer stops.
      await page.click('#nav a[data-page=rules]');
      await page.locator('#title', { hasText: 'Rules' }).waitFor();
      n = seen.length;
      assert(!(await more(n, 4500)), `${seen.length - n} log request(s) after leaving the page`);
    } finally {
      page.off('request', onReq);
      await page.unroute(`**${L}*`).catch(() => {});
    }
  }],

  ['a POST without the CSRF token is refused (403)', async () => {
    await go(page, A, '#/dashboard');
    const got = await page.evaluate(async () => {
      const post = (h) => fetch('/api/firewall/filter/apply', { method: 'POST', headers: { 'Content-Type': 'application/json', ...h }, body: '{}' }).then((r) => r.status);
      const tok = (await (await fetch('/api/core/session')).json()).csrf_token;
      return [await post({}), await post({ 'X-CSRFToken': 'x'.repeat(64) }), await post({ 'X-CSRFToken': tok })];
    });
    assert(got[0] === 403 && got[1] === 403, `without/with a wrong token: ${got[0]}/${got[1]}`);
    assert(got[2] === 200, `with the token: ${got[2]}`);
  }],

  // One test per width: each walks every page (and takes screenshots),
  // which on a loaded two-core machine is most of a test's budget.
  ['every page renders at 1280 px', async () => { await everyPage(page, 1280); }],

  ['every page renders at 375 px, and the phone menu works', async () => {
    const { c, p } = await newPage(A, { width: 375, height: 800 });
    await login(p, A);
    await everyPage(p, 375);
    await go(p, A, '#/rules');
    await p.click('#menu-toggle');
    await p.locator('#nav a', { hasText: 'Aliases' }).waitFor({ state: 'visible' });
    await p.waitForTimeout(300);
    await shot(p, 'phone-menu');
    await p.locator('#nav a', { hasText: 'Aliases' }).click();
    await p.locator('#title', { hasText: 'Aliases' }).waitFor();
    await p.locator('#nav a', { hasText: 'Aliases' }).waitFor({ state: 'hidden', timeout: 2000 })
      .catch(() => { throw new Error('the menu stayed open after choosing a page'); });
    await c.close();
  }],

  ['no secret in any API response the browser received', async () => {
    const all = await Promise.all(bodies);
    const known = [['root password', A.password], ['root password (master)', M.password], ['root password (backup)', S.password],
      ['CARP password', secrets.carp], ['user password', secrets.user], ['API secret', secrets.api]].filter(([, v]) => v);
    assert(all.length > 50, `only ${all.length} responses seen`);
    for (const { url, text } of all) {
      for (const [what, v] of known) {
        if (what === 'API secret' && /\/add_api_key\//.test(url)) continue;  // shown once, by design
        assert(!text.includes(v), `${what} in the response of ${url}`);
      }
      assert(!/"\$6\$|"\$2y\$|"\$y\$/.test(text), `a password hash in ${url}`);
    }
  }],

  ['log out', async () => {
    await go(page, A, '#/dashboard');
    await page.click('#logout');
    await page.waitForURL(/\/login\.html/);
    await page.goto(A.url + '/#/rules');
    await page.waitForURL(/\/login\.html/);
    const st = await page.evaluate(async () => (await fetch('/api/core/session')).status);
    assert(st === 401, `the session still works after logout (${st})`);
  }],
];

// Every page of the navigation at width w: no error notice, every control
// labelled, nothing scrolling sideways.
async function everyPage(pg, w) {
  const ids = await page.$$eval('#nav a', (as) => as.map((a) => a.dataset.page));
  assert(ids.length >= 18, `only ${ids.length} pages in the navigation`);
  for (const id of ids) {
    await go(pg, A, `#/${id}`);
    const bad = await pg.locator('.notice.error').allInnerTexts();
    assert(!bad.length, `${id} at ${w} px: ${bad.join(' / ')}`);
    const unlabelled = await pg.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea')]
      .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
      .map((c) => c.name || c.id || c.type));
    assert(!unlabelled.length, `${id}: controls without a label: ${unlabelled.join(', ')}`);
    const wide = await pg.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(wide <= 1, `${id} at ${w} px scrolls sideways by ${wide} px`);
    if (w === 375 || ['dashboard', 'interfaces', 'hastatus', 'vipstatus', 'states', 'log'].includes(id)) await shot(pg, `page-${id}-${w}`);
  }
}

await run(tests, {
  before: async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    await Promise.all([A.start(), M.start(), S.start()]);
    chrome = await launch();
    ({ c: ctx, p: page } = await newPage(A));
  },
  after: async () => {
    if (chrome) await chrome.close();
    await Promise.all([A.stop(), M.stop(), S.stop()]);
  },
  onFail: async (name) => { if (page) await shot(page, 'FAILED-' + name.replace(/\W+/g, '-').slice(0, 40)); },
  budget: 240,
});
