// Issue 6's responsible scenario in a real browser: "A responsible logs in by emailed link,
// creates 'every first Tuesday, 19:00, online', sees the preview, saves, cancels one
// occurrence, and the unit's feed shows the EXDATE." The responsible is Oleg Shevchenko of the
// demo's Bildung unit (server/src/demo.cpp), on a phone (375 px). The feed is read with ical.js
// (tests/oracle's copy, installed by Oracle.NpmInstall). Then an admin looks at /admin and the
// outbox, and Oleg confirms a series on its "still happening?" page. axe-core checks each manage and admin page, nothing scrolls sideways at 375 px, and
// every page gets a screenshot in ARTIFACTS/responsible/.
//
// Usage: node responsible_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

import { berlinDay, startHarness } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ICAL = pathToFileURL(
  path.join(here, '..', 'oracle', 'node_modules', 'ical.js', 'dist', 'ical.js')).href;
const RESPONSIBLE = 'oleg.shevchenko@demo.invalid';
const PHONE = 375;

let h;
before(async () => { h = await startHarness('responsible'); });
after(async () => { await h?.stop(); });

/// The first Tuesday of next month, as "YYYY-MM-DD" (a day in Berlin, on the tests' clock).
function nextFirstTuesday() {
  const [year, month] = berlinDay().split('-').map(Number);
  const first = new Date(Date.UTC(year, month, 1));  // month is 1-based: this is next month
  first.setUTCDate(1 + ((2 - first.getUTCDay() + 7) % 7));
  return first.toISOString().slice(0, 10);
}

async function checkPage(page, name) {
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0, `${name} scrolls sideways`);
  await h.screenshot(page, name);
}

test('a responsible creates a monthly online meeting, previews, saves and cancels one',
     async () => {
  const { page } = await h.loginAs(RESPONSIBLE, { width: PHONE });
  await page.goto('/manage');
  await checkPage(page, 'manage');
  await page.getByRole('link', { name: 'Netzwerkstelle Bildung' }).click();
  await page.locator('h1', { hasText: 'Netzwerkstelle Bildung' }).waitFor();
  await checkPage(page, 'manage-unit');
  await page.getByRole('link', { name: 'Neuer Termin' }).first().click();
  await page.locator('h1', { hasText: 'Neuer Termin' }).waitFor();
  await checkPage(page, 'event-form');

  const first = nextFirstTuesday();
  await page.getByLabel('Titel').fill('Online-Stammtisch Bildung');
  await page.getByLabel('Beschreibung').fill('Wir reden über **Bildungsarbeit**.');
  await page.getByLabel('Datum (erster Termin)').fill(first);
  await page.getByLabel('Beginn').fill('19:00');
  await page.getByLabel('Ende', { exact: true }).fill('20:30');
  await page.getByLabel('Online-Link').fill('https://meet.example.org/bildung');
  // The choices are in words for the date the server last saw: preview once to get them for
  // the entered date (the server is the source of truth), then choose.
  await page.getByRole('button', { name: 'Vorschau' }).click();
  await page.locator('#preview-heading').waitFor();
  await page.getByLabel('Wiederholen').selectOption({ label: 'jeden ersten Dienstag im Monat' });
  await page.getByRole('button', { name: 'Vorschau' }).click();
  const preview = page.locator('.preview');
  await preview.getByText('jeden ersten Dienstag im Monat').waitFor();
  const dates = await preview.locator('ol.preview-dates time').evaluateAll(
    (ts) => ts.map((t) => t.getAttribute('datetime')));
  assert.equal(dates.length, 6, `six dates in the preview: ${dates}`);
  assert.equal(dates[0], `${first}T19:00`);
  for (const d of dates) {
    const day = new Date(`${d.slice(0, 10)}T00:00:00Z`);
    assert.equal(day.getUTCDay(), 2, `${d} is a Tuesday`);
    assert.ok(day.getUTCDate() <= 7, `${d} is a first Tuesday`);
  }
  assert.equal(await page.getByLabel('Titel').inputValue(), 'Online-Stammtisch Bildung');
  await checkPage(page, 'event-form-preview');

  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.locator('[role="status"]', { hasText: 'Gespeichert.' }).waitFor();
  const eventId = new URL(page.url()).pathname.split('/')[3];
  await checkPage(page, 'manage-event');

  // Cancel the second occurrence (the button says which one).
  const second = page.locator('li.occurrence').nth(1);
  const key = (await second.locator('h3 a').getAttribute('href')).split('/').pop();
  await second.getByRole('button', { name: /^Termin am .* absagen$/ }).click();
  await page.locator('[role="status"]', { hasText: 'Termin abgesagt.' }).waitFor();
  await page.locator('li.occurrence').nth(1).locator('.badge-cancelled').waitFor();
  await checkPage(page, 'manage-event-cancelled');

  // The attendee list of the first occurrence, and the move form.
  await page.locator('li.occurrence').first().getByRole('link', { name: 'Teilnehmende' }).click();
  await page.locator('h1', { hasText: 'Teilnehmende' }).waitFor();
  await checkPage(page, 'manage-attendees');

  // The unit's feed has the cancelled occurrence as an EXDATE of the new series.
  const response = await page.request.get('/units/bildung.ics');
  assert.equal(response.status(), 200);
  const { default: ICALjs } = await import(ICAL);
  const calendar = new ICALjs.Component(ICALjs.parse(await response.text()));
  const vevent = calendar.getAllSubcomponents('vevent').find(
    (v) => v.getFirstPropertyValue('summary') === 'Online-Stammtisch Bildung');
  assert.ok(vevent, 'the new series is in the feed');
  assert.equal(vevent.getFirstProperty('dtstart').getParameter('tzid'), 'Europe/Berlin');
  const exdates = vevent.getAllProperties('exdate');
  assert.equal(exdates.length, 1, 'one EXDATE');
  assert.equal(exdates[0].getParameter('tzid'), 'Europe/Berlin');
  const cancelled = exdates[0].getFirstValue().toJSDate().toISOString();
  const keyIso = key.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
                             '$1-$2-$3T$4:$5:$6.000Z');
  assert.equal(cancelled, keyIso, 'the EXDATE is the cancelled occurrence');
  assert.match(eventId, /^\d+$/);
});

