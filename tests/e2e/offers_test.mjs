// Issue 13's pages in a real browser: the unit page's month view read on a phone, and the
// exchange offers listed apart on the unit pages and the home page.
//
// At 375 px, every demo unit's page in German and English, in this month and the next:
//   - no text in the month view is broken inside a word (its line boxes are never more than
//     its words) nor squeezed into a column narrower than a few characters; the titles are
//     not in the grid at all, and each day with sessions links (one dot per session) to that
//     day in the list below the grid, which is shown;
//   - following a day's link lands on that day in the list;
//   - axe-core finds no serious or critical violation, nothing scrolls sideways.
// At 1280 px the grid shows the titles again and the list is hidden.
// The home page at both widths and in both languages lists the demo's next exchange offers
// (each with its unit) in a section of their own, apart from the meetings; the unit pages
// list their offers apart from their meetings. Screenshots go to ARTIFACTS/offers/.
//
// Usage: node offers_test.mjs PATH/TO/treffpunkt [--artifacts DIR]

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startHarness } from './harness.mjs';

const UNITS = ['frauen', 'bildung', 'antifa', 'kommunales'];
const LANGS = [['de', 'de-DE'], ['en', 'en-GB']];

let h;
before(async () => { h = await startHarness('offers'); });
after(async () => { await h?.stop(); });

/// Text in the month view that a reader would find broken: wrapped inside a word (more line
/// boxes than words), or set in a box narrower than about three characters. Text that is not
/// rendered or only for screen readers (.visually-hidden) is skipped.
function brokenMonthText(page) {
  return page.evaluate(() => {
    const section = document.querySelector('section[aria-labelledby="month-heading"]');
    const out = [];
    const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.replace(/\s+/g, ' ').trim();
      const parent = node.parentElement;
      if (!text || parent.closest('.visually-hidden') || !parent.checkVisibility()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (!rects.length) continue;
      const lines = new Set(rects.map((r) => Math.round(r.top))).size;
      const words = text.split(/[\s\u2010-\u2014-]+/).filter(Boolean).length;
      const fontSize = parseFloat(getComputedStyle(parent).fontSize);
      const widest = Math.max(...rects.map((r) => r.width));
      if (lines > words) {
        out.push(`"${text}" wraps inside a word: ${lines} lines for ${words} word(s)`);
      } else if (text.length >= 4 && widest < 1.5 * fontSize) {
        out.push(`"${text}" is squeezed into ${Math.round(widest)} px`);
      }
    }
    return out;
  });
}

/// What the month view shows: titles in the grid, day links with their dots and targets.
function monthState(page) {
  return page.evaluate(() => {
    const visible = (el) => el.checkVisibility();
    const titles = [...document.querySelectorAll('table.month a:not(.day-link)')];
    const dayLinks = [...document.querySelectorAll('table.month a.day-link')].map((a) => {
      const target = document.getElementById(a.getAttribute('href').slice(1));
      const box = a.getBoundingClientRect();
      return {
        href: a.getAttribute('href'),
        visible: visible(a),
        dots: a.querySelectorAll('.dot').length,
        width: box.width,
        height: box.height,
        target: target ? { visible: visible(target), sessions: target.querySelectorAll('li').length }
                       : null,
      };
    });
    const list = document.querySelector('.month-days');
    return {
      titlesVisible: titles.filter(visible).length,
      titles: titles.length,
      dayLinks,
      listVisible: list ? visible(list) : false,
    };
  });
}

