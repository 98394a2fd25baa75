// Issue 13's journey in a real browser, on a phone (375 px): a member proposes an exchange offer
// to the demo's Kommunales unit; a responsible of the unit (Konrad Erben) approves it with a
// date; the member gets the approval mail over SMTP, finds the offer on the unit page, in the
// unit's feed (read with tests/oracle's ical.js, with its category) and in their personal feed.
// axe-core finds no serious or critical violation on any page of the way, and nothing scrolls
// sideways. Screenshots go to ARTIFACTS/proposal/.
//
// Usage: node proposal_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

import { berlinDay, now, startHarness } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ICAL = pathToFileURL(
  path.join(here, '..', 'oracle', 'node_modules', 'ical.js', 'dist', 'ical.js')).href;
const PHONE = 375;
const TITLE = 'Jugendbeteiligung im Gemeinderat: unser Weg';
const MEMBER = 'mia.vorschlag@example.org';

let h;
before(async () => { h = await startHarness('proposal'); });
after(async () => { await h?.stop(); });

async function checkPage(page, name) {
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0, `${name} scrolls sideways`);
  await h.screenshot(page, name);
}

test('a member proposes an offer, a responsible approves it, it is in the calendars', async () => {
  const inThreeWeeks = berlinDay(new Date(now().getTime() + 21 * 86400000));

  // The member proposes, on a phone, from the unit page.
  const { page: mia } = await h.loginAs(MEMBER, { width: PHONE });
  await mia.goto('/units/kommunales');
  await checkPage(mia, 'unit-before');
  await mia.getByRole('link', { name: 'Angebot vorschlagen' }).click();
  await mia.locator('h1', { hasText: 'Ein Austauschangebot vorschlagen' }).waitFor();
  await checkPage(mia, 'propose-form');
  // First without a date nor "flexible": the form comes back with the error, what was typed kept.
  await mia.locator('#f-title').fill(TITLE);
  await mia.locator('#f-description').fill('Wie wir einen **Jugendbeirat** durchgesetzt haben.');
  await mia.locator('#f-location').fill('Rathaus Ilmenau, Raum 104');
  await mia.getByRole('button', { name: 'Vorschlag senden' }).click();
  await mia.locator('.error-summary').waitFor();
  assert.equal(await mia.locator('#f-title').inputValue(), TITLE);
  await checkPage(mia, 'propose-form-error');
  await mia.locator('#f-date1').fill(inThreeWeeks);
  await mia.locator('#f-time1').fill('18:30');
  await mia.locator('#f-duration_minutes').selectOption('90');
  await mia.locator('#f-capacity').fill('15');
  await mia.locator('#f-show_host').check();
  await mia.getByRole('button', { name: 'Vorschlag senden' }).click();
  await mia.locator('.notice', { hasText: 'Danke!' }).waitFor();
  assert.match(new URL(mia.url()).pathname, /^\/me\/proposals\/\d+$/);
  await checkPage(mia, 'proposal-waiting');

  // A responsible of Kommunales decides, on a phone too.
  const { page: konrad } = await h.loginAs('konrad.erben@demo.invalid', { width: PHONE });
  await konrad.goto('/manage');
  await checkPage(konrad, 'manage-home');
  await konrad.locator('a[href="/manage/proposals"]').click();
  await konrad.locator('h1', { hasText: 'Vorgeschlagene Angebote' }).waitFor();
  await checkPage(konrad, 'manage-proposals');
  await konrad.getByRole('link', { name: TITLE }).click();
  await konrad.locator('h1', { hasText: TITLE }).waitFor();
  await checkPage(konrad, 'manage-proposal');
  assert.ok(await konrad.locator('#f-choice1').isChecked(), 'the suggested date is picked');
  assert.equal(await konrad.locator('#f-start').inputValue(), inThreeWeeks);
  assert.equal(await konrad.locator('#f-capacity').inputValue(), '15');
  await konrad.locator('#f-capacity').fill('12');
  await konrad.getByRole('button', { name: 'Annehmen' }).click();
  await konrad.locator('.notice', { hasText: 'Angenommen' }).waitFor();
  await checkPage(konrad, 'manage-approved');

  // The approval mail, over SMTP, with the date and the link to the offer.
  const mails = await h.mailsTo(MEMBER, { count: 2 });  // the login link, then the approval
  const approval = mails.find((m) => m.subject.startsWith('Dein Angebot ist angenommen'));
  assert.ok(approval, `an approval mail; got: ${mails.map((m) => m.subject).join(' | ')}`);
  assert.ok(approval.subject.includes(TITLE), approval.subject);
  assert.match(approval.text, /18:30 Uhr/);
  const offerLink = approval.links.find((l) => /\/events\/\d+\//.test(l));
  assert.ok(offerLink, `a link to the offer: ${approval.links.join(' ')}`);

  // The member finds it on the unit page, among the offers, with themselves named as host.
  await mia.goto('/units/kommunales');
  const offers = mia.locator('section.offers-section');
  await offers.getByRole('link', { name: TITLE }).waitFor();
  await checkPage(mia, 'unit-after');
  await offers.getByRole('link', { name: TITLE }).click();
  await mia.locator('h1', { hasText: TITLE }).waitFor();
  await checkPage(mia, 'offer-page');
  // And hosts it: /me links their page with who comes.
  await mia.goto('/me');
  await mia.getByRole('link', { name: TITLE }).click();
  await mia.locator('h1', { hasText: TITLE }).waitFor();
  await checkPage(mia, 'host-page');

  // The unit's feed: the offer with its category, read by a calendar engine.
  const { default: ICALjs } = await import(ICAL);
  const unitFeed = await mia.request.get('/units/kommunales.ics');
  assert.equal(unitFeed.status(), 200);
  const unitCal = new ICALjs.Component(ICALjs.parse(await unitFeed.text()));
  const vevent = unitCal.getAllSubcomponents('vevent').find(
    (v) => v.getFirstPropertyValue('summary') === TITLE);
  assert.ok(vevent, 'the offer is in the unit feed');
  const categories = vevent.getAllProperties('categories').flatMap((p) => p.getValues());
  assert.ok(categories.some((c) => /Austauschangebot|Exchange offer/i.test(c)),
            `a category says it is an exchange offer: ${categories.join(', ')}`);
  assert.equal(vevent.getFirstProperty('dtstart').getParameter('tzid'), 'Europe/Berlin');
  assert.equal(vevent.getFirstPropertyValue('dtstart').toString().slice(0, 16),
               `${inThreeWeeks}T18:30`);

  // Their personal feed has it too (they host it; they follow no unit).
  const link = await mia.evaluate(async () => {
    const r = await fetch('/api/v1/me/feed', { credentials: 'same-origin' });
    return r.json();
  });
  assert.ok(link.path, `a personal feed link: ${JSON.stringify(link)}`);
  const personal = await mia.request.get(link.path);
  assert.equal(personal.status(), 200);
  const personalCal = new ICALjs.Component(ICALjs.parse(await personal.text()));
  assert.ok(personalCal.getAllSubcomponents('vevent').some(
    (v) => v.getFirstPropertyValue('summary') === TITLE), 'the offer is in the personal feed');

  // The form in English, on a phone, as accessible.
  await mia.goto('/units/kommunales/propose?lang=en');
  await mia.locator('h1', { hasText: 'Propose an exchange offer' }).waitFor();
  await checkPage(mia, 'propose-form-en');
});
