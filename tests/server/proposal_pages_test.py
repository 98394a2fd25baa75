#!/usr/bin/python3
"""Exchange offers in the pages over a real loopback socket (issue 13): a member proposes an
offer to a unit, a responsible asks for a change and then approves it, the member revises and
then hosts it; wishes. Every page is checked for its form basics (labels, CSRF fields), and bad
input is refused with the page again and nothing written.

Usage: proposal_pages_test.py PATH/TO/treffpunkt
"""
import datetime
import json
import re
import sys
import unittest
from html import unescape

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"

import manage_pages_test as pages  # noqa: E402  (its Client: Bearer requests with CSRF)
from server_process import Server  # noqa: E402
import test_clock  # noqa: E402

pages.BINARY = BINARY
RESPONSIBLE = pages.RESPONSIBLE  # Bildung
OTHER_RESPONSIBLE = pages.OTHER_RESPONSIBLE
MEMBER = pages.MEMBER
HELPER = "helferin@example.org"


def prepare(data):
    pages.prepare(data)
    out = pages.subprocess.run([BINARY, "token", "create", HELPER, "--data", data], check=True,
                               capture_output=True, text=True).stdout
    pages.TOKENS[HELPER] = out.split()[0]


def day(n):
    return (test_clock.today() + datetime.timedelta(days=n)).isoformat()


