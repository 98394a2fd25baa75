#!/usr/bin/python3
"""Parses received messages the way a mail client would (Python's email package) for the
browser harness (harness.mjs): prints a JSON list with, for each FILE.eml given, its subject,
sender, recipients, plain text, HTML and the http(s) links in them (text part first, then the
HTML part's href values; each link once, in order of appearance).

Usage: read_mail.py FILE.eml...
"""
import email
import email.policy
import html
import json
import re
import sys

URL = re.compile(r"https?://[^\s<>\"')\]]+")
HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def body(msg, subtype):
    part = msg.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


def links(text, markup):
    found = [u.rstrip(".,;:") for u in URL.findall(text)]
    for a, b in HREF.findall(markup):
        value = html.unescape(a or b)
        if value.startswith(("http://", "https://")):
            found.append(value)
    seen = set()
    return [u for u in found if not (u in seen or seen.add(u))]


def read(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    text, markup = body(msg, "plain"), body(msg, "html")
    return {
        "file": path,
        "subject": str(msg["subject"] or ""),
        "from": str(msg["from"] or ""),
        "to": [a.addr_spec for a in msg["to"].addresses] if msg["to"] else [],
        "messageId": str(msg["message-id"] or ""),
        "text": text,
        "html": markup,
        "links": links(text, markup),
        "defects": [repr(d) for d in msg.defects],
    }


if __name__ == "__main__":
    json.dump([read(p) for p in sys.argv[1:]], sys.stdout, ensure_ascii=False)
