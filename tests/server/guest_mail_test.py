#!/usr/bin/python3
"""Guest RSVPs and one-click unsubscribe (issue 5), over real SMTP (the aiosmtpd harness on
loopback, `serve --smtp`) and a real loopback socket.

Guests: a guest asks over the JSON API or the occurrence page's form; the RSVP is pending and
counts for nothing; a mail with the link /rsvp/confirm/{token} arrives; GET of the link only
asks (a button), POST confirms; the guest then gets the confirmation whose text/calendar part
parses with python3-icalendar (METHOD REQUEST equal to the part's method=), and is counted.
Unknown and expired links, and the form's 422s with the typed values kept.

Unsubscribe: with an http base URL (the demo) reminders and notices are queued, with the http
/unsubscribe/ URL in List-Unsubscribe and no List-Unsubscribe-Post; with an https one both.
POST of RFC 8058's exact body unsubscribes (reminders off, queued ones dropped, no later
notice or reminder); GET does not; a tampered token changes nothing.

Usage: guest_mail_test.py PATH/TO/treffpunkt
"""
import datetime
import email
import email.policy
import http.client
import json
import os
import re
import sqlite3
import sys
import time
import unittest
from urllib.parse import urlencode

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import event_mail_test as base  # noqa: E402  (takes the binary from sys.argv)
from mail_login import open_login_link  # noqa: E402
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

ADMIN = base.ADMIN
RESPONSIBLE = base.RESPONSIBLE
FORM = "application/x-www-form-urlencoded"
HTTP_BASE = "http://127.0.0.1:8080"
LINK = re.compile(r"https?://[^/\s]+(/rsvp/confirm/[A-Za-z0-9_-]+)")
CSRF_FIELD = re.compile(r'name="csrf" value="([A-Za-z0-9_-]{43})"')
MEMBERS = ["eins@example.org", "zwei@example.org", "drei@example.org", "vier@example.org",
           "fuenf@example.org"]
# Answers yes to a new session whenever a test needs the dispatcher awake (send_reminders).
WAKER = "wecker@example.org"


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def cookie(self, name):
        for n, v in self.headers:
            if n == "set-cookie" and v.startswith(name + "="):
                return v.split(";", 1)[0].split("=", 1)[1]
        return None

    def json(self):
        return json.loads(self.body)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                     r.read().decode("utf-8"))
    finally:
        conn.close()


