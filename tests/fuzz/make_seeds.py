#!/usr/bin/env python3
"""Writes the seed corpora of the harnesses (tests/fuzz/corpus/<harness>/) from the tests and
docs: the iCalendar files of tests/calendar/data, the RRULEs the tests use, the request examples
of docs/api.md (their JSON bodies for fuzz_json), and a few page and feed requests. Run it again
when those change; the files are small and committed. Placeholders as in fuzz_app.h."""
import hashlib
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def write(harness, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(content).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(content)


def doc_requests():
    """(request line, headers, body) of every ```http request block of docs/api.md."""
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"```http request\n(.*?)```", text, re.S):
        head, _, body = block.partition("\n\n")
        lines = head.strip().splitlines()
        yield lines[0], lines[1:], body.strip()


def placeholders(text):
    """docs/api.md's {{...}} values as the fixture's placeholders; frauen is bildung there."""
    text = re.sub(r"\{\{[a-z_]*token\}\}", "{api}", text)
    text = text.replace("{{event}}", "{event}").replace("/units/frauen", "/units/bildung")
    text = re.sub(r"\{\{[a-z_]+\}\}", "{event}", text)
    text = re.sub(r"/occurrences/\d{8}T\d{6}Z", "/occurrences/{key}", text)
    return text


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    # fuzz_ical: the importer's test files.
    data = os.path.join(ROOT, "tests", "calendar", "data")
    for name in sorted(os.listdir(data)):
        with open(os.path.join(data, name), "rb") as f:
            write("fuzz_ical", f.read())

    # fuzz_rrule: every RRULE the tests and docs use, with and without a start and zone.
    rules = set()
    for folder in ["tests/calendar", "tests/web", "tests/server", "tests/storage", "docs",
                   "server/src"]:
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                    rules.update(re.findall(r"FREQ=[A-Z0-9=;,+:-]*[A-Z0-9]", f.read()))
    for i, rule in enumerate(sorted(rules)):
        write("fuzz_rrule", rule)
        if i % 4 == 0:
            write("fuzz_rrule", rule + "\n20251028T023000\nEurope/Berlin")
        if i % 4 == 1:
            write("fuzz_rrule", rule + "\n20260131T180000\nAmerica/New_York")

    # fuzz_http and fuzz_json: docs/api.md's requests.
    for line, headers, body in doc_requests():
        request = placeholders("\n".join([line] + headers)) + "\n\n" + placeholders(body)
        write("fuzz_http", request)
        if body:
            write("fuzz_json", placeholders(body))
    for body in ['{"answer": "yes"}', '{"answer": "maybe"}', '{"answer": "no"}',
                 '{"reminders": [1440, 120]}', '{"reminders": []}',
                 '{"cancelled": true}', '{"start": "2031-12-02T20:00", "title": "verlegt"}',
                 '{"subject": "Raum", "body": "Wir treffen uns im Raum 3.\\r\\nBis dann"}',
                 '{"title": "Neu", "start": "2031-12-02T19:00", "all_day": true, '
                 '"rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=5", "zone": "Europe/Vienna"}',
                 '{"capacity": 2, "rsvp_deadline_minutes": 60}', '{"capacity": null}']:
        write("fuzz_json", body)

    # fuzz_http: pages, feeds, login and forms, anonymous and logged in.
    csrf = "csrf={csrf}"
    form = "content-type: application/x-www-form-urlencoded\ncookie: session={session}; " + csrf
    for request in [
            "GET /", "GET /?lang=en\naccept-language: en-GB,en;q=0.9",
            "GET /units/bildung?month=2031-12", "GET /units/bildung.ics",
            "GET /units/bildung.ics\nif-none-match: \"x\"", "HEAD /calendar.ics",
            "GET /events/{event}", "GET /events/{event}/{key}", "GET /events/{event}.ics",
            "GET /static/style.css", "GET /metrics", "GET /healthz", "GET /login",
            "GET /me\ncookie: session={session}", "GET /me\ncookie: session={admin}",
            "GET /manage\ncookie: session={session}", "GET /admin\ncookie: session={admin}",
            "GET /manage/units/bildung\ncookie: session={session}",
            "GET /manage/events/{event}\ncookie: session={session}",
            "GET /manage/events/{event}/{key}\ncookie: session={session}",
            "GET /api/v1/me\nauthorization: Bearer {api}",
            "GET /api/v1/me/feed\ncookie: session={session}",
            "GET /api/v1/units/bildung/occurrences?from=2031-01-01&to=2031-03-01",
            "GET /api/v1/events/{event}/occurrences/{key}/attendees\nauthorization: Bearer {api}",
            "POST /login\ncontent-type: application/x-www-form-urlencoded\ncookie: " + csrf +
            "\n\nemail=someone%40example.org&csrf={csrf}",
            "POST /events/{event}/{key}/rsvp\ncontent-type: application/x-www-form-urlencoded\n"
            "cookie: session={session}; " + csrf + "\n\nanswer=yes&csrf={csrf}&fragment=rsvp",
            "POST /units/bildung/follow\ncontent-type: application/x-www-form-urlencoded\n"
            "cookie: session={session}; " + csrf + "\n\nfollow=1&csrf={csrf}",
            "POST /me/reminders\ncontent-type: application/x-www-form-urlencoded\n"
            "cookie: session={session}; " + csrf + "\n\nbefore=1440&before=120&csrf={csrf}",
            "POST /manage/units/bildung/events/new\n" + form + "\n\ncsrf={csrf}&action=save"
            "&title=Neu&kind=meeting&date=2031-12-02&start_time=19%3A00&end_time=21%3A00"
            "&repeat=monthly_weekday&ends=count&count=5&capacity=10",
            "POST /manage/events/{event}/edit\n" + form + "\n\ncsrf={csrf}&action=save&title="
            "Treffen&date=2031-12-03&start_time=18%3A30&end_time=20%3A00&repeat=every_other_week"
            "&ends=until&until=2032-06-30&rrule=FREQ%3DWEEKLY%3BINTERVAL%3D2%3BBYDAY%3DWE",
            "POST /manage/events/{event}/{key}/cancel\n" + form + "\n\ncsrf={csrf}&confirm=yes",
            "POST /manage/events/{event}/{key}/restore\n" + form + "\n\ncsrf={csrf}",
            "POST /manage/events/{event}/{key}/move\n" + form +
            "\n\ncsrf={csrf}&date=2031-12-04&time=19%3A00",
            "POST /manage/events/{event}/{key}/message\n" + form +
            "\n\ncsrf={csrf}&subject=Raum&body=Raum+3",
            "GET /manage/events/{event}/{key}/attendees.csv\ncookie: session={session}",
            "GET /manage/events/{event}?done=saved&n=3\ncookie: session={session}",
            "GET /admin/outbox\ncookie: session={admin}",
            "POST /admin/units\ncontent-type: application/x-www-form-urlencoded\n"
            "cookie: session={admin}; " + csrf + "\n\ncsrf={csrf}&slug=neu&name=Neu&zone="
            "Europe%2FBerlin",
            "POST /admin/units/bildung/responsibles\ncontent-type: application/x-www-form-"
            "urlencoded\ncookie: session={admin}; " + csrf + "\n\ncsrf={csrf}&email=a%40b.de&name=A",
            "POST /logout\ncontent-type: application/x-www-form-urlencoded\n"
            "cookie: session={session}; " + csrf + "\n\ncsrf={csrf}",
            "GET /feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",
    ]:
        head, _, body = request.partition("\n\n")
        write("fuzz_http", head + "\n\n" + body)

    # fuzz_form: query strings, form bodies and cookie headers the pages read.
    for text in ["lang=en&month=2031-12", "answer=yes&csrf=" + "c" * 43 + "&fragment=rsvp",
                 "email=someone%40example.org&csrf=abc", "before=1440&before=120&before=x",
                 "title=Gr%C3%BC%C3%9Fe+aus+Th%C3%BCringen&rrule=FREQ%3DWEEKLY",
                 "session=abc; csrf=" + "c" * 43 + "; lang=de", "a=%zz&b=%4", "=&&=x&lang",
                 "de-AT,de;q=0.9,en;q=0.8", "2031-02"]:
        write("fuzz_form", text)


if __name__ == "__main__":
    main()
