#!/usr/bin/python3
"""The responsibles' and admins' pages over a real loopback socket (issue 6): who may see
them, the event form with its preview and errors, moving and cancelling one occurrence (and
what the unit's feed then says), the attendee list and its CSV, and the admin pages.

Usage: manage_pages_test.py PATH/TO/treffpunkt
"""
import csv
import datetime
import email
import email.policy
import glob
import http.client
import io
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.parse
from html import unescape

from server_process import Server
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"
RESPONSIBLE = "oleg.shevchenko@demo.invalid"  # Netzwerkstelle Bildung (server/src/demo.cpp)
OTHER_RESPONSIBLE = "rosa.schererz@demo.invalid"  # Netzwerkstelle Frauen*
ADMIN = "admin@example.org"
MEMBER = "mitglied@example.org"
TOKENS = {}


def prepare(data):
    """API tokens (Bearer works for the pages too) and an admin, before the server starts."""
    subprocess.run([BINARY, "admin", "add", ADMIN, "--data", data], check=True,
                   capture_output=True)
    for who in (RESPONSIBLE, OTHER_RESPONSIBLE, ADMIN, MEMBER):
        out = subprocess.run([BINARY, "token", "create", who, "--data", data], check=True,
                             capture_output=True, text=True).stdout
        TOKENS[who] = out.split()[0]


class Reply:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.body = raw.decode("utf-8", errors="replace")

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def csrf_cookie(self):
        for k, v in self.headers:
            if k == "set-cookie" and v.startswith("csrf="):
                return v.split(";", 1)[0].split("=", 1)[1]
        return None


def first_tuesdays(start, n):
    """The first Tuesdays of the month from `start` (a first Tuesday) on."""
    out = []
    y, m = start.year, start.month
    while len(out) < n:
        d = datetime.date(y, m, 1)
        d += datetime.timedelta(days=(1 - d.weekday()) % 7)
        if d >= start:
            out.append(d)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


