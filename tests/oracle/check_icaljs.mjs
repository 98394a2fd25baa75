// Oracle: ical.js, the iCalendar parser of Thunderbird, reads treffpunkt's feeds and expands
// them; the occurrences must equal the calendar library's own expansion.
//
//   node check_icaljs.mjs [--require-json] DIR [DIR ...]
//
// Every DIR/NAME.ics is parsed (ICAL.parse). Where DIR/NAME.json exists (written by
// oracle_dump), each series is built as an ICAL.Event on its master VEVENT with its
// RECURRENCE-ID overrides related to it (relateException), its occurrences are iterated and
// resolved with getOccurrenceDetails, and the result is compared with the JSON, keyed by
// (UID, RECURRENCE-ID). In a DIR that holds any .json (or with --require-json) every .ics must
// have one; a feed without one (e.g. those the writer's unit tests leave in
// TREFFPUNKT_FEED_DUMP) is still expanded over 2025-2026, which must not fail.
//
// Window rule, the same as calendar::expand (expand.h): an occurrence is included when it
// overlaps [from, to), i.e. start < to and end > from (one of zero length when from <= start <
// to). All-day occurrences are compared by date; their window test uses midnight UTC of their
// dates, which only matters at the window's edges (the feeds avoid that edge).
//
// Differences listed in known_deviations.json (the oracle is wrong by RFC 5545, the library
// right) are accepted exactly as listed, and reported; any other difference fails.
//
// Unlike python3-icalendar, ical.js reads the feed's own VTIMEZONE components, so this also
// checks that they say what the system's tzdata says. VEVENTs with STATUS:CANCELLED are left
// out: calendar apps show them struck through, and the JSON lists only occurrences that are
// not cancelled.

import fs from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';

const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);

/** How far past the window an original start may lie and still be moved into it. */
const MOVE_SLACK_SECONDS = 400 * 86400;
const MAX_STEPS = 200000;
/** The window for feeds without a .json: two years, as oracle_dump's. */
const DEFAULT_FROM = Date.UTC(2025, 0, 1) / 1000;
const DEFAULT_TO = Date.UTC(2027, 0, 1) / 1000;

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** RECURRENCE-ID text as occurrence_key::to_string() writes it. */
function keyOf(time) {
  if (time.isDate) return `${pad(time.year, 4)}${pad(time.month)}${pad(time.day)}`;
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return `${pad(utc.year, 4)}${pad(utc.month)}${pad(utc.day)}T` +
      `${pad(utc.hour)}${pad(utc.minute)}${pad(utc.second)}Z`;
}

/** Seconds since the epoch; a date is its midnight UTC. */
function instant(time) {
  if (time.isDate) return Date.UTC(time.year, time.month - 1, time.day) / 1000;
  return time.toUnixTime();
}

function instantText(time) {
  if (time.isDate) return `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`;
  return new Date(time.toUnixTime() * 1000).toISOString().replace('.000Z', 'Z');
}

/** The window rule of calendar::expand (expand.h). */
function overlaps(start, end, from, to) {
  if (start === end) return from <= start && start < to;
  return start < to && end > from;
}

function isCancelled(component) {
  const status = component.getFirstPropertyValue('status');
  return typeof status === 'string' && status.toUpperCase() === 'CANCELLED';
}

function checkStructure(calendar, where) {
  if (calendar.name !== 'vcalendar') problem(where, `top component is ${calendar.name}`);
  if (calendar.getFirstPropertyValue('method') !== 'PUBLISH') {
    problem(where, `METHOD is ${calendar.getFirstPropertyValue('method')}, not PUBLISH`);
  }
  const zones = new Set(calendar.getAllSubcomponents('vtimezone')
      .map((tz) => tz.getFirstPropertyValue('tzid')));
  // ical.js silently treats a TZID without VTIMEZONE as floating time; that must not pass.
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    for (const prop of vevent.getAllProperties()) {
      const tzid = prop.getParameter('tzid');
      if (tzid && !zones.has(tzid)) {
        problem(where, `${vevent.getFirstPropertyValue('uid')}: ${prop.name.toUpperCase()} ` +
            `uses TZID ${tzid}, which has no VTIMEZONE`);
      }
    }
  }
}

/** The CATEGORIES label of each kind (calendar::category_label) by the value of
 * X-TREFFPUNKT-KIND: without a language, in German, in English. */