class Mails(base.MailTest):
    """A server on `base_url` sending through SMTP, with tokens for an admin, a responsible of
    Frauen* and a few members."""

    base_url = HTTP_BASE

    @classmethod
    def setUpClass(cls):
        cls.smtp = base.SmtpSink()
        cls.tokens = {}

        def prepare(data):
            base.cli(data, "admin", "add", ADMIN)
            for who in [ADMIN, RESPONSIBLE, WAKER] + MEMBERS:
                cls.tokens[who] = base.cli(data, "token", "create", who)

        try:
            cls.server = Server(base.BINARY, "--base-url", cls.base_url, "--smtp",
                                "smtp://127.0.0.1:%d" % cls.smtp.port, prepare=prepare)
        except Exception:
            cls.smtp.stop()
            raise

    # ---- helpers ---------------------------------------------------------------------------
    def db_rows(self, query, *args):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.server.data, "treffpunkt.db"),
                             uri=True)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def queued(self, kind, recipient):
        """The queued messages of `kind` to `recipient`, parsed."""
        rows = self.db_rows("SELECT coalesce(m.message, x'') FROM outbox o "
                            "LEFT JOIN outbox_messages m ON m.id = o.id "
                            "WHERE o.kind = ? AND o.recipient = ? AND o.state = 'queued' "
                            "ORDER BY o.id", kind, recipient)
        return [email.message_from_bytes(bytes(r[0]) if isinstance(r[0], (bytes, memoryview))
                                         else r[0].encode(), policy=email.policy.default)
                for r in rows]

    def send_reminders(self, recipient, count):
        """The first `count` reminders queued for `recipient`, sent now and parsed as they
        arrive. A reminder is queued as its key alone and composed when it is due: this makes
        it due (the test moves its due time in the database, as the clock would), wakes the
        dispatcher with a write that queues mail for someone else, and waits for them."""
        rows = self.db_rows("SELECT id FROM outbox WHERE kind = 'reminder' AND recipient = ? "
                            "AND state = 'queued' ORDER BY id LIMIT ?", recipient, count)
        self.assertEqual(len(rows), count, "reminders queued for " + recipient)
        before = self.sink_snapshot()
        db = sqlite3.connect(os.path.join(self.server.data, "treffpunkt.db"), timeout=10)
        try:
            with db:
                for (row_id,) in rows:
                    # The clock's start: due for every server, whenever it started its clock.
                    db.execute("UPDATE outbox SET due = ? WHERE id = ?",
                               (int(test_clock.START.timestamp()), row_id))
        finally:
            db.close()
        waking = self.new_event(title="Wecker")
        status, body = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                % (waking["id"], self.occurrences(waking)[0]["key"]),
                                self.tokens[WAKER], {"answer": "yes"})
        self.assertEqual(status, 200, body)
        sent = self.mails_to(self.wait_for_new(before, count + 1), recipient)
        self.assertEqual(len(sent), count)
        for m in sent:
            self.assertIn("Erinnerung", str(m["Subject"]))
        return sent

    def occupancy(self, event, key):
        status, occ = base.api(self.server.port, "GET",
                               "/api/v1/events/%s/occurrences/%s" % (event["id"], key))
        self.assertEqual(status, 200, occ)
        return occ["going"], occ["waitlisted"]

    def path_of(self, url):
        self.assertTrue(url.startswith(self.base_url + "/"), url)
        return url[len(self.base_url):]