test('the month view is readable at 375 px and the grid keeps its titles at 1280 px',
     async (t) => {
  for (const [lang, locale] of LANGS) {
    const phone = await h.newContext({ width: 375, height: 800, locale });
    const wide = await h.newContext({ width: 1280, height: 800, locale });
    const page = await phone.newPage();
    const widePage = await wide.newPage();
    for (const slug of UNITS) {
      await t.test(`${slug} (${lang})`, async () => {
        const response = await page.goto(`/units/${slug}`);
        assert.equal(response.status(), 200);
        // This month and the next: each shows some of the demo's sessions.
        const next = await page.locator('.month-nav a').nth(1).getAttribute('href');
        for (const query of ['', next]) {
          if (query) await page.goto(`/units/${slug}${query}`);
          const where = `/units/${slug}${query} (${lang}, 375 px)`;
          const broken = await brokenMonthText(page);
          assert.deepEqual(broken, [], `${where}: month view text broken:\n${broken.join('\n')}`);
          const state = await monthState(page);
          assert.equal(state.titlesVisible, 0, `${where}: titles in the grid`);
          assert.ok(state.dayLinks.length > 0 && state.dayLinks.length <= state.titles,
                    `${where}: days with sessions link to the list`);
          assert.ok(state.listVisible, `${where}: the list of the month's days is shown`);
          for (const d of state.dayLinks) {
            assert.ok(d.visible && d.dots > 0, `${where}: ${d.href} shows its dots`);
            assert.ok(d.width >= 40 && d.height >= 40,
                      `${where}: ${d.href} is a target of ${d.width}x${d.height} px`);
            assert.ok(d.target?.visible && d.target.sessions >= d.dots,
                      `${where}: ${d.href} leads to its day in the list`);
          }
          await h.checkAxe(page);
          const { excess, culprits } = await h.horizontalOverflow(page);
          assert.equal(excess, 0, `${where}: scrolls sideways: ${culprits.join(', ')}`);
          await h.screenshot(page, `375/${slug}${query ? '-next' : ''}.${lang}`);
        }

        // A day's link leads to that day in the list.
        await page.goto(`/units/${slug}`);
        const first = page.locator('table.month a.day-link').first();
        const href = await first.getAttribute('href');
        await first.click();
        await page.waitForURL((u) => u.hash === href);
        assert.ok(await page.locator(`${href}:target`).isVisible(), `${href} is the target`);
        assert.ok(await page.locator(`${href}:target`).evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top >= -1 && r.top < window.innerHeight;
        }), `${href} is scrolled into view`);

        // At 1280 px the grid shows the titles, and the list is not needed.
        await widePage.goto(`/units/${slug}`);
        const state = await monthState(widePage);
        assert.equal(state.titlesVisible, state.titles, `${slug} (${lang}, 1280 px): titles`);
        assert.ok(state.titles > 0);
        assert.ok(!state.listVisible && state.dayLinks.every((d) => !d.visible),
                  `${slug} (${lang}, 1280 px): no dots, no list`);
        await h.checkAxe(widePage);
        await h.screenshot(widePage, `1280/${slug}.${lang}`);
      });
    }
    await phone.close();
    await wide.close();
  }
});

test('exchange offers are listed apart on the home page and the unit pages', async (t) => {
  const heading = { de: 'Austauschangebote', en: 'Exchange offers' };
  const meetings = { de: 'Die nächsten Treffen', en: 'Next meetings' };
  for (const [lang, locale] of LANGS) {
    for (const width of [375, 1280]) {
      await t.test(`home (${lang}, ${width} px)`, async () => {
        const context = await h.newContext({ width, locale });
        const page = await context.newPage();
        assert.equal((await page.goto('/')).status(), 200);
        const offers = page.getByRole('region', { name: heading[lang], exact: true });
        await offers.waitFor();
        const items = offers.locator('li');
        const n = await items.count();
        // The demo has at least two exchange offers to come on any day (usecases/src/demo.cpp).
        assert.ok(n >= 2 && n <= 8, `${n} offers on the home page`);
        for (let i = 0; i < n; ++i) {
          const item = items.nth(i);
          assert.match(await item.locator('a').getAttribute('href'),
                       /^\/events\/\d+\/\d{8}T\d{6}Z$/);
          assert.match(await item.locator('.unit').textContent(), /Netzwerkstelle/);
          assert.ok(await item.locator('time').isVisible());
        }
        const offerLinks = await offers.locator('a').evaluateAll(
          (as) => as.map((a) => a.getAttribute('href')));
        const meetingLinks = await page.getByRole('region', { name: meetings[lang] })
          .locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(meetingLinks.length > 0, 'the next meetings are listed too');
        assert.deepEqual(offerLinks.filter((l) => meetingLinks.includes(l)), [],
                         'no offer among the meetings');
        await h.checkAxe(page);
        if (width === 375) assert.equal((await h.horizontalOverflow(page)).excess, 0);
        await h.screenshot(page, `${width}/home.${lang}`);
        await context.close();
      });
    }
  }

  await t.test('unit pages', async () => {
    const context = await h.newContext({ width: 375 });
    const page = await context.newPage();
    let withOffers = 0;
    for (const slug of UNITS) {
      await page.goto(`/units/${slug}`);
      const offers = page.getByRole('region', { name: 'Austauschangebote', exact: true });
      if (await offers.count() === 0) {
        // One line instead of an empty heading.
        assert.equal(await page.locator('p.no-offers').count(), 1, slug);
        continue;
      }
      ++withOffers;
      assert.equal(await page.locator('p.no-offers').count(), 0, slug);
      const offerLinks = await offers.locator('a').evaluateAll(
        (as) => as.map((a) => a.getAttribute('href')));
      const meetingLinks = await page.getByRole('region', { name: 'Kommende Treffen' })
        .locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.ok(offerLinks.length > 0, slug);
      assert.deepEqual(offerLinks.filter((l) => meetingLinks.includes(l)), [], slug);
    }
    assert.ok(withOffers >= 2, 'the demo has offers to come in at least two units');
    await context.close();
  });
});