const KIND_LABELS = {
  'MEETING': ['MEETING', 'Treffen', 'Meeting'],
  'EXCHANGE-OFFER': ['EXCHANGE-OFFER', 'Austauschangebot', 'Exchange offer'],
};

/** Each VEVENT carries its kind as X-TREFFPUNKT-KIND and as one CATEGORIES value, the label of
 * that kind, in one language for the whole feed (docs/calendar.md). */
function checkKinds(calendar, where) {
  const languages = new Set();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const uid = vevent.getFirstPropertyValue('uid');
    const kind = vevent.getFirstPropertyValue('x-treffpunkt-kind');
    const labels = KIND_LABELS[kind];
    if (!labels) {
      problem(where, `${uid}: X-TREFFPUNKT-KIND is ${JSON.stringify(kind)}`);
      continue;
    }
    const categories =
        vevent.getAllProperties('categories').flatMap((p) => p.getValues().map(String));
    if (categories.length !== 1 || !labels.includes(categories[0])) {
      problem(where, `${uid}: CATEGORIES ${JSON.stringify(categories)} for ${kind}`);
      continue;
    }
    languages.add(labels.indexOf(categories[0]));
  }
  if (languages.size > 1) problem(where, 'CATEGORIES in more than one language');
}

function expandFeed(calendar, from, to, where) {
  const vevents = calendar.getAllSubcomponents('vevent');
  const overridesByUid = new Map();
  const masters = [];
  for (const vevent of vevents) {
    if (vevent.hasProperty('recurrence-id')) {
      const uid = vevent.getFirstPropertyValue('uid');
      if (!overridesByUid.has(uid)) overridesByUid.set(uid, []);
      overridesByUid.get(uid).push(vevent);
    } else {
      masters.push(vevent);
    }
  }

  const found = new Map();
  for (const master of masters) {
    if (isCancelled(master)) continue;
    // No automatic relation (it would take every override of the feed); ours by UID.
    const event = new ICAL.Event(master, {strictExceptions: true, exceptions: []});
    for (const override of overridesByUid.get(event.uid) ?? []) event.relateException(override);
    overridesByUid.delete(event.uid);

    const iterator = event.iterator();
    let steps = 0;
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (++steps > MAX_STEPS) {
        problem(where, `${event.uid}: more than ${MAX_STEPS} occurrences, gave up`);
        break;
      }
      if (instant(next) > to + MOVE_SLACK_SECONDS) break;
      const details = event.getOccurrenceDetails(next);
      if (details.item !== event && isCancelled(details.item.component)) continue;
      const start = instant(details.startDate);
      const end = instant(details.endDate);
      if (!overlaps(start, end, from, to)) continue;
      const key = `${event.uid} ${keyOf(details.recurrenceId)}`;
      if (found.has(key)) problem(where, `ical.js yields ${key} twice`);
      found.set(key, {
        start: instantText(details.startDate),
        end: instantText(details.endDate),
        all_day: details.startDate.isDate,
        title: details.item.summary ?? '',
      });
      if (!event.isRecurring()) break;
    }
  }
  for (const uid of overridesByUid.keys()) problem(where, `override of ${uid} has no master`);
  return found;
}

/**
 * Removes from both sides the differences that known_deviations.json lists for ical.js,
 * exactly as listed; a listed difference that does not occur is a problem too.
 */
function takeKnownDeviations(expected, found, feed, where) {
  const doc = JSON.parse(fs.readFileSync(
      new URL('./known_deviations.json', import.meta.url), 'utf8'));
  for (const d of doc.deviations) {
    if (d.oracle !== 'ical.js' || d.feed !== feed) continue;
    // "oracle_says": null lists an occurrence the oracle does not show at all.
    const says = d.oracle_says;
    const ours = `${d.uid} ${d.treffpunkt.recurrence_id}`;
    const theirs = says ? `${d.uid} ${says.recurrence_id}` : null;
    const e = expected.get(ours);
    const f = says ? found.get(theirs) : null;
    const asListed = e && ['start', 'end'].every((k) => e[k] === d.treffpunkt[k]) && (says ?
        f && ['start', 'end'].every((k) => f[k] === says[k]) :
        ![...found].some(([k, v]) => k.startsWith(`${d.uid} `) && v.start === e.start));
    if (!asListed) {
      problem(where, `known deviation no longer occurs as listed: ${ours} (delete it from ` +
          'known_deviations.json if the oracle is fixed)');
      continue;
    }
    expected.delete(ours);
    if (says) found.delete(theirs);
    console.log(`    known deviation, treffpunkt follows ${d.rule.split(':')[0]}: ${d.uid} ` +
        `${d.treffpunkt.start}..${d.treffpunkt.end}, ical.js ` +
        (says ? `${says.start}..${says.end}` : 'nothing'));
  }
}

