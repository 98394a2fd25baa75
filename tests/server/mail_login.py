"""What the page tests share that log in as a browser does: plain HTTP requests over
loopback, the Maildir of the server's data folder, and a session by the emailed login link."""
import email
import email.policy
import glob
import html
import http.client
import json
import os
import re
import time
import urllib.parse

LOGIN_LINK = re.compile(r"http://127\.0\.0\.1:\d+(/login/[A-Za-z0-9_-]+)")


def request(server, method, path, body=None, headers=None):
    """(status, {lower-case header: value}, body text) of one request on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8")
    finally:
        conn.close()


def mails_to(server, address):
    """{Maildir file name: message} of the messages to `address`."""
    found = {}
    for path in glob.glob(os.path.join(server.data, "mail", "new", "*")):
        with open(path, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if address in str(m["To"]):
            found[path] = m
    return found


def open_login_link(port, path, headers=None):
    """What a member does with an emailed login link (`path`, "/login/TOKEN?next=..."): opens
    it, which shows a page with one button and uses nothing up (mail scanners open the links in
    a mail too), and presses the button. (status, [(lower-case name, value)], body) of the
    button's answer: 303 with the session cookie when the link is good. `headers` go with both
    requests (a Cookie of theirs is sent beside the page's CSRF cookie)."""
    headers = dict(headers or {})
    cookie = headers.pop("Cookie", None)

    def exchange(method, target, body=None, extra=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=dict(headers, **(extra or {})))
            r = conn.getresponse()
            return r.status, [(k.lower(), v) for k, v in r.getheaders()], r.read().decode("utf-8")
        finally:
            conn.close()

    status, got, page = exchange("GET", path, extra={"Cookie": cookie} if cookie else None)
    if status != 200:
        # An error page, or a treffpunkt from before the button (bench/server.sh measures older
        # builds too), whose GET logged in at once.
        return status, got, page
    csrf = re.search(r'name="csrf" value="([A-Za-z0-9_-]+)"', page).group(1)
    form = {"csrf": csrf}
    next_field = re.search(r'name="next" value="([^"]*)"', page)
    if next_field:
        form["next"] = html.unescape(next_field.group(1))
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    cookies = "csrf=" + csrf + ("; " + cookie if cookie else "")
    return exchange("POST", action, urllib.parse.urlencode(form),
                    {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"})


def login(server, address):
    """A session cookie of `address`, by the emailed login link."""
    before = mails_to(server, address)
    status, _, body = request(server, "POST", "/api/v1/login", json.dumps({"email": address}),
                              {"Content-Type": "application/json"})
    assert status == 202, body
    # The new message, not the newest by name: Maildir names need not sort by time.
    deadline = time.monotonic() + 10
    new = {}
    while not new and time.monotonic() < deadline:
        new = {p: m for p, m in mails_to(server, address).items() if p not in before}
        time.sleep(0.05)
    assert len(new) == 1, "expected one new login mail, got %d" % len(new)
    text = next(iter(new.values())).get_body(preferencelist=("plain",)).get_content()
    status, headers, body = open_login_link(server.port, LOGIN_LINK.search(text).group(1))
    assert status == 303, body
    return dict(headers)["set-cookie"].split(";", 1)[0].split("=", 1)[1]
