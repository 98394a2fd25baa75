// The real-browser harness for treffpunkt's pages (issue 6).
//
// startHarness(name) starts, on loopback only:
//   - a real SMTP server (tests/notifications/smtp_server.py, Debian's python3-aiosmtpd) on a
//     free port, recording every message it accepts;
//   - the built `treffpunkt serve --demo` with a fresh temporary data folder, --smtp pointed at
//     that server and --listen 127.0.0.1:0 (the server picks a free port and prints it), and
//     waits for /healthz;
//   - Debian's chromium (/usr/bin/chromium) driven by playwright-core, headless.
// and returns helpers for scenario tests:
//   newContext({width, height, locale})    a fresh browser context (no cookies), locale (and
//                                 so Accept-Language) de-DE unless given, with baseURL set so
//                                 page.goto('/units/bildung') works
//   openPage(path, {width, context})       -> {page, response}
//   mailsTo(address, {count, timeoutMs})   -> every message to that address so far (at least
//                                 `count`), parsed: {subject, from, to, text, html, links}
//   loginAs(email, {context, width})       -> {context, page, mail, link, response}: asks
//                                 for a link on /login in the browser, reads the mail, opens
//                                 the link and presses its button (the page is then wherever
//                                 the login leads; `response` is that page's)
//   axeViolations(page) / checkAxe(page)   axe-core on the current document; checkAxe throws
//                                 on any 'serious' or 'critical' violation, listing rule id,
//                                 targets and help
//   unnamedControls(page)         form controls without an accessible name, as Chromium's own
//                                 accessibility tree computes it
//   horizontalOverflow(page)      how far the document is wider than the viewport (0 = fits)
//   screenshot(page, name)        a full-page PNG into the artifacts folder
//   data, binary                  the server's data folder and the treffpunkt binary, for
//                                 CLI commands while it runs (e.g. `treffpunkt admin add`)
//   stop()                        closes the browser, stops both servers, removes the temp
//                                 folder; also runs on process exit and on SIGINT/SIGTERM.
//
// Arguments and environment (ctest passes them, see CMakeLists.txt):
//   argv[2] or TREFFPUNKT_BINARY     the built treffpunkt
//   --artifacts DIR                  where screenshots go, unless TREFFPUNKT_ARTIFACTS is set;
//                                    each test writes to DIR/<name>/ (emptied at start)
//   TREFFPUNKT_CHROMIUM              the browser (default /usr/bin/chromium)
//   TREFFPUNKT_NOW                   the instant the tests' clock starts at (now(), today()),
//                                    and with it the server's and the CLI's; a fixed default
//                                    when unset, never the day the test runs

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const run = promisify(execFile);

const PYTHON = '/usr/bin/python3';  // Debian's, where python3-aiosmtpd is installed
const SMTP_SERVER = path.join(repo, 'tests', 'notifications', 'smtp_server.py');
const READ_MAIL = path.join(here, 'read_mail.py');
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/// The tests' clock, as tests/server/test_clock.py: every treffpunkt process started from here
/// (the server, CLI commands) starts its clock at TREFFPUNKT_NOW too, so the pages show the same
/// days on whatever day the test runs.
const NOW_TEXT = process.env.TREFFPUNKT_NOW || '2026-06-10T08:00:00Z';
process.env.TREFFPUNKT_NOW = NOW_TEXT;
const clockStarted = performance.now();

/// The current instant on the tests' clock.
export function now() {
  return new Date(Date.parse(NOW_TEXT) + (performance.now() - clockStarted));
}