class Client(unittest.TestCase):
    """Requests as a person (Bearer token) with the CSRF cookie and field, and page checks."""

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def request(self, method, path, who=None, form=None, headers=None):
        h = dict(headers or {})
        if who:
            h["Authorization"] = "Bearer " + TOKENS[who]
        body = None
        if form is not None:
            token = self.csrf_for(who)
            h["Cookie"] = "csrf=" + token
            h["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode({"csrf": token, **form})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()], r.read())
        finally:
            conn.close()

    def csrf_for(self, who):
        if who not in self.csrf:
            r = self.request("GET", "/manage", who)
            self.csrf[who] = r.csrf_cookie()
            self.assertTrue(self.csrf[who])
        return self.csrf[who]

    def get(self, path, who, status=200):
        r = self.request("GET", path, who)
        self.assertEqual(r.status, status, "%s: %s" % (path, r.body[:2000]))
        if r.header("content-type").startswith("text/html"):
            self.check_page(path, r.body)
        return r

    def check_page(self, path, text):
        self.assertTrue(text.startswith("<!doctype html>"), path)
        self.assertEqual(len(re.findall(r"<h1[ >]", text)), 1, path)
        self.assertNotRegex(text, r"<script(?![^>]*\ssrc=)[^>]*>", path)
        self.assertNotRegex(text, r"\son[a-z]+=", path)
        self.assertNotIn("style=", text, path)
        # Every form posts with the CSRF field; every visible input has a label.
        for form in re.findall(r"<form\b.*?</form>", text, re.S):
            self.assertIn('method="post"', form, path)
            self.assertRegex(form, r'name="csrf" value="[A-Za-z0-9_-]{43}"', path)
        labels = set(re.findall(r'<label[^>]* for="([^"]+)"', text))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", text):
            if 'type="hidden"' in tag:
                continue
            found = re.search(r'id="([^"]+)"', tag)
            self.assertTrue(found and found.group(1) in labels, "%s: unlabelled %s" % (path, tag))
        # aria-describedby points at elements that exist.
        for ids in re.findall(r'aria-describedby="([^"]+)"', text):
            for i in ids.split():
                self.assertIn('id="%s"' % i, text, path)

    def new_event_form(self, **fields):
        start = first_tuesdays(test_clock.today() + datetime.timedelta(days=1), 1)[0]
        form = {"title": "Online-Treffen", "description": "Wir planen **gemeinsam**.",
                "kind": "meeting", "date": start.isoformat(), "start_time": "19:00",
                "end_time": "20:30", "location": "", "online_url": "https://meet.example.org/bildung",
                "capacity": "", "repeat": "monthly_weekday", "ends": "never", "count": "",
                "until": "", "action": "preview"}
        form.update(fields)
        return start, form


class ManagePages(Client):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, prepare=prepare)
        cls.csrf = {}

    # ---- permissions ------------------------------------------------------------------
    def test_anonymous_is_sent_to_login(self):
        for path in ("/manage", "/manage/units/bildung", "/admin", "/admin/outbox"):
            r = self.request("GET", path)
            self.assertEqual(r.status, 303, path)
            self.assertEqual(r.header("location"), "/login?next=" + path)

    def test_member_and_other_responsible_get_403(self):
        self.get("/manage", MEMBER, 403)
        self.get("/manage/units/bildung", MEMBER, 403)
        self.get("/admin", MEMBER, 403)
        self.get("/admin", RESPONSIBLE, 403)
        self.get("/manage/units/bildung", OTHER_RESPONSIBLE, 403)
        self.get("/manage/units/bildung/events/new", OTHER_RESPONSIBLE, 403)
        events = re.findall(r'href="/manage/events/(\d+)"',
                            self.get("/manage/units/bildung", RESPONSIBLE).body)
        self.assertTrue(events)
        e = events[0]
        page = self.get("/manage/events/" + e, RESPONSIBLE).body
        key = re.search(r'href="/manage/events/%s/(\d{8}T\d{6}Z)"' % e, page).group(1)
        for who in (MEMBER, OTHER_RESPONSIBLE):
            self.get("/manage/events/" + e, who, 403)
            r = self.get("/manage/events/%s/%s" % (e, key), who, 403)
            self.assertNotIn("@demo.invalid", r.body)
            r = self.get("/manage/events/%s/%s/attendees.csv" % (e, key), who, 403)
            self.assertNotIn("@demo.invalid", r.body)
            r = self.request("POST", "/manage/events/%s/%s/cancel" % (e, key), who, form={})
            self.assertEqual(r.status, 403)
        # Admins may manage every unit.
        self.get("/manage/units/bildung", ADMIN)
        self.get("/manage/units/frauen", ADMIN)
        home = self.get("/manage", RESPONSIBLE).body
        self.assertIn("/manage/units/bildung", home)
        self.assertNotIn("/manage/units/frauen", home)

    def test_header_links_to_manage_and_admin_for_those_who_may(self):
        manage, admin = '<a href="/manage">Verwalten</a>', '<a href="/admin">Admin</a>'
        # Members first, so that a page remembered for them would show up for the others.
        for who, links in ((None, ()), (MEMBER, ()), (RESPONSIBLE, (manage,)),
                           (OTHER_RESPONSIBLE, (manage,)), (ADMIN, (manage, admin)),
                           (MEMBER, ()), (None, ())):
            paths = ["/", "/units/bildung", "/login"] + (["/me", "/logout"] if who else [])
            for path in paths:
                with self.subTest(who=who, path=path):
                    body = self.request("GET", path, who).body
                    for link in (manage, admin):
                        if link in links:
                            self.assertEqual(body.count(link), 1, body[:1500])
                        else:
                            self.assertNotIn(link, body)
        self.assertIn(manage, self.get("/manage", RESPONSIBLE).body)
        english = self.get("/units/bildung?lang=en", ADMIN).body
        self.assertIn('<a href="/manage">Manage</a>', english)
        self.assertIn('<a href="/admin">Admin</a>', english)

    def test_post_without_csrf_is_refused(self):
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 403)

    # ---- the event form ----------------------------------------------------------------
    def test_create_with_preview_save_edit_move_and_cancel(self):
        start, form = self.new_event_form()
        path = "/manage/units/bildung/events/new"
        form_page = self.get(path, RESPONSIBLE).body
        # The form starts a week from today; its choices are in words for that day.
        default = test_clock.today() + datetime.timedelta(days=7)
        self.assertIn('name="date" type="date" value="%s"' % default.isoformat(), form_page)
        nth = (default.day - 1) // 7
        self.assertIn("jeden letzten" if nth == 4 else
                      "jeden %s" % ("ersten", "zweiten", "dritten", "vierten")[nth], form_page)
        self.assertIn("Markdown", form_page)
        preview = self.request("POST", path, RESPONSIBLE, form=form)
        self.assertEqual(preview.status, 200, preview.body)
        self.check_page(path, preview.body)
        self.assertIn("jeden ersten Dienstag im Monat", preview.body)
        shown = re.findall(r'<ol class="preview-dates">(.*?)</ol>', preview.body, re.S)[0]
        dates = re.findall(r'datetime="(\d{4}-\d{2}-\d{2})T19:00"', shown)
        self.assertEqual(dates, [d.isoformat() for d in first_tuesdays(start, 6)])
        self.assertIn('value="Online-Treffen"', preview.body)  # values kept
        # Nothing is saved by a preview.
        self.assertNotIn("Online-Treffen", self.get("/manage/units/bildung", RESPONSIBLE).body)

        saved = self.request("POST", path, RESPONSIBLE, form={**form, "action": "save"})
        self.assertEqual(saved.status, 303, saved.body)
        location = saved.header("location")
        event = re.fullmatch(r"/manage/events/(\d+)\?done=saved", location).group(1)
        page = self.get(location, RESPONSIBLE).body
        self.assertIn("Gespeichert.", page)
        self.assertIn("jeden ersten Dienstag im Monat", page)
        keys = re.findall(r'href="/manage/events/%s/(\d{8}T\d{6}Z)"' % event, page)
        self.assertGreaterEqual(len(set(keys)), 6)
        keys = list(dict.fromkeys(keys))

        # Edit: a new title and a capacity; the rule stays.
        edit = self.get("/manage/events/%s/edit" % event, RESPONSIBLE).body
        self.assertIn('value="Online-Treffen"', edit)
        self.assertRegex(edit, r'<option value="monthly_weekday" selected>')
        changed = self.request("POST", "/manage/events/%s/edit" % event, RESPONSIBLE,
                               form={**form, "title": "Online-Treffen Bildung", "capacity": "12",
                                     "action": "save"})
        self.assertEqual(changed.status, 303, changed.body)
        self.assertIn("Online-Treffen Bildung", self.get("/manage/units/bildung", RESPONSIBLE).body)

        # Cancel the second occurrence, move the third.
        cancel = self.request("POST", "/manage/events/%s/%s/cancel" % (event, keys[1]),
                              RESPONSIBLE, form={})
        self.assertEqual(cancel.status, 303, cancel.body)
        moved_to = first_tuesdays(start, 3)[2] + datetime.timedelta(days=1)
        move = self.request("POST", "/manage/events/%s/%s/move" % (event, keys[2]), RESPONSIBLE,
                            form={"date": moved_to.isoformat(), "time": "18:00"})
        self.assertEqual(move.status, 303, move.body)
        page = self.get("/manage/events/%s?done=moved" % event, RESPONSIBLE).body
        self.assertIn("Termin verschieben", page)
        self.assertIn("Fällt aus", page)
        self.assertIn("Verschoben", page)

        feed = self.request("GET", "/units/bildung.ics").body.replace("\r\n ", "")
        vevents = [v for v in feed.split("BEGIN:VEVENT") if "Online-Treffen Bildung" in v]
        self.assertTrue(vevents)
        # Keys are UTC; the feed says the local start in Europe/Berlin.
        def local(key):
            t = datetime.datetime.strptime(key, "%Y%m%dT%H%M%SZ")
            return first_local(t)
        self.assertIn("EXDATE;TZID=Europe/Berlin:" + local(keys[1]), feed)
        self.assertIn("RECURRENCE-ID;TZID=Europe/Berlin:" + local(keys[2]), feed)
        self.assertIn("DTSTART;TZID=Europe/Berlin:%s" % moved_to.strftime("%Y%m%dT180000"), feed)

        # A bad move date comes back next to the field with 422 and the typed value.
        bad = self.request("POST", "/manage/events/%s/%s/move" % (event, keys[3]), RESPONSIBLE,
                           form={"date": "2026-02-31", "time": "18:00"})
        self.assertEqual(bad.status, 422)
        self.assertIn('value="2026-02-31"', bad.body)
        self.assertRegex(bad.body, r'aria-invalid="true" aria-describedby="o\d+-e-date"')

        # Cancelling the whole event needs the confirmation box.
        no = self.request("POST", "/manage/events/%s/cancel" % event, RESPONSIBLE, form={})
        self.assertEqual(no.status, 422)
        self.assertIn("Bitte bestätige", no.body)
        yes = self.request("POST", "/manage/events/%s/cancel" % event, RESPONSIBLE,
                           form={"confirm": "yes"})
        self.assertEqual(yes.status, 303)
        self.assertIn("Diese Veranstaltung wurde abgesagt.",
                      self.get(yes.header("location"), RESPONSIBLE).body)

    def test_extra_and_left_out_dates_in_the_form_and_the_feed(self):
        start, form = self.new_event_form(title="Plenum mit Pause", repeat="monthly_weekday")
        tuesdays = first_tuesdays(start, 3)
        extra = tuesdays[2] + datetime.timedelta(days=10)
        path = "/manage/units/bildung/events/new"
        fields = {**form, "extra_dates": extra.isoformat(), "left_out": tuesdays[1].isoformat()}
        preview = self.request("POST", path, RESPONSIBLE, form=fields)
        self.assertEqual(preview.status, 200, preview.body)
        self.check_page(path, preview.body)
        shown = re.findall(r'<ol class="preview-dates">(.*?)</ol>', preview.body, re.S)[0]
        self.assertIn('datetime="%sT19:00"' % extra.isoformat(), shown)
        self.assertRegex(shown, r'datetime="%sT19:00".*?Fällt aus' % tuesdays[1].isoformat())
        # Refused next to their field, with what was typed.
        before = self.request("POST", path, RESPONSIBLE,
                              form={**fields, "extra_dates": (start - datetime.timedelta(days=3))
                                    .isoformat(), "action": "save"})
        self.assertEqual(before.status, 422)
        self.assertIn('href="#f-extra_dates"', before.body)
        wrong = self.request("POST", path, RESPONSIBLE,
                             form={**fields, "left_out": (tuesdays[1] + datetime.timedelta(days=1))
                                   .isoformat(), "action": "save"})
        self.assertEqual(wrong.status, 422)
        self.assertIn('href="#f-left_out"', wrong.body)
        garbled = self.request("POST", path, RESPONSIBLE,
                               form={**fields, "left_out": "nächsten Dienstag", "action": "save"})
        self.assertEqual(garbled.status, 422)
        self.assertIn("nächsten Dienstag", garbled.body)
        saved = self.request("POST", path, RESPONSIBLE, form={**fields, "action": "save"})
        self.assertEqual(saved.status, 303, saved.body)
        event = re.search(r"/manage/events/(\d+)", saved.header("location")).group(1)
        feed = self.request("GET", "/units/bildung.ics").body.replace("\r\n ", "")
        vevent = [v for v in feed.split("BEGIN:VEVENT") if "Plenum mit Pause" in v][0]
        self.assertIn("RDATE;TZID=Europe/Berlin:%sT190000" % extra.strftime("%Y%m%d"), vevent)
        self.assertIn("EXDATE;TZID=Europe/Berlin:%sT190000" % tuesdays[1].strftime("%Y%m%d"),
                      vevent)
        # The edit form shows both lists as they are.
        edit = self.get("/manage/events/%s/edit" % event, RESPONSIBLE).body
        self.assertRegex(edit, r'name="extra_dates"[^>]*>%s</textarea>' % extra.isoformat())
        self.assertRegex(edit, r'name="left_out"[^>]*>%s</textarea>' % tuesdays[1].isoformat())

    def test_clash_warnings_in_the_preview_on_the_event_page_and_for_admins(self):
        listed = json.loads(self.request("GET", "/api/v1/units/bildung/occurrences").body)
        meeting = next(o for o in listed["occurrences"]
                       if o["kind"] == "meeting" and not o["cancelled"])
        day, time = meeting["local_start"][:10], meeting["local_start"][11:16]
        _, form = self.new_event_form(title="Zusatztreffen", date=day, start_time=time,
                                      end_time="23:00", repeat="once")
        path = "/manage/units/bildung/events/new"
        preview = self.request("POST", path, RESPONSIBLE, form=form)
        self.assertEqual(preview.status, 200, preview.body)
        self.check_page(path, preview.body)
        text = unescape(preview.body)
        self.assertIn("Überschneidungen", text)
        self.assertIn("„%s“" % meeting["title"], text)
        self.assertIn("dieselbe Netzwerkstelle", text)
        # Saved anyway; the event's page says it too, and /admin lists it.
        saved = self.request("POST", path, RESPONSIBLE, form={**form, "action": "save"})
        self.assertEqual(saved.status, 303, saved.body)
        page = unescape(self.get(saved.header("location"), RESPONSIBLE).body)
        self.assertIn("Überschneidet sich mit „%s“" % meeting["title"], page)
        admin = unescape(self.get("/admin", ADMIN).body)
        self.assertIn("Überschneidungen in den nächsten 90 Tagen", admin)
        self.assertRegex(admin, r"Zusatztreffen.*%s|%s.*Zusatztreffen" % (
            re.escape(meeting["title"]), re.escape(meeting["title"])))

    def test_change_a_series_from_one_date_on(self):
        start, form = self.new_event_form(title="Lesekreis Bildung", location="Bibliothek",
                                          online_url="")
        saved = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE,
                             form={**form, "action": "save"})
        self.assertEqual(saved.status, 303, saved.body)
        event = re.search(r"/manage/events/(\d+)", saved.header("location")).group(1)
        page = self.get("/manage/events/%s" % event, RESPONSIBLE).body
        keys = list(dict.fromkeys(re.findall(r'href="/manage/events/%s/(\d{8}T\d{6}Z)"' % event,
                                             page)))
        # Every later date offers it, the first not (that is an edit of the whole series).
        self.assertNotIn("/manage/events/%s/%s/from-here" % (event, keys[0]), page)
        self.assertIn("/manage/events/%s/%s/from-here" % (event, keys[2]), page)
        self.assertEqual(self.request("GET", "/manage/events/%s/%s/from-here" % (event, keys[2]),
                                      OTHER_RESPONSIBLE).status, 403)
        path = "/manage/events/%s/%s/from-here" % (event, keys[2])
        shown = self.get(path, RESPONSIBLE).body
        self.assertIn('value="Bibliothek"', shown)
        self.assertIn('value="19:00"', shown)
        fields = {"title": "Lesekreis Bildung", "description": "", "start_time": "18:00",
                  "end_time": "20:00", "location": "Rathaus", "online_url": "", "capacity": ""}
        bad = self.request("POST", path, RESPONSIBLE, form={**fields, "capacity": "viele"})
        self.assertEqual(bad.status, 422)
        self.check_page(path, bad.body)
        self.assertIn('value="Rathaus"', bad.body)  # what was typed comes back
        first = self.request("POST", "/manage/events/%s/%s/from-here" % (event, keys[0]),
                             RESPONSIBLE, form=fields)
        self.assertEqual(first.status, 422)
        self.assertIn("erste Termin der Reihe", unescape(first.body))
        self.assertEqual(len(re.findall(r"Lesekreis Bildung",
                                        self.get("/manage/units/bildung", RESPONSIBLE).body)), 1)
        done = self.request("POST", path, RESPONSIBLE, form=fields)
        self.assertEqual(done.status, 303, done.body)
        new_event = re.fullmatch(r"/manage/events/(\d+)\?done=split",
                                 done.header("location")).group(1)
        self.assertNotEqual(new_event, event)
        self.assertIn("ab diesem Termin geändert", self.get(done.header("location"),
                                                             RESPONSIBLE).body)
        # The feed has both series: the old one ends before the date, the new starts at 18:00.
        feed = self.request("GET", "/units/bildung.ics").body.replace("\r\n ", "")
        vevents = [v for v in feed.split("BEGIN:VEVENT") if "Lesekreis Bildung" in v]
        self.assertEqual(len(vevents), 2)
        self.assertTrue(any("LOCATION:Rathaus" in v and "RELATED-TO" in v for v in vevents))
        self.assertTrue(any("LOCATION:Bibliothek" in v and "RRULE:" in v and "UNTIL=" in v
                            for v in vevents), vevents)

    def test_bad_time_is_422_next_to_the_field_with_values_kept(self):
        _, form = self.new_event_form(start_time="25:61", title="Mit <Fehler> & Umlaut ä",
                                      action="save")
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        self.assertEqual(r.status, 422)
        self.check_page("new", r.body)
        self.assertIn("Bitte gib eine Uhrzeit wie 19:00 ein.", r.body)
        self.assertRegex(r.body, r'id="f-start_time" name="start_time" type="time" '
                                 r'value="25:61" aria-invalid="true" aria-describedby="e-start_time"')
        self.assertIn('value="Mit &lt;Fehler&gt; &amp; Umlaut ä"', r.body)
        # In English on request, and the API's rules apply too (a javascript: link).
        _, form = self.new_event_form(online_url="javascript:alert(1)", action="save")
        r = self.request("POST", "/manage/units/bildung/events/new?lang=en", RESPONSIBLE,
                         form=form)
        self.assertEqual(r.status, 422)
        self.assertIn("The link must start with https:// or http://.", r.body)
        self.assertIn('aria-describedby="h-online_url e-online_url"', r.body)
        # A title is required.
        _, form = self.new_event_form(title="  ", action="save")
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        self.assertEqual(r.status, 422)
        self.assertIn('aria-describedby="e-title"', r.body)

    def test_count_and_until_end_the_series(self):
        start, form = self.new_event_form(repeat="weekly", ends="count", count="3")
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        shown = re.findall(r'<ol class="preview-dates">(.*?)</ol>', r.body, re.S)[0]
        self.assertEqual(len(re.findall(r"<li>", shown)), 3)
        self.assertIn("3-mal", r.body)
        last = start + datetime.timedelta(days=14)
        _, form = self.new_event_form(repeat="weekly", ends="until", until=last.isoformat())
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        shown = re.findall(r'<ol class="preview-dates">(.*?)</ol>', r.body, re.S)[0]
        self.assertEqual(len(re.findall(r"<li>", shown)), 3)
        _, form = self.new_event_form(repeat="weekly", ends="until", until="2000-01-01")
        r = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        self.assertEqual(r.status, 422)
        self.assertIn('aria-describedby="e-until"', r.body)

    # ---- attendees ---------------------------------------------------------------------
    def test_attendees_page_and_csv(self):
        # A capacity of 1, two answers yes: one going, one waiting.
        _, form = self.new_event_form(title="Workshop", capacity="1", repeat="once",
                                      action="save")
        saved = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        event = re.search(r"/manage/events/(\d+)", saved.header("location")).group(1)
        page = self.get("/manage/events/" + event, RESPONSIBLE).body
        key = re.search(r'href="/manage/events/%s/(\d{8}T\d{6}Z)"' % event, page).group(1)
        # Names that a spreadsheet would take for formulas or that need quoting.
        for who, name in ((MEMBER, "=HYPERLINK(\"http://x\",\"y\")"),
                          (OTHER_RESPONSIBLE, "Müller, \"Mo\"")):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            conn.request("PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (event, key),
                         body='{"answer": "yes"}',
                         headers={"Authorization": "Bearer " + TOKENS[who],
                                  "Content-Type": "application/json"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200, resp.read())
            conn.close()
            set_name(self.server.data, who, name)
        attendees = self.get("/manage/events/%s/%s" % (event, key), RESPONSIBLE).body
        self.assertIn(MEMBER, attendees)
        self.assertIn("Warteliste", attendees)
        self.assertIn("1 von 1 Plätzen belegt", attendees)
        csv_reply = self.get("/manage/events/%s/%s/attendees.csv" % (event, key), RESPONSIBLE)
        self.assertEqual(csv_reply.header("content-type"), "text/csv; charset=utf-8")
        self.assertRegex(csv_reply.header("content-disposition"), r'^attachment; filename="')
        self.assertTrue(csv_reply.raw.startswith(b"\xef\xbb\xbf"))
        text = csv_reply.raw[3:].decode("utf-8")
        self.assertTrue(text.startswith("name,email,state,position,answered_at\r\n"))
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(rows[0], ["name", "email", "state", "position", "answered_at"])
        by_mail = {r[1]: r for r in rows[1:]}
        self.assertEqual(by_mail[MEMBER][0], "'=HYPERLINK(\"http://x\",\"y\")")
        self.assertEqual(by_mail[MEMBER][2], "going")
        self.assertEqual(by_mail[OTHER_RESPONSIBLE][0], "Müller, \"Mo\"")
        self.assertEqual(by_mail[OTHER_RESPONSIBLE][2:4], ["waitlisted", "1"])
        self.assertIn('"Müller, ""Mo"""', text)
        # Admins see it too; the public pages never show addresses.
        self.get("/manage/events/%s/%s" % (event, key), ADMIN)
        public = self.request("GET", "/events/%s/%s" % (event, key)).body
        self.assertNotIn(MEMBER, public)

    # ---- admin -------------------------------------------------------------------------
    def test_admin_creates_a_unit_and_adds_a_responsible(self):
        page = self.get("/admin", ADMIN).body
        self.assertIn("Netzwerkstelle Bildung", page)
        bad = self.request("POST", "/admin/units", ADMIN,
                           form={"slug": "Kein Slug", "name": "Klima", "description": "",
                                 "zone": "Mars/Olympus"})
        self.assertEqual(bad.status, 422)
        self.assertIn('value="Kein Slug"', bad.body)
        self.assertIn('value="Mars/Olympus"', bad.body)
        self.assertIn('aria-describedby="h-zone e-zone"', bad.body)
        made = self.request("POST", "/admin/units", ADMIN,
                            form={"slug": "klima", "name": "Netzwerkstelle Klima",
                                  "description": "Klimagerechtigkeit", "zone": "Europe/Berlin"})
        self.assertEqual(made.status, 303, made.body)
        self.assertEqual(self.request("GET", "/units/klima.ics").status, 200)
        again = self.request("POST", "/admin/units", ADMIN,
                             form={"slug": "klima", "name": "Doppelt", "zone": "Europe/Berlin"})
        self.assertEqual(again.status, 422)
        self.assertIn("gibt es schon", again.body)
        added = self.request("POST", "/admin/units/klima/responsibles", ADMIN,
                             form={"email": "neu.verantwortlich@example.org", "name": "Neu"})
        self.assertEqual(added.status, 303, added.body)
        page = self.get("/admin?done=responsible", ADMIN).body
        self.assertIn("Neu &lt;neu.verantwortlich@example.org&gt;", page)
        bad = self.request("POST", "/admin/units/klima/responsibles", ADMIN,
                           form={"email": "kein-at", "name": ""})
        self.assertEqual(bad.status, 422)
        self.assertIn('value="kein-at"', bad.body)
        self.assertEqual(self.request("POST", "/admin/units", RESPONSIBLE,
                                      form={"slug": "x1", "name": "x", "zone": "UTC"}).status, 403)

    def test_only_an_admin_removes_a_responsible(self):
        added = self.request("POST", "/admin/units/kommunales/responsibles", ADMIN,
                             form={"email": "geht.bald@example.org", "name": "Geht Bald"})
        self.assertEqual(added.status, 303, added.body)
        page = self.get("/admin", ADMIN).body
        forms = re.findall(r'action="(/admin/units/kommunales/responsibles/(\d+)/remove)"', page)
        self.assertTrue(forms, "each responsible has a remove button")
        self.assertIn('aria-label="Geht Bald &lt;geht.bald@example.org&gt; als', page)
        person = [f for f in forms if f[0] in page.split("Geht Bald &lt;")[1][:400]][0]
        # A responsible (not an admin) cannot remove anyone, and nothing changes.
        self.assertEqual(self.request("POST", person[0], RESPONSIBLE, form={}).status, 403)
        self.assertIn("Geht Bald &lt;geht.bald", self.get("/admin", ADMIN).body)
        removed = self.request("POST", person[0], ADMIN, form={})
        self.assertEqual(removed.status, 303, removed.body)
        page = self.get("/admin?done=responsible_removed", ADMIN).body
        self.assertIn("Verantwortliche*r entfernt.", page)
        self.assertNotIn("Geht Bald &lt;geht.bald", page)
        self.assertEqual(self.request("POST", person[0], ADMIN, form={}).status, 404)

    def test_outbox_lists_messages_without_bodies(self):
        # A login link puts a message into the outbox.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/api/v1/login", body='{"email": "outbox@example.org"}',
                     headers={"Content-Type": "application/json"})
        self.assertEqual(conn.getresponse().status, 202)
        conn.close()
        page = self.get("/admin/outbox", ADMIN).body
        self.assertIn("outbox@example.org", page)
        self.assertIn("<table", page)
        self.assertNotIn("/login/", page)  # the message (with its link) is never shown
        self.assertNotIn("Subject:", page)
        self.get("/admin/outbox", RESPONSIBLE, 403)


