// Every page a visitor can reach by links, in a real browser, at a phone's width (375 px) and
// a laptop's (1280 px), in German and English. The crawl starts at /, /?lang=en and /login
// (demo data, not logged in) and follows same-origin <a href> links up to MAX_PAGES pages.
//
// A page is a URL in a language: the app remembers ?lang= in a cookie, so a link on an
// English page leads to the English version. Each visit starts without cookies, in a browser
// whose locale (so Accept-Language) is the language of the page that linked to it (its
// <html lang>), so a (language, URL) pair renders the same whichever way the crawl came.
// Pages with a route shape not yet seen in that language go first (/units/*, /events/*,
// /events/*/*), then new paths, then query variants (at most QUERY_VARIANTS_PER_PATH per path,
// e.g. ?month=); at most OCCURRENCES_PER_EVENT occurrence pages per event and language.
// Not followed: feeds (.ics, /feeds/), webcal: and other schemes, /api/, /static/, one-time
// login links, other hosts. Forms are not submitted (their POST targets are not pages); a
// link that answers 405 to GET (POST-only), starts a download or is not text/html is listed
// as skipped. Script errors and console errors (e.g. what a Content-Security-Policy blocked)
// are printed as diagnostics and kept in the report, not failed.
//
// For each page and width:
//   - the HTTP status is below 400;
//   - axe-core finds no 'serious' or 'critical' violation (lesser ones are listed in the
//     report, not failed);
//   - every form control has an accessible name (Chromium's accessibility tree);
//   - at 375 px nothing scrolls sideways (document.documentElement.scrollWidth <= 375);
//   - a full-page screenshot is saved to ARTIFACTS/pages/<width>/<page>.<lang>.png.
// ARTIFACTS/pages/report.json holds every page with its status and all axe violations; the
// list of pages visited is printed at the end.
//
// Usage: node pages_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { formatViolations, isSerious, startHarness } from './harness.mjs';

const SEEDS = [['/', 'de'], ['/?lang=en', 'en'], ['/login', 'de']];
const MAX_PAGES = 40;
const OCCURRENCES_PER_EVENT = 2;
const QUERY_VARIANTS_PER_PATH = 2;  // the bare path counts as one
const WIDTHS = [1280, 375];  // links are collected at the first
const PHONE = 375;

let h;
before(async () => { h = await startHarness('pages'); });
after(async () => { await h?.stop(); });

