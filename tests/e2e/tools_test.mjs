// Issue 14's tools of a responsible in a real browser, on a phone (375 px): change the demo's
// Bildung series "from this date on" (a new time and place for the later dates), and see the
// clash warning when a new session is previewed on top of one. axe-core finds no serious or
// critical violation on any page of the way, and nothing scrolls sideways. Screenshots go to
// ARTIFACTS/tools/.
//
// Usage: node tools_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startHarness } from './harness.mjs';

const RESPONSIBLE = 'oleg.shevchenko@demo.invalid';  // Netzwerkstelle Bildung
const PHONE = 375;

let h;
before(async () => { h = await startHarness('tools'); });
after(async () => { await h?.stop(); });

async function checkPage(page, name) {
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0, `${name} scrolls sideways`);
  await h.screenshot(page, name);
}

test('a responsible changes a series from one date on and sees a clash warning', async () => {
  const { page } = await h.loginAs(RESPONSIBLE, { width: PHONE });
  await page.goto('/manage/units/bildung');
  await page.getByRole('link', { name: 'Treffen der Netzwerkstelle Bildung' }).click();
  await page.locator('h1', { hasText: 'Treffen der Netzwerkstelle Bildung' }).waitFor();
  await checkPage(page, 'series');

  // "Change from this date on" at the third date still to come.
  const third = page.locator('li.occurrence').nth(2);
  const when = await third.locator('h3 time').getAttribute('datetime');
  await third.getByRole('link', { name: 'Ab diesem Termin ändern' }).click();
  await page.locator('h1', { hasText: 'ändern' }).waitFor();
  await checkPage(page, 'split-form');
  assert.equal(await page.getByLabel('Beginn').inputValue(), when.slice(11, 16));
  await page.getByLabel('Beginn').fill('19:00');
  await page.getByLabel('Ende').fill('20:30');
  await page.getByLabel('Ort').fill('Rathaus Erfurt, Raum 3');
  await page.getByRole('button', { name: 'Ab hier ändern' }).click();
  await page.locator('[role="status"]', { hasText: 'ab diesem Termin geändert' }).waitFor();
  await checkPage(page, 'split-done');
  // The new series starts at that date, at 19:00; the earlier dates stay with the old one.
  const first = await page.locator('li.occurrence h3 time').first().getAttribute('datetime');
  assert.equal(first, `${when.slice(0, 10)}T19:00`);

  // A new session on top of the new series' first date: the preview warns, in words.
  await page.goto('/manage/units/bildung/events/new');
  await page.getByLabel('Titel').fill('Sondertreffen');
  await page.getByLabel('Datum (erster Termin)').fill(when.slice(0, 10));
  await page.getByLabel('Beginn').fill('19:30');
  await page.getByLabel('Ende', { exact: true }).fill('21:00');
  await page.getByRole('button', { name: 'Vorschau' }).click();
  const warning = page.locator('.preview .notice-warning');
  await warning.waitFor();
  assert.match(await warning.innerText(), /Überschneidet sich mit „Treffen der Netzwerkstelle Bildung“/);
  assert.match(await warning.innerText(), /dieselbe Netzwerkstelle/);
  await checkPage(page, 'clash-preview');
});
