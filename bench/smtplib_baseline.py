#!/usr/bin/python3
"""The baseline of bench/notify.sh: Python's smtplib sends the messages notify_bench exported
(recipient, length and bytes per message: the same bytes the dispatcher sent) over one
connection to the same sink, back to back; prints the count and the seconds it took."""

import smtplib
import sys
import time


def read_messages(path):
    out = []
    with open(path, "rb") as f:
        while True:
            rcpt = f.readline()
            if not rcpt:
                break
            length = int(f.readline())
            out.append((rcpt.rstrip(b"\n").decode(), f.read(length)))
    return out


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    messages = read_messages(path)
    began = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo("localhost")
        for rcpt, data in messages:
            smtp.sendmail("noreply@treffpunkt.example", [rcpt], data)
    took = time.monotonic() - began
    print("baseline.sent={}".format(len(messages)))
    print("baseline.seconds={:.3f}".format(took))
    print("baseline.per_second_client={:.0f}".format(len(messages) / took))


if __name__ == "__main__":
    main()
