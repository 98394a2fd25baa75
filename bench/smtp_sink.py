#!/usr/bin/python3
"""A fast SMTP sink on 127.0.0.1 for bench/notify.sh (Debian's python3-aiosmtpd).

Accepts everything and keeps, per message, only the arrival time (time.time() when DATA
ended) and the Message-ID, in memory; writes them as "TIME<TAB>MESSAGE-ID" lines to --log on
SIGTERM or SIGINT. No files per message and no fsync (tests/notifications/smtp_server.py
writes two files per message, which would measure this machine's file system).
Writes the port to --port-file once it listens.
"""

import argparse
import os
import re
import signal
import socket
import threading
import time

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*<([^>\r\n]*)>", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self):
        self.arrivals = []  # (time, message id); appended on the event loop's thread only
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        data = envelope.original_content
        head = data[: data.find(b"\r\n\r\n")]
        found = MESSAGE_ID.search(head)
        self.arrivals.append((now, found.group(1).decode() if found else "-"))
        return "250 2.0.0 Ok"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False,
                            data_size_limit=10 * 1024 * 1024)
    controller.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()
    with open(args.log, "w") as f:
        for t, mid in sink.arrivals:
            f.write("{:.6f}\t{}\n".format(t, mid))
    with open(args.log + ".connections", "w") as f:
        f.write(str(sink.connections))


if __name__ == "__main__":
    main()
