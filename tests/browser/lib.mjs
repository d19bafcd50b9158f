// lib.mjs — what the browser tests share: real twinwall daemons on
// loopback (--platform dry, --no-tls, www/ of this tree), headless Debian
// Chromium through playwright-core, a tiny PASS/FAIL runner.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(ROOT, 'tests/browser/screenshots');
const BIN = process.env.TW_BIN ? path.resolve(ROOT, process.env.TW_BIN) : path.join(ROOT, 'build/twinwall');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = new Set();		// daemons to kill however the run ends
process.on('exit', () => { for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } } });

// Resolves like p, or rejects after ms with what.
export function within(ms, p, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms / 1000}s`)), ms); })])
    .finally(() => clearTimeout(t));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

export class Daemon {
  constructor(name) { this.name = name; }

  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `tw-browser-${this.name}-`));
    fs.chmodSync(this.dir, 0o755);
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.logfd = fs.openSync(path.join(this.dir, 'daemon.log'), 'a');
    this.proc = spawn(BIN, ['daemon', '--data', this.dir, '--listen', `127.0.0.1:${this.port}`, '--platform', 'dry', '--no-tls',
      '--www', path.join(ROOT, 'www')], { cwd: ROOT, stdio: ['ignore', this.logfd, this.logfd] });
    this.exited = null;
    live.add(this.proc);
    this.proc.on('exit', (code) => { this.exited = code; live.delete(this.proc); });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.exited !== null) throw new Error(`daemon ${this.name} exited ${this.exited}: ${this.logtail()}`);
      try {
        const r = await fetch(this.url + '/api/core/ping');
        if (r.status === 200 || r.status === 401) break;
      } catch { /* not yet */ }
      await sleep(100);
    }
    this.password = fs.readFileSync(path.join(this.dir, 'initial-password'), 'utf8').trim();
    return this;
  }

  logtail() {
    try { return fs.readFileSync(path.join(this.dir, 'daemon.log'), 'utf8').slice(-800); } catch { return ''; }
  }

  // The REST API with HTTP Basic as root (for checks outside the browser).
  async api(method, p, body) {
    const r = await fetch(`${this.url}/api/${p}`, {
      method, body: body ? JSON.stringify(body) : undefined,
      headers: { Authorization: 'Basic ' + Buffer.from(`root:${this.password}`).toString('base64'), 'Content-Type': 'application/json' },
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* raw */ }
    return { status: r.status, json, text };
  }

  async stop() {
    if (this.proc && this.exited === null) {
      this.proc.kill('SIGTERM');
      for (let i = 0; i < 100 && this.exited === null; i++) await sleep(50);
      if (this.exited === null) this.proc.kill('SIGKILL');
    }
    if (this.logfd !== undefined) fs.closeSync(this.logfd);
    if (!process.env.TW_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// playwright's launch() gives Chromium a fresh temporary profile
// (user-data dir) each time and removes it on close.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.TW_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

// Runs [name, fn] pairs in order; one line each; a summary; exit code.
export async function run(tests, { before, after, onFail, budget = 170, perTest = 40 } = {}) {
  let passed = 0; let failed = 0;
  const t0 = Date.now();
  try {
    if (before) await before();
  } catch (e) {
    for (const [name] of tests) { console.log(`FAIL ${name}: setup failed: ${oneLine(e)}`); failed++; }
    if (after) await after().catch(() => {});
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(1);
  }
  const only = process.env.TW_ONLY;
  // The whole suite has a budget: a hang fails loudly instead of blocking run.sh.
  setTimeout(() => { console.log(`FAIL watchdog: the suite ran over ${budget}s`); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); }, budget * 1000);
  for (const [name, fn] of tests) {
    if (only && !name.includes(only) && name !== 'log in') continue;
    const t = Date.now();
    try {
      await within(perTest * 1000, fn(), 'test');
      console.log(`PASS ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${name}: ${oneLine(e)}`);
      failed++;
      if (onFail) await onFail(name).catch(() => {});
    }
  }
  if (after) await after().catch((e) => console.log(`# teardown: ${oneLine(e)}`));
  console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

function oneLine(e) {
  return String((e && e.message) || e).split('\n').filter((l) => l.trim() && !l.includes('=====')).slice(0, 3).join(' | ').slice(0, 400);
}

export function assert(cond, msg) { if (!cond) throw new Error(msg); }