/// A day in Europe/Berlin (the demo's zone) as "YYYY-MM-DD": of `instant`, else today.
export function berlinDay(instant = now()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/// Roles whose elements a user operates, and that therefore need a name.
const CONTROL_SELECTOR = [
  'input:not([type=hidden])', 'select', 'textarea', 'button',
  '[role=button]', '[role=checkbox]', '[role=combobox]', '[role=listbox]', '[role=radio]',
  '[role=searchbox]', '[role=slider]', '[role=spinbutton]', '[role=switch]', '[role=textbox]',
].join(', ');

function options() {
  const args = process.argv.slice(2);
  let binary = process.env.TREFFPUNKT_BINARY;
  let artifacts;
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--artifacts') artifacts = args[++i];
    else if (!args[i].startsWith('-')) binary = args[i];
  }
  artifacts = process.env.TREFFPUNKT_ARTIFACTS || artifacts ||
              path.join(os.tmpdir(), 'treffpunkt-e2e-artifacts');
  if (!binary) throw new Error('usage: node TEST.mjs PATH/TO/treffpunkt [--artifacts DIR]');
  fs.accessSync(binary, fs.constants.X_OK);
  return {
    binary: path.resolve(binary),
    artifacts: path.resolve(artifacts),
    chromium: process.env.TREFFPUNKT_CHROMIUM || '/usr/bin/chromium',
  };
}

// Every child process still running, killed on any exit of this process (a failed assertion,
// an exception, ctest's timeout signal) so that no server outlives its test.
const children = new Set();
const tempRoots = new Set();
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const root of tempRoots) fs.rmSync(root, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
}

// And should this process be killed outright (SIGKILL, no exit handler runs), the kernel
// kills the servers too: util-linux's setpriv (Essential in Debian) sets their parent-death
// signal before it executes them. chromium ends by itself when its DevTools pipe closes.
const DIE_WITH_PARENT = fs.existsSync('/usr/bin/setpriv')
  ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--'] : [];

function start(command, args, options) {
  const [program, ...rest] = [...DIE_WITH_PARENT, command, ...args];
  const child = spawn(program, rest, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/// Waits for `child` to exit; SIGTERM first, SIGKILL after `graceMs`.
async function terminate(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startSmtp(dir) {
  const portFile = path.join(dir, 'port');
  const child = start(PYTHON, [SMTP_SERVER, '--port', '0', '--port-file', portFile, '--dir', dir],
                      { stdio: ['ignore', 'inherit', 'inherit'] });
  const port = await waitFor('the SMTP server to listen', 15000, async () => {
    if (child.exitCode !== null) throw new Error(`smtp_server.py exited with ${child.exitCode}`);
    try { return Number(await fsp.readFile(portFile, 'utf8')); } catch { return 0; }
  });
  return { child, port };
}

async function startServer(binary, data, logPath, smtpPort) {
  const env = Object.fromEntries(Object.entries(process.env)
                                   .filter(([k]) => !k.startsWith('TREFFPUNKT_')));
  env.TREFFPUNKT_NOW = NOW_TEXT;
  const log = fs.openSync(logPath, 'w');
  const child = start(binary, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--demo',
                               '--smtp', `smtp://127.0.0.1:${smtpPort}`],
                      { stdio: ['ignore', 'pipe', log], env });
  fs.closeSync(log);
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const fail = (why) => reject(new Error(
      `treffpunkt serve did not start (${why}): ${seen}\n${fs.readFileSync(logPath, 'utf8')}`));
    const timer = setTimeout(() => fail('no "listening on" line within 20 s'), 20000);
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const found = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    });
  });
  child.stdout.resume();  // keep draining: a full pipe would block the server
  const base = `http://127.0.0.1:${port}`;
  await waitFor('/healthz', 15000, async () => {
    try { return (await fetch(`${base}/healthz`)).status === 200; } catch { return false; }
  });
  return { child, base };
}

/// "rule-id (impact): help\n    target, target\n    helpUrl", one block per violation.
export function formatViolations(violations) {
  return violations.map((v) => {
    const targets = v.nodes.map((n) => n.target.join(' ')).join(', ');
    return `${v.id} (${v.impact}): ${v.help}\n    on ${targets}\n    ${v.helpUrl}`;
  }).join('\n');
}

export function isSerious(violation) {
  return violation.impact === 'serious' || violation.impact === 'critical';
}