class MessageToAttendees(Client):
    """Responsibles write to an occurrence's attendees, also with the demo's http base URL
    (the mail's List-Unsubscribe link is then http too); the mail lands in DATA/mail/new."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, prepare=prepare)
        cls.csrf = {}

    def mails_to(self, address):
        found = []
        for path in sorted(glob.glob(os.path.join(self.server.data, "mail", "new", "*"))):
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            if address in str(message["To"]):
                found.append(message)
        return found

    def test_message_goes_to_attendees_and_errors_keep_the_text(self):
        _, form = self.new_event_form(title="Lesekreis", repeat="once", action="save")
        saved = self.request("POST", "/manage/units/bildung/events/new", RESPONSIBLE, form=form)
        event = re.search(r"/manage/events/(\d+)", saved.header("location")).group(1)
        page = self.get("/manage/events/" + event, RESPONSIBLE).body
        key = re.search(r'href="/manage/events/%s/(\d{8}T\d{6}Z)"' % event, page).group(1)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("PUT", "/api/v1/events/%s/occurrences/%s/rsvp" % (event, key),
                     body='{"answer": "yes"}',
                     headers={"Authorization": "Bearer " + TOKENS[MEMBER],
                              "Content-Type": "application/json"})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        path = "/manage/events/%s/%s" % (event, key)
        self.assertIn("Nachricht an Teilnehmende", self.get(path, RESPONSIBLE).body)
        bad = self.request("POST", path + "/message", RESPONSIBLE,
                           form={"subject": "", "body": "Bringt Bücher mit!"})
        self.assertEqual(bad.status, 422)
        self.check_page(path, bad.body)
        self.assertIn("Bringt Bücher mit!</textarea>", bad.body)
        self.assertIn('aria-describedby="e-subject"', bad.body)
        sent = self.request("POST", path + "/message", RESPONSIBLE,
                            form={"subject": "Neuer Raum", "body": "Wir treffen uns in Raum 2."})
        self.assertEqual(sent.status, 303, sent.body)
        self.assertIn("Nachricht an 1 Personen verschickt.",
                      self.get(sent.header("location"), RESPONSIBLE).body)
        outbox = self.get("/admin/outbox", ADMIN).body
        self.assertIn(MEMBER, outbox)
        self.assertNotIn("Raum 2", outbox)
        # The mail arrives, with the text and an http unsubscribe link (RFC 8058).
        deadline = time.monotonic() + 10
        while True:
            mails = [m for m in self.mails_to(MEMBER) if "Neuer Raum" in str(m["Subject"])]
            if mails or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(len(mails), 1)
        text = mails[0].get_body(preferencelist=("plain",)).get_content()
        self.assertIn("Wir treffen uns in Raum 2.", text)
        self.assertRegex(mails[0]["List-Unsubscribe"], r"^<http://127\.0\.0\.1:\d+/unsubscribe/")
        # Members cannot write to attendees.
        self.assertEqual(self.request("POST", path + "/message", MEMBER,
                                      form={"subject": "x", "body": "y"}).status, 403)


def first_local(utc):
    """A UTC instant as Europe/Berlin wall clock, "YYYYMMDDTHHMMSS" (zoneinfo)."""
    from zoneinfo import ZoneInfo
    t = utc.replace(tzinfo=datetime.timezone.utc).astimezone(ZoneInfo("Europe/Berlin"))
    return t.strftime("%Y%m%dT%H%M%S")


def set_name(data, email, name):
    """Gives a person a name, as they would on their own page (SQLite, as the CLI would)."""
    import sqlite3
    db = sqlite3.connect(data + "/treffpunkt.db", timeout=10)
    with db:
        db.execute("UPDATE people SET name = ? WHERE email = ?", (name, email))
    db.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