/// Why `url` is not crawled, or null when it is.
function skipReason(url, base) {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} link`;
  if (url.origin !== base) return 'external';
  const p = url.pathname;
  if (p.endsWith('.ics') || p.startsWith('/feeds/')) return 'feed';
  if (p === '/api' || p.startsWith('/api/')) return 'API';
  if (p.startsWith('/static/')) return 'static file';
  if (p.startsWith('/login/')) return 'one-time login link';
  return null;
}

/// "/units/bildung?month=2026-10" in "en" -> "units_bildung@month=2026-10.en", a file name.
function fileName(url, lang) {
  let name = url.pathname === '/' ? 'home' : url.pathname.slice(1).replaceAll('/', '_');
  if (url.search) name += `@${url.search.slice(1)}`;
  return `${name.replace(/[^A-Za-z0-9._=@-]/g, '-').slice(0, 150)}.${lang}`;
}

/// "/units/*": the route a path belongs to, for the crawl's order.
function shape(pathname) {
  return pathname.split('/').map((part, i) => (i < 2 ? part : '*')).join('/');
}

test('every linked page passes in a browser at 375 and 1280 px', async (t) => {
  // One browser context per language and width: its locale sets Accept-Language.
  const contexts = new Map();
  const pageFor = async (lang, width) => {
    const key = `${lang} ${width}`;
    if (!contexts.has(key)) {
      const context = await h.newContext({ width, locale: lang === 'de' ? 'de-DE' : lang });
      contexts.set(key, { context, page: await context.newPage() });
    }
    return contexts.get(key);
  };

  const queue = [];                 // {url, lang, key, label, priority}, taken lowest first
  const seen = new Set();           // keys queued: "lang path?query", without ?lang=
  const shapes = new Set();         // "lang /units/*"
  const paths = new Set();          // "lang /units/bildung"
  const variants = new Map();       // "lang /units/bildung" -> queries queued
  const occurrencesOf = new Map();  // "lang event id" -> occurrence pages queued
  const skipped = new Map();        // reason -> count
  const report = [];
  const skip = (reason) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

  const enqueue = (href, linkedFrom) => {
    let url;
    try { url = new URL(href, h.base); } catch { return skip('unparsable'); }
    url.hash = '';
    const reason = skipReason(url, h.base);
    if (reason) return skip(reason);
    const lang = url.searchParams.get('lang') || linkedFrom;
    const query = new URLSearchParams(url.search);
    query.delete('lang');
    const rest = query.size ? `?${query}` : '';
    const key = `${lang} ${url.pathname}${rest}`;
    if (seen.has(key)) return;
    const pathKey = `${lang} ${url.pathname}`;
    const queries = variants.get(pathKey) ?? 0;
    if (queries >= QUERY_VARIANTS_PER_PATH) {
      return skip(`more than ${QUERY_VARIANTS_PER_PATH} query variants of a path`);
    }
    const occurrence = /^\/events\/([^/]+)\/[^/]+$/.exec(url.pathname);
    if (occurrence && !paths.has(pathKey)) {
      const group = `${lang} ${occurrence[1]}`;
      const n = occurrencesOf.get(group) ?? 0;
      if (n >= OCCURRENCES_PER_EVENT) {
        return skip(`more than ${OCCURRENCES_PER_EVENT} occurrences of one event`);
      }
      occurrencesOf.set(group, n + 1);
    }
    const shapeKey = `${lang} ${shape(url.pathname)}`;
    const priority = !shapes.has(shapeKey) ? 0 : !paths.has(pathKey) ? 1 : 2;
    seen.add(key);
    shapes.add(shapeKey);
    paths.add(pathKey);
    variants.set(pathKey, queries + 1);
    const label = `${url.pathname}${url.search}${lang === 'de' ? '' : ` (${lang})`}`;
    queue.push({ url, lang, key, label, priority });
  };
  for (const [seed, lang] of SEEDS) enqueue(seed, lang);

  const next = () => {
    let best = 0;
    for (let i = 1; i < queue.length; ++i) if (queue[i].priority < queue[best].priority) best = i;
    return queue.splice(best, 1)[0];
  };

  while (queue.length && report.length < MAX_PAGES) {
    const { url, lang, label } = next();
    const entry = { page: label, url: url.pathname + url.search, lang, widths: {} };
    report.push(entry);
    await t.test(label, async (st) => {
      const problems = [];
      for (const width of WIDTHS) {
        const { context, page } = await pageFor(lang, width);
        await context.clearCookies();
        const errors = [];
        const onError = (e) => errors.push(`uncaught: ${e}`);
        const onConsole = (m) => {
          // The document's own error status is checked below; everything else is news.
          if (m.type() !== 'error' || m.location()?.url === url.href) return;
          errors.push(`console: ${m.text()}`);
        };
        page.on('pageerror', onError);
        page.on('console', onConsole);
        let response;
        try {
          response = await page.goto(url.href, { waitUntil: 'load' });
        } catch (e) {
          if (/Download is starting/.test(e.message)) {
            entry.skipped = 'a download, not a page';
            break;
          }
          problems.push(`${width} px: navigation failed: ${e.message.split('\n')[0]}`);
          continue;
        } finally {
          page.off('pageerror', onError);
          page.off('console', onConsole);
        }
        const status = response?.status() ?? 0;
        const type = (await response?.headerValue('content-type')) ?? '';
        const result = entry.widths[width] = { status, contentType: type, final: page.url() };
        if (status === 405) {
          entry.skipped = 'POST-only (405 to GET)';
          break;
        }
        if (status >= 400 || status === 0) problems.push(`${width} px: HTTP ${status}`);
        if (!type.startsWith('text/html')) {
          if (status < 400) entry.skipped = `not a page (${type})`;
          break;
        }

        const violations = await h.axeViolations(page);
        result.axe = violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          targets: v.nodes.map((n) => n.target.join(' ')),
        }));
        const serious = violations.filter(isSerious);
        if (serious.length) {
          problems.push(`${width} px: axe-core, serious or critical:\n` +
                        formatViolations(serious));
        }

        const unnamed = await h.unnamedControls(page);
        result.unnamedControls = unnamed;
        if (unnamed.length) {
          problems.push(`${width} px: form controls without an accessible name: ` +
                        unnamed.join(', '));
        }

        if (width === PHONE) {
          const { excess, culprits } = await h.horizontalOverflow(page);
          result.horizontalOverflow = excess;
          if (excess > 0) {
            problems.push(`${width} px: scrolls sideways by ${excess} px` +
                          (culprits.length ? `; too wide: ${culprits.join(', ')}` : ''));
          }
        }
        if (errors.length) {
          // Reported, not failed (yet): a script error or a blocked resource is worth a look.
          result.scriptErrors = errors;
          for (const e of errors) st.diagnostic(`${width} px: ${e}`);
        }

        const shot = await h.screenshot(page, `${width}/${fileName(url, lang)}`);
        result.screenshot = path.relative(h.artifacts, shot);

        if (width === WIDTHS[0] && status < 400) {
          const { pageLang, hrefs } = await page.evaluate(() => ({
            pageLang: document.documentElement.lang,
            hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href),
          }));
          result.lang = pageLang;
          const linkedFrom = pageLang.split('-')[0].toLowerCase() || lang;
          for (const href of hrefs) enqueue(href, linkedFrom);
        }
      }
      entry.problems = problems;
      if (entry.skipped) st.diagnostic(`skipped: ${entry.skipped}`);
      assert.ok(problems.length === 0, `${label}:\n${problems.join('\n')}`);
    });
  }
  if (queue.length) skipped.set(`beyond ${MAX_PAGES} pages`, queue.length);

  const summary = { base: h.base, pages: report, notFollowed: Object.fromEntries(skipped) };
  await fsp.writeFile(path.join(h.artifacts, 'report.json'), JSON.stringify(summary, null, 2));
  const lines = report.map((e) => {
    const statuses = WIDTHS.map((w) => e.widths[w]?.status ?? '-').join('/');
    const verdict = e.problems?.length ? 'FAILED' : e.skipped ? `skipped: ${e.skipped}` : 'ok';
    return `  ${e.page}  [${statuses}] ${verdict}`;
  });
  console.log(`Pages visited (${report.length}; HTTP status at ${WIDTHS.join('/')} px):\n` +
              `${lines.join('\n')}\nLinks not followed: ` +
              `${[...skipped].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}\n` +
              `Screenshots and report.json: ${h.artifacts}`);
});
