// Issue 6's scenario in a real browser: "A member RSVPs to a full exchange offer, lands on the
// waitlist, and moves up when another withdraws." A responsible of the demo's Frauen* unit
// (logged in by the emailed link) makes one exchange offer small (capacity 1) through the JSON
// API from her own browser; then two members, each in their own browser context, answer on the
// occurrence page (the script sends the form and swaps the RSVP area in place): the first gets
// the place, the second the waitlist. The first withdraws; the second's page and /me show the
// place, and the promotion mail arrives. axe-core checks the occurrence page and /me logged in,
// at 375 px nothing scrolls sideways. Screenshots go to ARTIFACTS/member/.
//
// Usage: node member_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { berlinDay, now, startHarness } from './harness.mjs';

let h;
before(async () => { h = await startHarness('member'); });
after(async () => { await h?.stop(); });

/// A JSON API call from the page itself (its cookies, its origin).
function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const r = await fetch(p, {
      method: m,
      credentials: 'same-origin',
      headers: b === undefined ? {} : { 'Content-Type': 'application/json' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: r.status, body: await r.text() };
  }, [method, path, body]);
}

/// Presses an answer button in the RSVP area and waits for the area to be replaced.
async function answer(page, label) {
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' &&
                                new URL(r.url()).pathname.endsWith('/rsvp')),
    page.locator('form[data-rsvp-form] button', { hasText: label }).click(),
  ]);
  assert.equal(posted.status(), 200, `the RSVP answered ${posted.status()}`);
  await page.locator('section.rsvp [role="status"]').waitFor();
}

test('a member on the waitlist of a full exchange offer moves up when another withdraws',
     async () => {
  // The responsible makes the first open exchange offer of Frauen* small.
  const { page: rosa } = await h.loginAs('rosa.schererz@demo.invalid');
  const today = now();
  const listed = JSON.parse((await api(rosa, 'GET', '/api/v1/units/frauen/occurrences?from=' +
    `${berlinDay(today)}&to=${berlinDay(new Date(today.getTime() + 365 * 86400000))}`)).body)
    .occurrences;
  const occurrence = listed.find((o) => o.kind === 'exchange_offer' && o.capacity !== null &&
                                         !o.cancelled &&
                                         Date.parse(o.start) > now().getTime() + 2 * 86400000);
  assert.ok(occurrence, 'the demo has an upcoming exchange offer with places in Frauen*');
  const offer = { id: occurrence.event, title: occurrence.title };
  const patched = await api(rosa, 'PATCH', `/api/v1/events/${offer.id}`, { capacity: 1 });
  assert.equal(patched.status, 200, patched.body);
  const path = `/events/${offer.id}/${occurrence.key}`;

  // The first member takes the only place, in the browser with the script.
  const first = await h.loginAs('erste.mitglied@example.org');
  await first.page.goto(path);
  await answer(first.page, 'Ja');
  await first.page.locator('.rsvp-status', { hasText: 'Du bist dabei.' }).waitFor();
  assert.equal(new URL(first.page.url()).pathname, path, 'no page change: the area was swapped');
  await h.screenshot(first.page, 'first-going');

  // The second member, on a phone, lands on the waitlist.
  const second = await h.loginAs('zweite.mitglied@example.org', { width: 375 });
  await second.page.goto(path);
  await answer(second.page, 'Ja');
  await second.page.locator('.rsvp-status',
                            { hasText: 'Du stehst auf der Warteliste (Platz 1).' }).waitFor();
  await h.checkAxe(second.page);
  assert.equal((await h.horizontalOverflow(second.page)).excess, 0);
  await h.screenshot(second.page, 'second-waitlisted');
  await second.page.goto('/me');
  await second.page.locator('.badge', { hasText: 'Warteliste (Platz 1)' }).waitFor();
  await h.checkAxe(second.page);
  assert.equal((await h.horizontalOverflow(second.page)).excess, 0);

  // The first withdraws; the second moves up and is told by mail.
  const mailsBefore = (await h.mailsTo('zweite.mitglied@example.org', { count: 0 })).length;
  await answer(first.page, 'Nein');
  await first.page.locator('.rsvp-status', { hasText: 'Abgesagt' }).waitFor();
  await h.checkAxe(first.page);
  await second.page.reload();
  await second.page.locator('.badge', { hasText: 'Du bist dabei.' }).waitFor();
  assert.ok(await second.page.locator(`a[href="${path}"]`).count() > 0, '/me links the session');
  await h.screenshot(second.page, 'second-me-moved-up');
  const mails = await h.mailsTo('zweite.mitglied@example.org', { count: mailsBefore + 1 });
  const promotion = mails.slice(mailsBefore).find((m) => /Du bist dabei/.test(m.subject));
  assert.ok(promotion, `a promotion mail; got: ${mails.map((m) => m.subject).join(' | ')}`);
  assert.ok(promotion.subject.includes(offer.title), promotion.subject);
  await second.page.goto(path);
  await second.page.locator('.rsvp-status', { hasText: 'Du bist dabei.' }).waitFor();
  await h.checkAxe(second.page);
});
