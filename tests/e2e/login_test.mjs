// A member logs in by emailed link in a real browser, is then logged in (the session cookie,
// GET /api/v1/me from the page itself), cannot use the link twice, and logs out with the
// /logout form (its CSRF token). Screenshots of each step go to ARTIFACTS/login/.
//
// Usage: node login_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startHarness } from './harness.mjs';

let h;
before(async () => { h = await startHarness('login'); });
after(async () => { await h?.stop(); });

/// GET /api/v1/me as the page's own script would: the browser's cookies, its origin.
function me(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/me', { credentials: 'same-origin' });
    return { status: r.status, body: await r.text() };
  });
}

test('a member logs in by the emailed link and out again', async () => {
  const address = 'Mitglied.Browser@Example.org';
  const { context, page, mail, link, response } = await h.loginAs(address);

  assert.match(mail.subject, /treffpunkt/);
  assert.deepEqual(mail.to, ['mitglied.browser@example.org']);
  assert.equal(response.status(), 200, `the link led to ${response.url()} (${response.status()})`);
  assert.equal(new URL(page.url()).pathname, '/', 'after the link, the browser is on /');
  await h.screenshot(page, 'logged-in');

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'session');
  assert.ok(session, `no session cookie; cookies: ${cookies.map((c) => c.name).join(', ')}`);
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.equal(session.path, '/');
  assert.equal(await page.evaluate(() => document.cookie.includes('session=')), false,
               'the session cookie is visible to scripts');

  const who = await me(page);
  assert.equal(who.status, 200, who.body);
  assert.equal(JSON.parse(who.body).email, 'mitglied.browser@example.org');

  // Another browser (no cookies) is not logged in.
  const { page: stranger } = await h.openPage('/');
  assert.equal((await me(stranger)).status, 401);

  // The link works once: pressing its button again shows an error page that leads back to
  // /login.
  assert.equal((await stranger.goto(link)).status(), 200);
  const [again] = await Promise.all([
    stranger.waitForNavigation(),
    stranger.locator(`form[action="${new URL(link).pathname}"] [type="submit"]`).click(),
  ]);
  assert.equal(again.status(), 410);
  assert.ok(await stranger.locator('a[href="/login"]').count() > 0, 'no way back to /login');
  assert.equal((await me(stranger)).status, 401);
  await h.screenshot(stranger, 'link-used-twice');

  // Logout by the form (CSRF token in the form, cookie in the browser).
  await page.goto('/logout');
  await h.screenshot(page, 'logout-form');
  const [out] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' &&
                                new URL(r.url()).pathname === '/logout'),
    page.locator('form[action="/logout"] [type="submit"]').click(),
  ]);
  assert.ok(out.status() === 303 || out.status() === 200, `POST /logout answered ${out.status()}`);
  await page.waitForLoadState('load');
  assert.equal((await me(page)).status, 401, 'still logged in after logging out');
  assert.equal((await context.cookies()).some((c) => c.name === 'session'), false);
});
