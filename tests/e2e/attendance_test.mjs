// Issue 14, "who came", on a phone (375 px): a responsible of the demo's Bildung unit opens a
// weekly series whose first session has just started, follows the season table's link to that
// date, ticks two of those who said yes or maybe, adds a walk-in by name and saves, without
// JavaScript of our own. axe-core on both pages (no serious or critical violation), nothing
// scrolls sideways; then the season chart: present, with a text alternative, and its bars carry
// and draw the numbers of the table beside it. Screenshots in ARTIFACTS/attendance/.
//
// Usage: node attendance_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

import { now, startHarness } from './harness.mjs';

const run = promisify(execFile);
const RESPONSIBLE = 'oleg.shevchenko@demo.invalid';
const MEMBERS = ['ada@example.org', 'bo@example.org', 'cy@example.org'];
const PHONE = 375;

let h;
before(async () => { h = await startHarness('attendance'); });
after(async () => { await h?.stop(); });

async function token(email) {
  const { stdout } = await run(h.binary, ['token', 'create', email, '--data', h.data]);
  return stdout.split(/\s+/)[0];
}

async function api(bearer, method, path, body) {
  const r = await fetch(new URL(path, h.base), {
    method,
    headers: { Authorization: `Bearer ${bearer}`,
               ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/// A wall-clock time in Berlin `seconds` from now on the tests' clock ("2026-06-10T10:00:05");
/// the server's clock started later, so it is at least that far ahead for the server too.
function soon(seconds) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(now().getTime() + seconds * 1000)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

async function checkPage(page, name) {
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0, `${name} scrolls sideways`);
  await h.screenshot(page, name);
}

test('a responsible ticks who came on a phone, and the season chart shows the table\'s numbers',
     async () => {
  const oleg = await token(RESPONSIBLE);
  const members = await Promise.all(MEMBERS.map(token));
  // A weekly series whose first session starts in a few seconds; two places.
  const series = await api(oleg, 'POST', '/api/v1/units/bildung/events', {
    title: 'Lesekreis Bildung', start: soon(6), duration_minutes: 90, capacity: 2,
    rrule: 'FREQ=WEEKLY;COUNT=4',
  });
  const day = series.start.slice(0, 10);
  const listed = (await api(oleg, 'GET',
    `/api/v1/units/bildung/occurrences?from=${day}&to=${day}`)).occurrences;
  const key = listed.find((o) => o.event === series.id).key;
  const base = `/api/v1/events/${series.id}/occurrences/${key}`;
  for (const [i, answer] of ['yes', 'yes', 'maybe'].entries()) {
    await api(members[i], 'PUT', `${base}/rsvp`, { answer });
  }
  const ids = (await api(oleg, 'GET', `${base}/attendees`)).attendees.map((a) => a.person);
  assert.equal(ids.length, 3);

  const { page } = await h.loginAs(RESPONSIBLE, { width: PHONE });
  // Until the first session has started on the server's clock, its row has no link.
  const link = page.locator(`#season-table tr[data-key="${key}"] a`);
  const deadline = Date.now() + 30000;
  for (;;) {
    await page.goto(`/manage/events/${series.id}`);
    if (await link.count() > 0) break;
    assert.ok(Date.now() < deadline, 'the first session never started');
    await page.waitForTimeout(500);
  }
  await checkPage(page, 'event-before');
  await link.click();
  await page.locator('h1', { hasText: 'Wer kam?' }).waitFor();
  await checkPage(page, 'attendance');

  // Tick the first (going) and the third (maybe), add a walk-in, save.
  await page.locator(`input[name="came"][value="${ids[0]}"]`).check();
  await page.locator(`input[name="came"][value="${ids[2]}"]`).check();
  await page.getByLabel('Weitere Namen, einer pro Zeile').fill('Kim Gast');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByRole('status').filter({ hasText: 'Gespeichert, wer kam.' }).waitFor();
  assert.ok(await page.locator(`input[name="came"][value="${ids[0]}"]`).isChecked());
  assert.ok(!await page.locator(`input[name="came"][value="${ids[1]}"]`).isChecked());
  assert.ok(await page.getByLabel('Kim Gast').isChecked());
  await checkPage(page, 'attendance-saved');
  const saved = await api(oleg, 'GET', `${base}/attendance`);
  assert.equal(saved.total, 3);
  assert.deepEqual(saved.walk_ins, ['Kim Gast']);

  // The season: the chart has a text alternative, and its bars are the table's numbers.
  await page.goto(`/manage/events/${series.id}`);
  await checkPage(page, 'event-after');
  const chart = page.getByRole('img', { name: /Balkendiagramm der Saison/ });
  assert.equal(await chart.count(), 1, 'the chart is there, named');
  const seen = await page.evaluate(() => {
    const svg = document.querySelector('svg.season-chart');
    const name = document.getElementById(svg.getAttribute('aria-labelledby')).textContent;
    const rows = [...document.querySelectorAll('#season-table tbody tr')].map((tr) => ({
      key: tr.dataset.key,
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    }));
    const groups = Object.fromEntries([...svg.querySelectorAll('g.chart-date')].map((g) => [
      g.dataset.key,
      Object.fromEntries([...g.querySelectorAll('rect')].map((r) => [
        r.dataset.series,
        { value: Number(r.dataset.value), height: r.height.baseVal.value,
          width: r.getBoundingClientRect().width },
      ])),
    ]));
    return { name, rows, groups, inline: svg.outerHTML.includes('style=') };
  });
  assert.match(seen.name, /Tabelle/);
  assert.ok(!seen.inline, 'no style attribute in the chart (CSP)');
  assert.equal(seen.rows.length, 4, 'the series\' four dates');
  const perUnit = [];  // height per unit of each bar: one scale for all (heights have 2 decimals)
  for (const { key: k, cells } of seen.rows) {
    const bars = seen.groups[k];
    assert.ok(bars, `a bar group for ${k}`);
    const [yes, maybe, waitlist, came] = cells;
    assert.equal(String(bars.yes.value), yes, `${k}: yes`);
    assert.equal(String(bars.maybe.value), maybe, `${k}: maybe`);
    assert.equal(String(bars.waitlist.value), waitlist, `${k}: waitlist`);
    if (came === '–') assert.equal(bars.came, undefined, `${k}: no bar for came`);
    else assert.equal(String(bars.came.value), came, `${k}: came`);
    for (const b of Object.values(bars)) {
      if (b.value > 0) perUnit.push(b.height / b.value);
      else assert.equal(b.height, 0);
    }
  }
  assert.ok(perUnit.length > 0 && Math.max(...perUnit) - Math.min(...perUnit) < 0.02,
            `every bar drawn to one scale: ${perUnit}`);
  const first = seen.rows.find((r) => r.key === key).cells;
  assert.deepEqual(first, ['2', '1', '0', '3']);  // two places taken, one maybe; three came
});
