// test_gateway_rule.mjs — policy routing in the GUI: a rule's gateway
// field offers the gateways and the gateway groups (a group labelled as
// one); picking a group through the form stores the group's name in the
// rule, and the edit form shows it selected again.
//
//   node tests/browser/test_gateway_rule.mjs   (TW_BIN for another build)
import { Daemon, launch, run, assert } from './lib.mjs';

let chrome; let page; let D;
const GW = 'routing/settings';

const dialog = () => page.locator('dialog.modal');
const field = (name, sel = 'input') => dialog().locator(`[data-field=${name}] ${sel}`).first();
const ruleRow = (text) => page.locator('table.grid tbody tr', { hasText: text });

async function ok(method, p, body) {
  const r = await D.api(method, p, body);
  assert(r.status === 200 && r.json && r.json.result !== 'failed', `${method} ${p}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const tests = [
  ['log in', async () => {
    await page.goto(D.url + '/login.html');
    await page.fill('#username', 'root');
    await page.fill('#password', D.password);
    await page.press('#password', 'Enter');
    await page.waitForSelector('body[data-ready="1"]');
  }],

  ['the gateway field offers gateways and groups; a group picked is stored', async () => {
    await page.goto(`${D.url}/#/rules`);
    await page.waitForSelector('body[data-ready="1"][data-page="rules"]', { state: 'attached' });
    await page.click('button:has-text("+ Add rule")');
    const sel = field('gateway', 'select');
    // the choices load after the dialog opens: wait for the group's option
    await sel.locator('option[value=WANS]').waitFor({ state: 'attached' });
    const opts = await sel.locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    const label = (v) => (opts.find(([x]) => x === v) || [])[1] || '';
    assert(label('WANGW') && !/group/i.test(label('WANGW')), `gateway WANGW missing or labelled a group: ${JSON.stringify(opts)}`);
    assert(/gateway group/.test(label('WANS')), `group WANS not labelled as one: ${JSON.stringify(opts)}`);
    assert(opts.some(([v]) => v === ''), 'no "(none)" choice: a rule without a gateway could not be saved');
    await field('ipprotocol', 'select').selectOption('inet');
    await field('protocol', 'select').selectOption('tcp');
    await field('description').fill('via-group');
    await sel.selectOption('WANS');
    await dialog().locator('button[type=submit]').click();
    await dialog().waitFor({ state: 'detached' });
    await ruleRow('via-group').waitFor();

    const rows = (await ok('GET', 'firewall/filter/search_rule?rowCount=-1')).rows;
    const mine = rows.find((r) => r.description === 'via-group');
    assert(mine && mine.gateway === 'WANS', `the API stored gateway ${mine && mine.gateway}`);

    // the edit form shows the stored group selected
    await ruleRow('via-group').locator('button[aria-label="Edit rule"]').click();
    await field('gateway', 'select').locator('option[value=WANS]').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelector('dialog.modal [data-field=gateway] select').value === 'WANS');
    await dialog().locator('button:has-text("Cancel")').click();
  }],
];

run(tests, {
  before: async () => {
    D = await new Daemon('gwrule').start();
    // a static WAN (a DHCP WAN takes no static gateway), a gateway, a group
    await ok('POST', 'interfaces/settings/set_item/wan', { interface: { ipaddr: '192.0.2.2', subnet: '24' } });
    await ok('POST', `${GW}/add_gateway`, { gateway: { name: 'WANGW', interface: 'wan', gateway: '192.0.2.1', ipprotocol: 'inet', monitor_disable: '1' } });
    await ok('POST', `${GW}/add_gateway_group`, { gateway_group: { name: 'WANS', tier1: 'WANGW', trigger: 'down', descr: 'uplinks' } });
    chrome = await launch();
    const c = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await c.newPage();
    page.setDefaultTimeout(15000);
  },
  after: async () => {
    if (chrome) await chrome.close();
    if (D) await D.stop();
  },
  budget: 120,
  perTest: 60,
});
