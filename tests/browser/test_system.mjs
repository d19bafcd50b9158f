// test_system.mjs — the System page in headless Chromium: a web GUI port
// saved and applied moves the listener, and the browser follows it to the
// new URL still logged in; the old port then refuses connections.
//
//   node tests/browser/test_system.mjs        (TW_BIN for another build)
import net from 'node:net';
import { Daemon, launch, run, assert } from './lib.mjs';

let chrome; let page; let D; let moved;

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function refuses(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(false); });
    c.once('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

const tests = [
  ['log in', async () => {
    await page.goto(D.url + '/login.html');
    await page.fill('#username', 'root');
    await page.fill('#password', D.password);
    await page.press('#password', 'Enter');
    await page.waitForSelector('body[data-ready="1"]');
  }],

  ['a saved and applied GUI port moves the browser there', async () => {
    // below the ephemeral range: a client's source port cannot hold it
    for (let p = 20000 + Math.floor(Math.random() * 10000); !moved; p++) if (await portFree(p)) moved = p;
    await page.goto(`${D.url}/#/system`);
    await page.waitForSelector('body[data-ready="1"][data-page="system"]', { state: 'attached' });
    await page.locator('[data-field=webgui_port] input').fill(String(moved));
    await page.locator('main button[type=submit]').first().click();
    await page.locator('.notice.ok', { hasText: 'saved' }).waitFor();
    await page.locator('.banner[data-subsys=system] button').click();
    await page.waitForURL(`http://127.0.0.1:${moved}/**`, { timeout: 15000 });
    await page.waitForSelector('body[data-ready="1"]');
    assert(!(await page.url()).includes('login'), `sent to the login page: ${page.url()}`);
    const st = await page.evaluate(async () => (await fetch('/api/core/system/status')).status);
    assert(st === 200, `status on the new port as the same session: HTTP ${st}`);
    let gone = false;
    for (let i = 0; i < 30 && !gone; i++) {
      gone = await refuses(D.port);
      if (!gone) await new Promise((r) => setTimeout(r, 200));
    }
    assert(gone, `the old port ${D.port} still accepts`);
  }],
];

run(tests, {
  before: async () => {
    D = await new Daemon('system').start();
    chrome = await launch();
    const c = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await c.newPage();
    page.setDefaultTimeout(10000);
  },
  after: async () => {
    if (chrome) await chrome.close();
    if (D) await D.stop();
  },
  budget: 120,
  perTest: 50,
});