export async function startHarness(name) {
  const opts = options();
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'treffpunkt-e2e-'));
  tempRoots.add(root);
  const artifacts = path.join(opts.artifacts, name);
  await fsp.rm(artifacts, { recursive: true, force: true });
  await fsp.mkdir(artifacts, { recursive: true });
  const smtpDir = path.join(root, 'smtp');
  const data = path.join(root, 'data');
  const serverLog = path.join(root, 'server.log');
  await fsp.mkdir(smtpDir);

  let smtp, server, browser;
  const contexts = new Set();
  const parsed = new Map();  // .eml path -> parsed message
  let stopped = false;

  async function stop() {
    if (stopped) return;
    stopped = true;
    for (const context of contexts) await context.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    if (server) await terminate(server.child);
    if (smtp) await terminate(smtp.child);
    await fsp.copyFile(serverLog, path.join(artifacts, 'server.log')).catch(() => {});
    await fsp.rm(root, { recursive: true, force: true });
    tempRoots.delete(root);
  }

  try {
    smtp = await startSmtp(smtpDir);
    server = await startServer(opts.binary, data, serverLog, smtp.port);
    browser = await chromium.launch({
      executablePath: opts.chromium, args: CHROMIUM_FLAGS, headless: true, timeout: 60000,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const base = server.base;

  async function newContext({ width = 1280, height = 800, locale = 'de-DE' } = {}) {
    const context = await browser.newContext({
      viewport: { width, height }, locale, baseURL: base,
    });
    contexts.add(context);
    context.once('close', () => contexts.delete(context));
    return context;
  }

  async function openPage(target, { width = 1280, context } = {}) {
    const page = await (context ?? await newContext({ width })).newPage();
    const response = await page.goto(target, { waitUntil: 'load' });
    return { page, response };
  }

  /// The messages the SMTP server accepted for `address` (envelope recipient, any case), in
  /// the order received; waits until there are at least `count`.
  async function mailsTo(address, { count = 1, timeoutMs = 10000 } = {}) {
    const wanted = address.toLowerCase();
    const list = async () => {
      // smtp_server.py writes NNNN.rcpt, then NNNN.eml, each by rename: a message is there
      // once its .eml is.
      const names = (await fsp.readdir(smtpDir)).filter((n) => /^\d+\.eml$/.test(n))
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
      const mine = [];
      for (const n of names) {
        const eml = path.join(smtpDir, n);
        const rcpt = await fsp.readFile(eml.replace(/\.eml$/, '.rcpt'), 'utf8');
        if (rcpt.toLowerCase().split('\n').includes(wanted)) mine.push(eml);
      }
      return mine;
    };
    let files = await list();
    if (files.length < count) {
      try {
        files = await waitFor(`${count} mail(s) to ${address}`, timeoutMs, async () => {
          const now = await list();
          return now.length >= count ? now : null;
        });
      } catch {
        const all = (await fsp.readdir(smtpDir)).filter((n) => n.endsWith('.eml'));
        throw new Error(`expected ${count} mail(s) to ${address} within ${timeoutMs} ms, got ` +
                        `${files.length} (the SMTP server has ${all.length} message(s) in all)`);
      }
    }
    const fresh = files.filter((f) => !parsed.has(f));
    if (fresh.length) {
      const { stdout } = await run(PYTHON, [READ_MAIL, ...fresh], { maxBuffer: 64 << 20 });
      JSON.parse(stdout).forEach((m, i) => parsed.set(fresh[i], m));
    }
    return files.map((f) => parsed.get(f));
  }

  /// Logs `email` in as a person would: the form on /login, the mail, the link in it.
  async function loginAs(email, { context, width = 1280 } = {}) {
    context ??= await newContext({ width });
    const page = await context.newPage();
    const before = (await mailsTo(email, { count: 0 })).length;
    const form = await page.goto('/login');
    assert.equal(form.status(), 200, `GET /login answered ${form.status()}`);
    await page.locator('form[action="/login"] input[name="email"]').fill(email);
    const [sent] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' &&
                                  new URL(r.url()).pathname === '/login'),
      page.locator('form[action="/login"] [type="submit"]').click(),
    ]);
    assert.equal(sent.status(), 200, `POST /login answered ${sent.status()}: ${await sent.text()}`);
    await page.waitForLoadState('load');
    const mail = (await mailsTo(email, { count: before + 1 })).at(before);
    const link = mail.links.find((u) => new URL(u).pathname.startsWith('/login/'));
    assert.ok(link, `no /login/ link in the mail "${mail.subject}":\n${mail.text}`);
    assert.equal(new URL(link).origin, base, 'the login link points at another server');
    // The link's page asks first with a button (mail scanners open links too); pressing it
    // logs in and leads to wherever the login was asked for.
    const asked = await page.goto(link);
    assert.equal(asked.status(), 200, `the login link answered ${asked.status()}`);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator(`form[action="${new URL(link).pathname}"] [type="submit"]`).click(),
    ]);
    return { context, page, mail, link, response };
  }

  /// Every axe-core violation on the page's current document (all impacts).
  async function axeViolations(page) {
    // Evaluated through the DevTools protocol, which a Content-Security-Policy without
    // 'unsafe-inline' does not block (an injected <script> would be, and would be reported).
    if (!await page.evaluate(() => typeof window.axe === 'object')) {
      await page.evaluate(axeSource);
    }
    const results = await page.evaluate(() => window.axe.run(document, {
      resultTypes: ['violations'],
    }));
    return results.violations;
  }

  async function checkAxe(page) {
    const serious = (await axeViolations(page)).filter(isSerious);
    assert.ok(serious.length === 0,
              `axe-core: ${serious.length} serious or critical violation(s) on ${page.url()}:\n` +
              formatViolations(serious));
  }

  /// Form controls that Chromium's accessibility tree gives no name, as readable selectors.
  async function unnamedControls(page) {
    const cdp = await page.context().newCDPSession(page);
    try {
      const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
      const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
        nodeId: root.nodeId, selector: CONTROL_SELECTOR,
      });
      const out = [];
      for (const nodeId of nodeIds) {
        const { nodes } = await cdp.send('Accessibility.getPartialAXTree', {
          nodeId, fetchRelatives: false,
        });
        const ax = nodes[0];
        if (!ax || ax.ignored) continue;  // not rendered (display: none, hidden)
        if ((ax.name?.value ?? '').trim()) continue;
        const { node } = await cdp.send('DOM.describeNode', { nodeId });
        const attrs = node.attributes ?? [];
        let selector = node.localName;
        for (let i = 0; i < attrs.length; i += 2) {
          if (['id', 'name', 'type', 'role'].includes(attrs[i])) {
            selector += `[${attrs[i]}="${attrs[i + 1]}"]`;
          }
        }
        out.push(`${selector} (role ${ax.role?.value ?? '?'})`);
      }
      return out;
    } finally {
      await cdp.detach().catch(() => {});
    }
  }

  /// How many pixels the document is wider than the viewport; 0 when nothing scrolls
  /// sideways. With the innermost elements whose box or content (a long word, say) sticks
  /// out on the right, for the message.
  async function horizontalOverflow(page) {
    return page.evaluate(() => {
      const width = window.innerWidth;
      const excess = document.documentElement.scrollWidth - width;
      if (excess <= 0) return { excess: 0, culprits: [] };
      const out = [...document.body.querySelectorAll('*')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.left + Math.max(r.width, el.scrollWidth) > width + 1;
      });
      const innermost = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
      const culprits = innermost.slice(0, 5).map((el) => {
        const r = el.getBoundingClientRect();
        const id = el.id ? `#${el.id}` : '';
        const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
        const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
        const right = Math.round(r.left + Math.max(r.width, el.scrollWidth));
        return `${el.localName}${id}${cls} "${text}" (to ${right} px)`;
      });
      return { excess, culprits };
    });
  }

  async function screenshot(page, name) {
    const file = path.join(artifacts, `${name}.png`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  return {
    base, artifacts, browser, serverLog, newContext, openPage, mailsTo, loginAs, axeViolations,
    checkAxe, unnamedControls, horizontalOverflow, screenshot, stop,
    data, binary: opts.binary,  // for CLI commands while the server runs (`admin add`)
  };
}
