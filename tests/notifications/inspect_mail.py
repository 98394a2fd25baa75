#!/usr/bin/python3
"""Parses one received message the way a mail client would (Python's email package, and
python3-icalendar for the text/calendar part) and prints what the C++ tests check, as JSON."""

import email
import email.policy
import json
import sys

import icalendar


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = {
        "defects": [repr(d) for d in msg.defects],
        "subject": str(msg["subject"]),
        "from_name": msg["from"].addresses[0].display_name,
        "from_addr": msg["from"].addresses[0].addr_spec,
        "to_name": msg["to"].addresses[0].display_name,
        "to_addr": msg["to"].addresses[0].addr_spec,
        "message_id": str(msg["message-id"]),
        "date": str(msg["date"]),
        "mime_version": str(msg["mime-version"]),
        "list_unsubscribe": str(msg["list-unsubscribe"] or ""),
        "list_unsubscribe_post": str(msg["list-unsubscribe-post"] or ""),
        "header_names": [k.lower() for k in msg.keys()],
        "content_type": msg.get_content_type(),
        "parts": [],
    }
    for part in msg.iter_parts():
        entry = {
            "type": part.get_content_type(),
            "charset": part.get_content_charset() or "",
            "method": part.get_param("method") or "",
            "text": part.get_content(),
            "defects": [repr(d) for d in part.defects],
        }
        out["parts"].append(entry)
        if entry["type"] == "text/calendar":
            cal = icalendar.Calendar.from_ical(entry["text"])
            events = [c for c in cal.walk("VEVENT")]
            out["ical"] = {
                "method": str(cal.get("METHOD")),
                "uid": str(events[0].get("UID")) if events else "",
                "sequence": int(events[0].get("SEQUENCE", 0)) if events else -1,
                "status": str(events[0].get("STATUS", "")) if events else "",
                "organizer": str(events[0].get("ORGANIZER", "")) if events else "",
                "attendee": str(events[0].get("ATTENDEE", "")) if events else "",
                "summary": str(events[0].get("SUMMARY", "")) if events else "",
            }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