function compare(expected, found, where) {
  const keys = [...new Set([...expected.keys(), ...found.keys()])].sort();
  for (const key of keys) {
    const e = expected.get(key);
    const f = found.get(key);
    const [uid, recurrenceId] = key.split(' ');
    if (!f) {
      problem(where, `missing in ical.js: ${uid} RECURRENCE-ID ${recurrenceId} ` +
          `(${e.start} .. ${e.end})`);
    } else if (!e) {
      problem(where, `only in ical.js: ${uid} RECURRENCE-ID ${recurrenceId} ` +
          `(${f.start} .. ${f.end})`);
    } else {
      for (const field of ['start', 'end', 'all_day', 'title']) {
        if (e[field] !== f[field]) {
          problem(where, `${uid} RECURRENCE-ID ${recurrenceId}: ${field} is ` +
              `${JSON.stringify(f[field])} in ical.js, ${JSON.stringify(e[field])} in treffpunkt`);
        }
      }
    }
  }
}

function checkFeed(file, requireJson) {
  const where = path.basename(file);
  let calendar;
  try {
    calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    problem(where, `ical.js cannot parse it: ${e.name}: ${e.message}`);
    return 'not parsed';
  }
  checkStructure(calendar, where);
  checkKinds(calendar, where);

  const jsonFile = file.replace(/\.ics$/, '.json');
  if (!fs.existsSync(jsonFile)) {
    if (requireJson) {
      problem(where, `no ${path.basename(jsonFile)} beside it`);
      return 'not compared';
    }
    // Nothing to compare with (a feed of the writer's tests): it must still expand.
    try {
      const found = expandFeed(calendar, DEFAULT_FROM, DEFAULT_TO, where);
      return `${found.size} occurrences expanded, no .json to compare with`;
    } catch (e) {
      problem(where, `ical.js fails to expand: ${e.name}: ${e.message}`);
      return 'not compared';
    }
  }
  const doc = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  const from = Date.parse(doc.from) / 1000;
  const to = Date.parse(doc.to) / 1000;
  const expected = new Map();
  for (const o of doc.occurrences) {
    const key = `${o.uid} ${o.recurrence_id}`;
    if (expected.has(key)) problem(where, `treffpunkt lists ${key} twice`);
    expected.set(key, o);
  }
  let found;
  try {
    found = expandFeed(calendar, from, to, where);
  } catch (e) {
    problem(where, `ical.js fails to expand: ${e.name}: ${e.message}`);
    return 'not compared';
  }
  const compared = expected.size;
  takeKnownDeviations(expected, found, path.basename(file, '.ics'), where);
  compare(expected, found, where);
  return `${compared} occurrences compared`;
}

function main(args) {
  const requireJson = args.includes('--require-json');
  const dirs = args.filter((a) => a !== '--require-json');
  if (dirs.length === 0) {
    console.error('usage: node check_icaljs.mjs [--require-json] DIR [DIR ...]');
    return 2;
  }
  const version = JSON.parse(fs.readFileSync(
      new URL('./node_modules/ical.js/package.json', import.meta.url), 'utf8')).version;
  console.log(`ical.js ${version}`);
  let feeds = 0;
  for (const dir of dirs) {
    const files = fs.existsSync(dir) ?
        fs.readdirSync(dir).filter((f) => f.endsWith('.ics')).sort() : [];
    if (files.length === 0) problem(dir, 'no .ics files');
    // A folder with expansions (oracle_dump's) must have one for every feed in it.
    const strict = requireJson ||
        (files.length > 0 && fs.readdirSync(dir).some((f) => f.endsWith('.json')));
    for (const f of files) {
      const outcome = checkFeed(path.join(dir, f), strict);
      feeds += 1;
      console.log(`  ${path.join(dir, f)}: ${outcome}`);
    }
  }
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):`);
    for (const p of problems) console.error(`  ${p}`);
    return 1;
  }
  console.log(`ok: ${feeds} feed(s) agree`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