test('an admin sees units, responsibles and the outbox', async () => {
  await execFileAsync(h, ['admin', 'add', 'admin@example.org']);
  const { page } = await h.loginAs('admin@example.org', { width: PHONE });
  await page.goto('/admin');
  await page.locator('h1', { hasText: 'Administration' }).waitFor();
  await page.getByText('Oleg Shevchenko <oleg.shevchenko@demo.invalid>').waitFor();
  await checkPage(page, 'admin');
  // A bad zone: the error next to the field, what was typed kept.
  await page.getByLabel('Kurzname für die Adresse').fill('klima');
  await page.getByLabel('Name', { exact: true }).fill('Netzwerkstelle Klima');
  await page.getByLabel('Zeitzone').fill('Europe/Nirgendwo');
  await page.getByRole('button', { name: 'Netzwerkstelle anlegen' }).click();
  await page.locator('#e-zone', { hasText: 'Diese Zeitzone kennen wir nicht.' }).waitFor();
  assert.equal(await page.getByLabel('Zeitzone').inputValue(), 'Europe/Nirgendwo');
  await checkPage(page, 'admin-error');
  await page.getByLabel('Zeitzone').fill('Europe/Berlin');
  await page.getByRole('button', { name: 'Netzwerkstelle anlegen' }).click();
  await page.locator('[role="status"]', { hasText: 'Netzwerkstelle angelegt.' }).waitFor();
  await page.goto('/admin/outbox');
  await page.locator('h1', { hasText: 'Postausgang' }).waitFor();
  await page.getByText('admin@example.org').first().waitFor();  // the login link's mail
  await checkPage(page, 'admin-outbox');
});

// Issue 15: the page the "still happening?" mail links to, on a phone; the button confirms.
test('a responsible confirms that a series still happens', async () => {
  const { page } = await h.loginAs(RESPONSIBLE, { width: PHONE });
  await page.goto('/manage/units/bildung');
  const series = page.getByRole('link', { name: 'Treffen der Netzwerkstelle Bildung',
                                          exact: true });
  await page.goto(`${await series.getAttribute('href')}/confirm`);
  await page.locator('h1', { hasText: 'Findet „Treffen der Netzwerkstelle Bildung“ noch statt?' })
    .waitFor();
  assert.ok(await page.locator('.sessions time').count() > 0, 'its next dates are shown');
  await checkPage(page, 'confirm-series');
  await page.getByRole('button', { name: 'Findet weiter statt' }).click();
  await page.locator('[role="status"]', { hasText: 'Danke! Die Reihe ist bestätigt.' }).waitFor();
  await checkPage(page, 'confirm-series-done');
});

/// `treffpunkt ARGS --data <the harness's data folder>` while the server runs.
const run = promisify(execFile);
async function execFileAsync(harness, args) {
  assert.ok(harness.data && harness.binary, 'the harness names its data folder and binary');
  await run(harness.binary, [...args, '--data', harness.data]);
}