class ProposalPages(pages.Client):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, prepare=prepare)
        cls.csrf = {}

    def offer_form(self, **fields):
        form = {"title": "Anträge im Stadtrat", "description": "Wie ein Antrag **durchkommt**.",
                "format": "in_person", "location": "Jugendzentrum", "online_url": "",
                "duration": "90", "date1": day(20), "time1": "18:00", "date2": day(27),
                "time2": "18:30", "date3": "", "time3": "", "capacity": "12", "wish": ""}
        form.update(fields)
        return form

    def my_proposals(self, who=MEMBER):
        r = self.request("GET", "/api/v1/me/proposals", who)
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["proposals"]

    def withdraw_all(self, who=MEMBER):
        for p in self.my_proposals(who):
            if p["state"] in ("waiting", "changes_requested"):
                self.request("POST", "/me/proposals/%d/withdraw" % p["id"], who, form={})

    def me(self):
        """/me (its reminder boxes are labelled by wrapping, which check_page does not read)."""
        r = self.request("GET", "/me", MEMBER)
        self.assertEqual(r.status, 200)
        return r.body

    def propose(self, who=MEMBER, **fields):
        r = self.request("POST", "/units/bildung/propose", who, form=self.offer_form(**fields))
        self.assertEqual(r.status, 303, r.body[:3000])
        return int(re.search(r"/me/proposals/(\d+)", r.header("location")).group(1))

    def test_anonymous_visitors_log_in_first(self):
        r = self.request("GET", "/units/bildung/propose")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("location"), "/login?next=/units/bildung/propose")
        # The wishes are public; wishing needs a login.
        page = self.get("/units/bildung/wishes", None)
        self.assertIn("/login?next=", page.body)
        self.assertNotIn('name="text"', page.body)

    def test_bad_proposals_show_the_form_again_and_write_nothing(self):
        self.withdraw_all()
        before = self.my_proposals()
        cases = [
            ({"title": ""}, "f-title"),
            ({"title": "x" * 201}, "f-title"),
            ({"date1": day(-3)}, "f-dates"),
            ({"date1": "", "time1": "", "date2": "", "time2": ""}, "f-dates"),
            ({"time1": "25:99"}, "f-dates"),
            ({"format": "online", "online_url": "javascript:alert(1)"}, "f-online_url"),
            ({"format": "in_person", "location": ""}, "f-location"),
            ({"capacity": "viele"}, "f-capacity"),
            ({"capacity": "0"}, "f-capacity"),
        ]
        for fields, anchor in cases:
            with self.subTest(fields=fields):
                r = self.request("POST", "/units/bildung/propose", MEMBER,
                                 form=self.offer_form(**fields))
                self.assertEqual(r.status, 422, r.body[:2000])
                self.check_page("/units/bildung/propose", r.body)
                self.assertIn('href="#%s"' % anchor, r.body)
        # What was typed comes back.
        r = self.request("POST", "/units/bildung/propose", MEMBER,
                         form=self.offer_form(title="", location="Rathaus Saal 3"))
        self.assertIn('value="Rathaus Saal 3"', r.body)
        self.assertEqual(self.my_proposals(), before)
        self.assertEqual(self.request("GET", "/units/nowhere/propose", MEMBER).status, 404)

    def test_propose_ask_for_a_change_revise_approve_and_host(self):
        self.withdraw_all()
        form = self.get("/units/bildung/propose", MEMBER)
        self.assertIn("Austauschangebot", form.body)
        proposal = self.propose()
        mine = self.get("/me/proposals/%d?done=sent" % proposal, MEMBER)
        self.assertIn("Wartet auf die Verantwortlichen", mine.body)
        self.assertIn("/me/proposals/%d" % proposal, self.me())
        # Nobody else sees it; the responsible of another unit neither.
        self.assertEqual(self.request("GET", "/me/proposals/%d" % proposal, HELPER).status, 404)
        self.get("/manage/proposals/%d" % proposal, MEMBER, 403)
        self.get("/manage/proposals/%d" % proposal, OTHER_RESPONSIBLE, 403)

        home = unescape(self.get("/manage", RESPONSIBLE).body)
        self.assertRegex(home, r"\d+ Vorschl|1 Vorschlag wartet")
        listed = self.get("/manage/proposals", RESPONSIBLE)
        self.assertIn("/manage/proposals/%d" % proposal, listed.body)
        page = self.get("/manage/proposals/%d" % proposal, RESPONSIBLE)
        self.assertIn("Anträge im Stadtrat", unescape(page.body))
        self.assertIn("<strong>durchkommt</strong>", page.body)  # Markdown
        self.assertIn('value="%s"' % day(20), page.body)  # the first date, ready to approve

        action = "/manage/proposals/%d/decision" % proposal
        r = self.request("POST", action, RESPONSIBLE,
                         form={"decision": "request_changes", "message": ""})
        self.assertEqual(r.status, 422)
        self.assertIn('href="#f-message"', r.body)
        r = self.request("POST", action, RESPONSIBLE,
                         form={"decision": "request_changes", "message": "Lieber online?"})
        self.assertEqual(r.status, 303, r.body[:2000])
        mine = unescape(self.get("/me/proposals/%d" % proposal, MEMBER).body)
        self.assertIn("bitten um eine Änderung", mine)
        self.assertIn("Lieber online?", mine)

        r = self.request("POST", "/me/proposals/%d" % proposal, MEMBER,
                         form=self.offer_form(format="online", location="",
                                              online_url="https://meet.example.org/antrag"))
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertEqual(self.my_proposals()[0]["state"], "waiting")

        r = self.request("POST", action, RESPONSIBLE,
                         form={"decision": "approve", "start_date": day(-1),
                               "start_time": "18:00", "capacity": "8"})
        self.assertEqual(r.status, 422)
        self.assertIn('href="#f-start"', r.body)
        page = self.get("/manage/proposals/%d" % proposal, RESPONSIBLE)
        self.assertIn('value="%sT18:30"' % day(27), page.body)  # the second date, to pick
        r = self.request("POST", action, RESPONSIBLE,
                         form={"decision": "approve", "start_choice": day(27) + "T18:30",
                               "start_date": day(20), "start_time": "18:00", "capacity": "8"})
        self.assertEqual(r.status, 303, r.body[:2000])
        again = self.request("POST", action, RESPONSIBLE,
                             form={"decision": "decline", "message": ""})
        self.assertEqual(again.status, 422)
        event = [p for p in self.my_proposals() if p["id"] == proposal][0]["event"]
        self.assertIsNotNone(event)
        made = json.loads(self.request("GET", "/api/v1/events/%d" % event).body)
        self.assertEqual(made["start"], day(27) + "T18:30:00")  # the picked date
        self.assertEqual(made["capacity"], 8)

        # The host's page: from /me, with who comes by name.
        me = self.me()
        self.assertIn("/manage/offers/%d" % event, me)
        self.get("/manage/offers/%d" % event, HELPER, 403)
        host = self.get("/manage/offers/%d" % event, MEMBER)
        self.assertIn("Noch niemand angemeldet", host.body)
        r = self.request("POST", "/manage/offers/%d/edit" % event, MEMBER,
                         form={"title": "Anträge im Stadtrat", "description": "Neu",
                               "location": "", "online_url": "ftp://x"})
        self.assertEqual(r.status, 422)
        r = self.request("POST", "/manage/offers/%d/edit" % event, MEMBER,
                         form={"title": "Anträge im Stadtrat (online)", "description": "Neu",
                               "location": "", "online_url": "https://meet.example.org/neu"})
        self.assertEqual(r.status, 303, r.body[:2000])
        self.assertIn("Anträge im Stadtrat (online)",
                      unescape(self.get("/manage/offers/%d" % event, MEMBER).body))
        # The helper is not the host: they can neither edit nor cancel it.
        r = self.request("POST", "/manage/offers/%d/cancel" % event, HELPER, form={})
        self.assertEqual(r.status, 403)
        r = self.request("POST", "/manage/offers/%d/cancel" % event, MEMBER, form={})
        self.assertEqual(r.status, 303)
        self.assertIn("abgesagt", self.get("/manage/offers/%d?done=cancelled" % event,
                                           MEMBER).body)

    def test_a_fourth_proposal_is_refused_with_429(self):
        self.withdraw_all(HELPER)
        for _ in range(3):
            self.propose(HELPER)
        r = self.request("POST", "/units/bildung/propose", HELPER, form=self.offer_form())
        self.assertEqual(r.status, 429)
        self.assertIn("drei Vorschläge", unescape(r.body))
        self.withdraw_all(HELPER)

    def test_wishes_posted_answered_by_an_offer_and_closed(self):
        r = self.request("POST", "/units/bildung/wishes", MEMBER, form={"text": ""})
        self.assertEqual(r.status, 422)
        r = self.request("POST", "/units/bildung/wishes", MEMBER,
                         form={"text": "Wer hat Erfahrung mit Bürgerhaushalten?"})
        self.assertEqual(r.status, 303, r.body[:2000])
        page = self.get("/units/bildung/wishes", HELPER)
        wish = int(re.findall(r"/units/bildung/propose\?wish=(\d+)", page.body)[-1])
        self.assertNotIn("/wishes/%d/close" % wish, page.body)  # not the helper's to close
        form = self.get("/units/bildung/propose?wish=%d" % wish, HELPER)
        self.assertIn("Bürgerhaushalten", unescape(form.body))
        self.assertIn('name="wish" value="%d"' % wish, form.body)
        self.withdraw_all(HELPER)
        proposal = self.propose(HELPER, wish=str(wish))
        self.assertEqual([p["wish"] for p in self.my_proposals(HELPER)
                          if p["id"] == proposal], [wish])
        self.withdraw_all(HELPER)
        r = self.request("POST", "/wishes/%d/close" % wish, HELPER, form={})
        self.assertEqual(r.status, 404)
        own = self.get("/units/bildung/wishes", MEMBER)
        self.assertIn("/wishes/%d/close" % wish, own.body)
        r = self.request("POST", "/wishes/%d/close" % wish, MEMBER, form={})
        self.assertEqual(r.status, 303)
        self.assertNotIn("propose?wish=%d" % wish, self.get("/units/bildung/wishes", MEMBER).body)


if __name__ == "__main__":
    unittest.main()
