// Issue 5's scenario in a real browser: "A newcomer opens the home page, finds Netzwerkstelle
// Bildung, copies its feed link (which then parses as iCalendar), RSVPs as a guest, receives the
// confirmation email in the test's SMTP server, opens its link, and is counted." On a phone
// (375 px) without an account: the feed link from the unit page is fetched and read with
// Debian's python3-icalendar; the guest form on an occurrence page sends the link mail; opening
// the link only asks (a button: mail scanners follow links), the button confirms; the places
// shown on the occurrence page change, and the confirmation mail with the invitation arrives.
// axe-core checks the "sent" page and both confirm pages. Screenshots go to ARTIFACTS/guest/.
//
// Usage: node guest_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { now, startHarness } from './harness.mjs';

const run = promisify(execFile);
const GUEST = 'neu.ling@example.org';

let h;
before(async () => { h = await startHarness('guest'); });
after(async () => { await h?.stop(); });

/// How many VEVENTs python3-icalendar reads from `ics` (it throws on what is not iCalendar).
async function parseWithIcalendar(ics) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'treffpunkt-guest-'));
  try {
    const file = path.join(dir, 'feed.ics');
    await fsp.writeFile(file, ics);
    const { stdout } = await run('/usr/bin/python3', ['-c',
      'import sys, icalendar\n' +
      'cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())\n' +
      'print(len([c for c in cal.walk() if c.name == "VEVENT"]))', file]);
    return parseInt(stdout, 10);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

test('a newcomer subscribes to Bildung, RSVPs as a guest, confirms by mail and is counted',
     async () => {
  const context = await h.newContext({ width: 375, height: 800 });
  const page = await context.newPage();

  // The home page, then Netzwerkstelle Bildung.
  await page.goto('/');
  await page.getByRole('link', { name: 'Netzwerkstelle Bildung' }).first().click();
  await page.waitForURL(/\/units\/bildung$/);

  // The feed link, as the copy field shows it (the copy button copies that field).
  const feed = await page.locator('#feed-url').inputValue();
  assert.match(feed, /\/units\/bildung\.ics$/);
  const fetched = await fetch(feed);
  assert.equal(fetched.status, 200);
  assert.match(fetched.headers.get('content-type'), /^text\/calendar/);
  const ics = await fetched.text();
  assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n'), ics.slice(0, 80));
  assert.ok(await parseWithIcalendar(ics) > 0, 'the feed has events');

  // An upcoming session of Bildung that takes RSVPs, from the unit page's list.
  const listed = await (await fetch(new URL('/api/v1/units/bildung/occurrences', h.base))).json();
  const occurrence = listed.occurrences.find((o) =>
    !o.cancelled && Date.parse(o.start) > now().getTime() + 2 * 86400000 &&
    (o.capacity === null || o.going < o.capacity));
  assert.ok(occurrence, 'Bildung has an upcoming session with room');
  const sessionPath = `/events/${occurrence.event}/${occurrence.key}`;
  const onUnitPage = page.locator(`a[href="${sessionPath}"]`).first();
  if (await onUnitPage.count() > 0) {
    await onUnitPage.click();
    await page.waitForURL((u) => u.pathname === sessionPath);
  } else {
    await page.goto(sessionPath);
  }
  const placesBefore = (await page.locator('dd.places').textContent()).trim();

  // The guest form: name, address, answer.
  await page.getByLabel('Dein Name').fill('Neu Ling');
  await page.getByLabel('Deine E-Mail-Adresse').fill(GUEST);
  await page.getByRole('radio', { name: 'Ja' }).check();
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' &&
                                new URL(r.url()).pathname === `${sessionPath}/guest-rsvp`),
    page.getByRole('button', { name: 'Antwort schicken' }).click(),
  ]);
  await page.getByText('Wir haben dir eine E-Mail geschickt').waitFor();
  assert.equal((await page.locator('dd.places').textContent()).trim(), placesBefore,
               'a pending guest takes no place');
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0);
  await h.screenshot(page, 'guest-sent');

  // The mail with the link.
  const [linkMail] = await h.mailsTo(GUEST, { count: 1 });
  assert.match(linkMail.subject, /Bitte bestätige deine Zusage/);
  const link = linkMail.links.find((u) => new URL(u).pathname.startsWith('/rsvp/confirm/'));
  assert.ok(link, `a confirm link; got ${linkMail.links.join(' ')}`);

  // Opening it only asks.
  const asked = await page.goto(link);
  assert.equal(asked.status(), 200);
  await page.getByRole('heading', { name: 'Teilnahme bestätigen' }).waitFor();
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0);
  await h.screenshot(page, 'confirm-ask');
  const stillPending = await page.context().request.get(
    new URL(`/api/v1/events/${occurrence.event}/occurrences/${occurrence.key}`, h.base).href);
  assert.equal((await stillPending.json()).going, occurrence.going, 'GET confirmed nothing');

  // The button confirms.
  await Promise.all([
    page.waitForURL(link),
    page.getByRole('button', { name: 'Teilnahme bestätigen' }).click(),
  ]);
  await page.getByRole('heading', { name: 'Du bist dabei' }).waitFor();
  await h.checkAxe(page);
  assert.equal((await h.horizontalOverflow(page)).excess, 0);
  await h.screenshot(page, 'confirm-done');
  const mails = await h.mailsTo(GUEST, { count: 2 });
  assert.match(mails[1].subject, /^Angemeldet: /);

  // Counted: the occurrence page shows one place fewer (or one more RSVP).
  await page.getByRole('link', { name: 'Zum Termin' }).click();
  await page.waitForURL((u) => u.pathname === sessionPath);
  const placesAfter = (await page.locator('dd.places').textContent()).trim();
  assert.notEqual(placesAfter, placesBefore);
  const counted = await (await fetch(new URL(
    `/api/v1/events/${occurrence.event}/occurrences/${occurrence.key}`, h.base))).json();
  assert.equal(counted.going, occurrence.going + 1);
  await h.screenshot(page, 'counted');
});
