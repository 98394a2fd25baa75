#!/usr/bin/python3
"""A real SMTP server on loopback for the notification tests (Debian's python3-aiosmtpd).

Records every accepted message as NNNN.eml (the bytes as received) plus NNNN.rcpt (the
envelope recipients, one a line) in --dir, counts EHLO/HELO greetings (one per connection) in
--dir/connections, and can be told to misbehave:
  --fail-first N   answer the first N DATA commands with 451 (temporary)
  --reject ADDR    answer RCPT TO:<ADDR> with 550 (permanent); may be repeated
  --tls MODE       none, starttls (required before MAIL) or implicit (TLS from the first
                   byte); a self-signed certificate for 127.0.0.1 is made with openssl
  --auth USER:PASS require AUTH (PLAIN or LOGIN) with these credentials
  --delay-ms N     wait N ms before answering each DATA (a slow server)
Writes the port to --port-file once it listens; runs until SIGTERM or SIGINT.
"""

import argparse
import asyncio
import os
import signal
import socket
import ssl
import subprocess
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Recorder:
    def __init__(self, folder, fail_first, reject, delay_ms=0):
        self.folder = folder
        self.delay = delay_ms / 1000.0
        self.fail_first = fail_first
        self.reject = {a.lower() for a in reject}
        self.lock = threading.Lock()
        self.failed = 0
        self.count = 0
        self.connections = 0

    def _greeted(self):
        with self.lock:
            self.connections += 1
            self._write("connections", str(self.connections).encode())

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self._greeted()
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        self._greeted()
        return "250 {}".format(server.hostname)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <{}>: Recipient address rejected: no such user".format(address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.failed < self.fail_first:
                self.failed += 1
                return "451 4.3.0 Temporary failure, try again later"
            self.count += 1
            name = "{:04d}".format(self.count)
            self._write(name + ".rcpt", "\n".join(envelope.rcpt_tos).encode())
            self._write(name + ".eml", envelope.original_content)
        return "250 2.0.0 Ok: queued as {}".format(name)

    def _write(self, name, data):
        # tmp then rename: a reader never sees half a file.
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.folder, name))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--auth", default="")
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()

    port = args.port
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    os.makedirs(args.dir, exist_ok=True)
    handler = Recorder(args.dir, args.fail_first, args.reject, args.delay_ms)
    params = {}
    context = None
    if args.tls != "none":
        cert = os.path.join(args.dir, "cert.pem")
        key = os.path.join(args.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    if args.tls == "starttls":
        params.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok)

        params.update(authenticator=authenticate, auth_required=True,
                      # aiosmtpd only counts STARTTLS as TLS; implicit TLS is TLS all along.
                      auth_require_tls=args.tls == "starttls")
    # decode_data=False keeps the bytes exactly as they came over the wire.
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False,
                            data_size_limit=10 * 1024 * 1024,
                            ssl_context=context if args.tls == "implicit" else None, **params)
    controller.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