class GuestRsvp(Mails):
    def guest_api(self, event, key, body, headers=None):
        return base.call(self.server.port, "POST", "/api/v1/events/%s/occurrences/%s/guest-rsvp"
                         % (event["id"], key), body=body, headers=headers)

    def link_mail(self, before, address):
        new = self.mails_to(self.wait_for_new(before, 1), address)
        self.assertEqual(len(new), 1, [m["Subject"] for m in new])
        mail = new[0]
        self.assertNotIn("List-Unsubscribe", mail)  # asked for: nothing to unsubscribe from
        self.assertEqual([p for p in mail.walk() if p.get_content_type() == "text/calendar"], [])
        text = self.text_of(mail)
        return mail, LINK.search(text).group(1)

    def confirm(self, link):
        """GET (which only asks), then POST with the page's CSRF field and cookie."""
        asked = request(self.server.port, "GET", link)
        self.assertEqual(asked.status, 200, asked.body)
        self.assertIn("Teilnahme bestätigen", asked.body)
        self.assertIn('<form method="post" action="%s">' % link, asked.body)
        csrf = CSRF_FIELD.search(asked.body).group(1)
        self.assertEqual(asked.cookie("csrf"), csrf)
        return request(self.server.port, "POST", link, urlencode({"csrf": csrf}),
                       {"Content-Type": FORM, "Cookie": "csrf=" + csrf})

    def confirmation(self, before, address):
        new = self.mails_to(self.wait_for_new(before, 1), address)
        self.assertEqual(len(new), 1, [m["Subject"] for m in new])
        self.assertIn("Angemeldet", str(new[0]["Subject"]))
        vevent = self.invitation(new[0], "REQUEST")[0]
        attendees = vevent.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        self.assertIn("mailto:" + address, [str(a).lower() for a in attendees])
        return vevent

    def test_guest_over_the_api_counts_once_the_link_is_confirmed(self):
        event = self.new_event(kind="exchange_offer", capacity=3, title="Gastfreundschaft")
        key = self.occurrences(event)[0]["key"]
        before = self.sink_snapshot()
        status, body, raw = self.guest_api(event, key, {"name": "Gast Müller",
                                                        "email": " Gast.Mueller@Example.org ",
                                                        "answer": "yes"})
        self.assertEqual(status, 202, raw)
        self.assertEqual(body["pending"], True)
        expires = datetime.datetime.fromisoformat(body["expires"].replace("Z", "+00:00"))
        hours = (expires - test_clock.now()).total_seconds() / 3600
        self.assertTrue(47 < hours <= 48, body)
        self.assertEqual(self.occupancy(event, key), (0, 0))  # pending counts for nothing

        address = "gast.mueller@example.org"
        mail, link = self.link_mail(before, address)
        self.assertIn("Bitte bestätige", str(mail["Subject"]))
        self.assertIn("Gastfreundschaft", self.text_of(mail))
        self.assertIn("48 Stunden", self.text_of(mail))

        # Opening the link (what a mail scanner does) confirms nothing.
        before = self.sink_snapshot()
        for _ in range(2):
            self.assertEqual(request(self.server.port, "GET", link).status, 200)
            self.assertEqual(request(self.server.port, "HEAD", link).status, 200)
        self.assertEqual(self.occupancy(event, key), (0, 0))
        self.assertEqual(self.wait_for_new(before, 0, timeout=0.5), [])

        done = self.confirm(link)
        self.assertEqual(done.status, 200, done.body)
        self.assertIn("Du bist dabei", done.body)
        self.assertIn('href="/events/%s/%s"' % (event["id"], key), done.body)
        self.assertEqual(self.occupancy(event, key), (1, 0))
        vevent = self.confirmation(before, address)
        self.assertEqual(str(vevent["UID"]), event["uid"])
        # The guest's reminders carry the unsubscribe link too.
        self.assertEqual(len(self.queued("reminder", address)), 2)

        # A second click shows where the RSVP stands and sends nothing again.
        before = self.sink_snapshot()
        again = request(self.server.port, "POST", link, urlencode({"csrf": "C" * 43}),
                        {"Content-Type": FORM, "Cookie": "csrf=" + "C" * 43})
        self.assertEqual(again.status, 200, again.body)
        self.assertIn("Du bist dabei", again.body)
        self.assertEqual(self.occupancy(event, key), (1, 0))
        self.assertEqual(self.wait_for_new(before, 0, timeout=0.5), [])
        # The access log names the page, never the secret in its path.
        token = link.rsplit("/", 1)[1]
        log = self.server.log_lines_after(1)
        self.assertTrue([l for l in log if "path=/rsvp/confirm/… " in l], log[-5:])
        self.assertNotIn(token, self.server.log())

    def test_guest_on_a_full_occurrence_joins_the_waitlist_in_english(self):
        event = self.new_event(kind="exchange_offer", capacity=1, title="Voll")
        key = self.occurrences(event)[0]["key"]
        self.assertEqual(base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                  % (event["id"], key), self.tokens[MEMBERS[4]],
                                  {"answer": "yes"})[0], 200)
        before = self.sink_snapshot()
        status, _, raw = self.guest_api(event, key, {"name": "Guest", "email": "guest@example.org",
                                                     "answer": "yes"},
                                        headers={"Accept-Language": "en-GB,en;q=0.8"})
        self.assertEqual(status, 202, raw)
        mail, link = self.link_mail(before, "guest@example.org")
        self.assertIn("48 hours", self.text_of(mail))
        done = self.confirm(link)
        self.assertEqual(done.status, 200, done.body)
        self.assertIn("Du stehst auf der Warteliste (Platz 1)", done.body)
        self.assertEqual(self.occupancy(event, key), (1, 1))

    def test_guest_over_the_page_form_and_the_places_shown(self):
        event = self.new_event(kind="exchange_offer", capacity=5, title="Seitengast")
        key = self.occurrences(event)[0]["key"]
        page = "/events/%s/%s" % (event["id"], key)
        shown = request(self.server.port, "GET", page)
        self.assertIn("Noch 5 von 5 Plätzen frei", shown.body)
        csrf = shown.cookie("csrf")
        self.assertIn('name="csrf" value="%s"' % csrf, shown.body)
        self.assertIn('action="%s/guest-rsvp"' % page, shown.body)

        before = self.sink_snapshot()
        form = {"csrf": csrf, "name": "Rosa", "email": "rosa.gast@example.org", "answer": "yes"}
        sent = request(self.server.port, "POST", page + "/guest-rsvp", urlencode(form),
                       {"Content-Type": FORM, "Cookie": "csrf=" + csrf})
        self.assertEqual(sent.status, 200, sent.body)
        self.assertIn("Wir haben dir eine E-Mail geschickt", sent.body)
        self.assertNotIn('action="%s/guest-rsvp"' % page, sent.body)  # no second form
        self.assertIn("Noch 5 von 5 Plätzen frei", request(self.server.port, "GET", page).body)

        _, link = self.link_mail(before, "rosa.gast@example.org")
        before = self.sink_snapshot()
        self.assertEqual(self.confirm(link).status, 200)
        self.confirmation(before, "rosa.gast@example.org")
        self.assertIn("Noch 4 von 5 Plätzen frei", request(self.server.port, "GET", page).body)

    def test_page_form_errors_keep_the_values_and_send_nothing(self):
        event = self.new_event(title="Fehlerhaft")
        key = self.occurrences(event)[0]["key"]
        page = "/events/%s/%s" % (event["id"], key)
        csrf = request(self.server.port, "GET", page).cookie("csrf")
        cookie = {"Content-Type": FORM, "Cookie": "csrf=" + csrf}
        outbox = len(self.outbox())
        cases = [
            ({"name": "", "email": "leer@example.org", "answer": "yes"}, ["guest-name-error"],
             "Bitte gib deinen Namen ein."),
            ({"name": "Kim", "email": "kein-at", "answer": "maybe"}, ["guest-email-error"],
             "Das sieht nicht wie eine E-Mail-Adresse aus"),
            ({"name": "Jürgen", "email": "jürgen@example.org", "answer": "yes"},
             ["guest-email-error"], "Das sieht nicht wie eine E-Mail-Adresse aus"),
            ({"name": "x" * 101, "email": "lang@example.org", "answer": "yes"},
             ["guest-name-error"], "höchstens 100 Zeichen"),
            ({"name": "Zeile\neins", "email": "zeile@example.org", "answer": "yes"},
             ["guest-name-error"], "höchstens 100 Zeichen"),
            ({"name": "Kim", "email": "kim@example.org", "answer": "vielleicht"}, [],
             "Bitte wähle Ja, Vielleicht oder Nein."),
        ]
        for form, errors, message in cases:
            with self.subTest(form=form):
                r = request(self.server.port, "POST", page + "/guest-rsvp",
                            urlencode(dict(form, csrf=csrf)), cookie)
                self.assertEqual(r.status, 422, r.body)
                self.assertIn(message, r.body)
                for field in errors:
                    self.assertIn('aria-describedby="%s"' % field, r.body)
                if form["email"] and "\n" not in form["name"]:
                    self.assertIn('value="%s"' % form["email"], r.body)
                    self.assertIn('value="%s"' % form["name"], r.body)
        # Without the CSRF cookie: 403, the values kept too.
        r = request(self.server.port, "POST", page + "/guest-rsvp",
                    urlencode({"csrf": csrf, "name": "Kim", "email": "kim@example.org",
                               "answer": "yes"}), {"Content-Type": FORM})
        self.assertEqual(r.status, 403, r.body)
        self.assertIn('value="kim@example.org"', r.body)
        self.assertEqual(len(self.outbox()), outbox)

    def test_api_refuses_bad_input_and_queues_nothing(self):
        event = self.new_event(title="Streng")
        key = self.occurrences(event)[0]["key"]
        outbox = len(self.outbox())
        good = {"name": "Kim", "email": "kim@example.org", "answer": "yes"}
        bad = [
            (dict(good, name=""), 422, "name"),
            (dict(good, name="a" * 101), 422, "name"),
            (dict(good, name="Kim\r\nBcc: x@example.org"), 422, "name"),
            (dict(good, email="kim"), 422, "email"),
            (dict(good, email="kim@example.org>\r\nBcc: x@example.org"), 422, "email"),
            (dict(good, email="jürgen@example.org"), 422, "email"),
            (dict(good, answer="ja"), 422, "answer"),
            ({"name": "Kim", "answer": "yes"}, 422, "email"),
            (dict(good, name=7), 400, "name"),
            (dict(good, extra=1), 422, "extra"),
        ]
        for body, status, field in bad:
            with self.subTest(body=str(body)[:60]):
                got, parsed, raw = self.guest_api(event, key, body)
                self.assertEqual(got, status, raw)
                self.assertEqual(parsed["error"]["field"], field)
        self.assertEqual(len(self.outbox()), outbox)
        got, _, raw = base.call(self.server.port, "POST",
                                "/api/v1/events/%s/occurrences/20000101T000000Z/guest-rsvp"
                                % event["id"], body=good)
        self.assertEqual(got, 404, raw)
        got, _, _ = base.call(self.server.port, "GET", "/api/v1/events/%s/occurrences/%s/"
                              "guest-rsvp" % (event["id"], key))
        self.assertEqual(got, 405)

    def test_an_address_that_answered_already_gets_the_same_answer_and_no_mail(self):
        event = self.new_event(title="Schon da")
        key = self.occurrences(event)[0]["key"]
        member = MEMBERS[3]
        before = self.sink_snapshot()
        self.assertEqual(base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                  % (event["id"], key), self.tokens[member], {"answer": "yes"})[0],
                         200)
        self.wait_for_new(before, 1)
        before = self.sink_snapshot()
        status, body, raw = self.guest_api(event, key, {"name": "Wer auch immer",
                                                        "email": member, "answer": "no"})
        self.assertEqual(status, 202, raw)
        self.assertEqual(body["pending"], True)
        self.assertEqual(self.wait_for_new(before, 0, timeout=0.7), [])
        self.assertEqual(self.occupancy(event, key), (1, 0))

    def test_unknown_and_expired_links(self):
        unknown = request(self.server.port, "GET", "/rsvp/confirm/" + "A" * 43)
        self.assertEqual(unknown.status, 404, unknown.body)
        self.assertIn("Unbekannter Link", unknown.body)
        english = request(self.server.port, "GET", "/rsvp/confirm/" + "A" * 43 + "?lang=en")
        self.assertIn("Unknown link", english.body)
        self.assertEqual(request(self.server.port, "POST", "/rsvp/confirm/short", "",
                                 {"Content-Type": FORM}).status, 404)

        event = self.new_event(title="Zu spät")
        key = self.occurrences(event)[0]["key"]
        before = self.sink_snapshot()
        status, _, raw = self.guest_api(event, key, {"name": "Spät", "email": "spaet@example.org",
                                                     "answer": "yes"})
        self.assertEqual(status, 202, raw)
        _, link = self.link_mail(before, "spaet@example.org")
        # Two days pass (the server reads its clock; the link's expiry is moved instead).
        db = sqlite3.connect(os.path.join(self.server.data, "treffpunkt.db"), timeout=10)
        try:
            db.execute("UPDATE tokens SET expires = expires - 49 * 3600 WHERE kind = 'guest_rsvp'")
            db.commit()
        finally:
            db.close()
        for method in ("GET", "POST"):
            r = request(self.server.port, method, link, urlencode({"csrf": "C" * 43}),
                        {"Content-Type": FORM, "Cookie": "csrf=" + "C" * 43})
            self.assertEqual(r.status, 410, r.body)
            self.assertIn("Link abgelaufen", r.body)
        self.assertEqual(self.occupancy(event, key), (0, 0))

    def test_confirm_without_the_csrf_cookie_is_refused_and_changes_nothing(self):
        event = self.new_event(title="Formular")
        key = self.occurrences(event)[0]["key"]
        before = self.sink_snapshot()
        self.guest_api(event, key, {"name": "Ohne", "email": "ohne@example.org", "answer": "yes"})
        _, link = self.link_mail(before, "ohne@example.org")
        r = request(self.server.port, "POST", link, urlencode({"csrf": "C" * 43}),
                    {"Content-Type": FORM})
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("Teilnahme bestätigen", r.body)  # the button again
        self.assertEqual(self.occupancy(event, key), (0, 0))
        self.assertEqual(self.confirm(link).status, 200)
        self.assertEqual(self.occupancy(event, key), (1, 0))


class Unsubscribe(Mails):
    def rsvp_yes(self, who, event, key):
        status, body = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                                % (event["id"], key), self.tokens[who], {"answer": "yes"})
        self.assertEqual(status, 200, body)

    def unsubscribe_url(self, who):
        """The link in `who`'s first reminder, sent for it (one of their two stays queued)."""
        header = str(self.send_reminders(who, 1)[0]["List-Unsubscribe"])
        match = re.fullmatch(r"<(.+)>", header)
        self.assertTrue(match, header)
        return match.group(1)

    def test_http_reminders_carry_the_link_without_one_click(self):
        event = self.new_event(title="Erinnert")
        key = self.occurrences(event)[0]["key"]
        before = self.sink_snapshot()
        self.rsvp_yes(MEMBERS[0], event, key)
        self.wait_for_new(before, 1)  # the confirmation
        reminders = self.send_reminders(MEMBERS[0], 2)
        for m in reminders:
            url = str(m["List-Unsubscribe"])
            self.assertRegex(url, r"^<http://127\.0\.0\.1:8080/unsubscribe/[A-Za-z0-9_-]{54}>$")
            self.assertNotIn("List-Unsubscribe-Post", m)
        # A notice (an http base URL sends them now) carries the same link.
        before = self.sink_snapshot()
        status, _ = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s"
                             % (event["id"], key), self.tokens[RESPONSIBLE],
                             {"location": "Anderer Raum"})
        self.assertEqual(status, 200)
        moved = self.mails_to(self.wait_for_new(before, 1), MEMBERS[0])
        self.assertEqual(len(moved), 1)
        self.assertEqual(str(moved[0]["List-Unsubscribe"]), str(reminders[0]["List-Unsubscribe"]))
        self.assertNotIn("List-Unsubscribe-Post", moved[0])

    def test_one_click_post_unsubscribes_and_later_mail_is_not_queued(self):
        who, other = MEMBERS[1], MEMBERS[2]
        event = self.new_event(title="Abbestellt", rrule="FREQ=WEEKLY;COUNT=3")
        keys = [o["key"] for o in self.occurrences(event)]
        self.rsvp_yes(who, event, keys[0])
        self.rsvp_yes(other, event, keys[0])
        path = self.path_of(self.unsubscribe_url(who))

        # GET explains and asks; it changes nothing.
        self.assertEqual(request(self.server.port, "HEAD", path).status, 200)
        asked = request(self.server.port, "GET", path)
        self.assertEqual(asked.status, 200)
        self.assertIn("Erinnerungen vor Terminen", asked.body)
        self.assertIn('name="List-Unsubscribe" value="One-Click"', asked.body)
        self.assertEqual(len(self.queued("reminder", who)), 1)  # the other went out above

        # A tampered token: refused, nothing changes.
        token = path.rsplit("/", 1)[1]
        tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
        for t in (tampered, token[:-1], token + "A"):
            r = request(self.server.port, "POST", "/unsubscribe/" + t,
                        "List-Unsubscribe=One-Click", {"Content-Type": FORM})
            self.assertIn(r.status, (403, 404), r.body)
        self.assertEqual(len(self.queued("reminder", who)), 1)

        # RFC 8058 §3.2, as a mail client sends it: no cookie, no CSRF field.
        done = request(self.server.port, "POST", path, "List-Unsubscribe=One-Click",
                       {"Content-Type": FORM})
        self.assertEqual(done.status, 200, done.body)
        self.assertIn("Abbestellt", done.body)
        self.assertIn('href="/me"', done.body)
        self.assertEqual(self.queued("reminder", who), [])
        self.assertEqual(len(self.queued("reminder", other)), 2)  # only theirs
        status, reminders = base.api(self.server.port, "GET", "/api/v1/me/reminders",
                                     self.tokens[who])
        self.assertEqual(reminders, {"reminders": [], "chosen": True})

        # A later notice reaches only the other member; a later RSVP plans no reminders.
        before = self.sink_snapshot()
        status, _ = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s"
                             % (event["id"], keys[0]), self.tokens[RESPONSIBLE],
                             {"location": "Neuer Ort"})
        self.assertEqual(status, 200)
        new = self.wait_for_new(before, 1)
        self.assertEqual([m["To"].addresses[0].addr_spec for m in new], [other])
        status, sent = base.api(self.server.port, "POST", "/api/v1/events/%s/occurrences/%s/message"
                                % (event["id"], keys[0]), self.tokens[RESPONSIBLE],
                                {"subject": "Hallo", "body": "Bis bald"})
        self.assertEqual((status, sent["recipients"]), (202, 1))
        self.rsvp_yes(who, event, keys[1])
        self.assertEqual(self.queued("reminder", who), [])
        kinds = [r[0] for r in self.outbox() if r[1] == who and r[4].split(":")[0] in
                 ("moved", "message")]
        self.assertEqual(kinds, [])

        # Again: still fine (a mail client may retry).
        again = request(self.server.port, "POST", path, "List-Unsubscribe=One-Click",
                        {"Content-Type": FORM})
        self.assertEqual(again.status, 200)
        self.assertNotIn(token, self.server.log())
        self.assertTrue([l for l in self.server.log_lines_after(1)
                         if "path=/unsubscribe/… " in l])

    def test_multipart_one_click_and_the_page_button(self):
        event = self.new_event(title="Mehrteilig")
        key = self.occurrences(event)[0]["key"]
        who = MEMBERS[3]
        self.rsvp_yes(who, event, key)
        path = self.path_of(self.unsubscribe_url(who))
        # A POST that is neither one-click nor the page's form unsubscribes nobody.
        r = request(self.server.port, "POST", path, "unsubscribe=1", {"Content-Type": FORM})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(len(self.queued("reminder", who)), 1)
        boundary = "----treffpunkt"
        body = ("--%s\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                "One-Click\r\n--%s--\r\n" % (boundary, boundary))
        r = request(self.server.port, "POST", path, body,
                    {"Content-Type": "multipart/form-data; boundary=" + boundary})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.queued("reminder", who), [])
        # The page's own form (a browser: CSRF field and cookie, and the one-click field).
        page = request(self.server.port, "GET", path + "?lang=en")
        self.assertIn("Unsubscribe", page.body)
        csrf = CSRF_FIELD.search(page.body).group(1)
        r = request(self.server.port, "POST", path, urlencode({"csrf": csrf}),
                    {"Content-Type": FORM, "Cookie": "csrf=" + csrf})
        self.assertEqual(r.status, 200, r.body)


    def login(self, address):
        """A session cookie for `address`, by the emailed link as a person gets it."""
        before = self.sink_snapshot()
        sent = request(self.server.port, "POST", "/api/v1/login",
                       json.dumps({"email": address}), {"Content-Type": "application/json"})
        self.assertEqual(sent.status, 202, sent.body)
        mail = self.mails_to(self.wait_for_new(before, 1), address)[-1]
        link = re.search(r"https?://[^/\s]+(/login/[A-Za-z0-9_-]+)", self.text_of(mail)).group(1)
        opened = Reply(*open_login_link(self.server.port, link))
        self.assertEqual(opened.status, 303, opened.body)
        return opened.cookie("session")

    def test_me_page_shows_the_way_back(self):
        who = MEMBERS[4]
        event = self.new_event(title="Zurück")
        key = self.occurrences(event)[0]["key"]
        self.rsvp_yes(who, event, key)
        path = self.path_of(self.unsubscribe_url(who))
        self.assertIn("Mein Bereich", request(self.server.port, "GET", path).body)
        self.assertEqual(request(self.server.port, "POST", path, "List-Unsubscribe=One-Click",
                                 {"Content-Type": FORM}).status, 200)
        session = self.login(who)
        csrf = "C" * 43
        cookies = "session=%s; csrf=%s" % (session, csrf)
        me = request(self.server.port, "GET", "/me", headers={"Cookie": cookies})
        self.assertEqual(me.status, 200)
        self.assertIn("Du bekommst keine Erinnerungen.", me.body)
        self.assertIn("Du bekommst keine E-Mails über verschobene", me.body)
        self.assertIn("Benachrichtigungen einschalten", me.body)
        turned = request(self.server.port, "POST", "/me/notices",
                         urlencode({"csrf": csrf, "notices": "1"}),
                         {"Content-Type": FORM, "Cookie": cookies})
        self.assertEqual(turned.status, 303, turned.body)
        self.assertEqual(turned.header("location"), "/me?done=notices")
        me = request(self.server.port, "GET", "/me?done=notices", headers={"Cookie": cookies})
        self.assertIn("Deine Einstellung ist gespeichert.", me.body)
        self.assertIn("Benachrichtigungen ausschalten", me.body)
        self.assertEqual(self.db_rows("SELECT notices FROM people WHERE email = ?", who), [(1,)])
        # Without the CSRF field: refused, nothing changes.
        refused = request(self.server.port, "POST", "/me/notices", urlencode({"notices": "0"}),
                          {"Content-Type": FORM, "Cookie": cookies})
        self.assertEqual(refused.status, 403)
        self.assertEqual(self.db_rows("SELECT notices FROM people WHERE email = ?", who), [(1,)])
        # A notice reaches them again.
        before = self.sink_snapshot()
        status, _ = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s"
                             % (event["id"], key), self.tokens[RESPONSIBLE],
                             {"location": "Wieder da"})
        self.assertEqual(status, 200)
        self.assertEqual(len(self.mails_to(self.wait_for_new(before, 1), who)), 1)


class UnsubscribeHttps(Mails):
    base_url = "https://treffpunkt.example"

    def test_https_reminders_carry_one_click(self):
        event = self.new_event(title="Sicher")
        key = self.occurrences(event)[0]["key"]
        status, _ = base.api(self.server.port, "PUT", "/api/v1/events/%s/occurrences/%s/rsvp"
                             % (event["id"], key), self.tokens[MEMBERS[0]], {"answer": "yes"})
        self.assertEqual(status, 200)
        for m in self.send_reminders(MEMBERS[0], 2):
            self.assertRegex(str(m["List-Unsubscribe"]),
                             r"^<https://treffpunkt\.example/unsubscribe/[A-Za-z0-9_-]{54}>$")
            self.assertEqual(str(m["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")


if __name__ == "__main__":
    unittest.main(verbosity=2)
