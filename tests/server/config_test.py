#!/usr/bin/python3
"""`treffpunkt serve` configuration: TOML file, TREFFPUNKT_* environment and flags, with
flags > environment > file > defaults; bad values name the flag, variable or key (and line)
and exit 2; --help lists every option.

Usage: config_test.py PATH/TO/treffpunkt
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_process import Server, exchange  # noqa: E402
import test_clock  # noqa: E402  (sets TREFFPUNKT_NOW for every process started)

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "treffpunkt"


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREFFPUNKT_")}
    env.update(test_clock.env())
    env.update(extra)
    return env


class Config(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="treffpunkt-config-")

    def toml(self, text):
        path = os.path.join(self.dir, "treffpunkt.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_serve(self, *args, **env):
        return subprocess.run([BINARY, "serve", *args], capture_output=True, text=True,
                              timeout=30, env=clean_env(**env), cwd=self.dir)

    def home_links(self, server):
        return exchange(server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").body.decode()

    def test_help_lists_every_option_with_env_and_toml_key(self):
        done = self.run_serve("--help")
        self.assertEqual(done.returncode, 0)
        for flag, env, key in (("--listen", "TREFFPUNKT_LISTEN", "listen"),
                               ("--base-url", "TREFFPUNKT_BASE_URL", "base_url"),
                               ("--data", "TREFFPUNKT_DATA", "data"),
                               ("--threads", "TREFFPUNKT_THREADS", "threads"),
                               ("--trust-proxy", "TREFFPUNKT_TRUST_PROXY", "trust_proxy"),
                               ("--read-timeout", "TREFFPUNKT_READ_TIMEOUT", "read_timeout"),
                               ("--shutdown-timeout", "TREFFPUNKT_SHUTDOWN_TIMEOUT",
                                "shutdown_timeout"),
                               ("--body-limit", "TREFFPUNKT_BODY_LIMIT", "body_limit"),
                               ("--demo", "TREFFPUNKT_DEMO", "demo"),
                               ("--confirm-series-after", "TREFFPUNKT_CONFIRM_SERIES_AFTER",
                                "confirm_series_after")):
            self.assertIn(flag, done.stdout)
            self.assertIn(env, done.stdout)
            self.assertIn("TOML %s = " % key, done.stdout)
        self.assertIn("--config FILE", done.stdout)
        self.assertTrue(all(len(l) <= 100 for l in done.stdout.splitlines()))

    def test_flags_beat_environment_beat_file(self):
        data = os.path.join(self.dir, "data")
        path = self.toml('# treffpunkt\nbase_url = "https://from-file.example"\n'
                         'data = "%s"\ndemo = true\nthreads = 2\n' % data)
        # The file alone (but --data, a flag, beats its `data`).
        server = Server(BINARY, "--config", path, demo=False, data=self.dir)
        try:
            self.assertIn("webcal://from-file.example/units/bildung.ics", self.home_links(server))
            self.assertFalse(os.path.exists(data))
        finally:
            server.proc.kill()
            server.proc.wait()
            server.proc.stdout.close()
            server.log_file.close()
        # The environment beats the file.
        server = Server(BINARY, "--config", path, demo=False, data=self.dir,
                        env={"TREFFPUNKT_BASE_URL": "https://from-env.example"})
        try:
            self.assertIn("webcal://from-env.example/units/", self.home_links(server))
        finally:
            server.proc.kill()
            server.proc.wait()
            server.proc.stdout.close()
            server.log_file.close()
        # Flags beat both; TREFFPUNKT_CONFIG names the file too.
        server = Server(BINARY, "--base-url", "https://from-flag.example", demo=False,
                        data=self.dir, env={"TREFFPUNKT_BASE_URL": "https://from-env.example",
                                            "TREFFPUNKT_CONFIG": path})
        try:
            self.assertIn("webcal://from-flag.example/units/", self.home_links(server))
        finally:
            server.stop()  # removes self.dir

    def test_file_sets_data(self):
        data = os.path.join(self.dir, "filedata")
        path = self.toml('listen = "127.0.0.1:0"\ndata = "%s"\ndemo = true\n' % data)
        proc = subprocess.Popen([BINARY, "serve", "--config", path], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=self.dir,
                                env=clean_env())
        try:
            self.assertIn("with 4 units from " + data, proc.stdout.readline())
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()

    def test_environment_sets_listen_data_and_booleans(self):
        data = os.path.join(self.dir, "envdata")
        proc = subprocess.Popen([BINARY, "serve"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=self.dir,
                                env=clean_env(TREFFPUNKT_LISTEN="127.0.0.1:0",
                                              TREFFPUNKT_DATA=data, TREFFPUNKT_DEMO="yes",
                                              TREFFPUNKT_TRUST_PROXY="true"))
        try:
            line = proc.stdout.readline()
            self.assertIn("with 4 units from " + data, line)
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        # A flag turns a boolean from the environment off again.
        done = self.run_serve("--no-demo", "--listen", "nonsense",
                              TREFFPUNKT_DEMO="true")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--listen wants HOST:PORT, got 'nonsense'", done.stderr)

    def test_bad_values_name_their_source_and_exit_2(self):
        cases = [
            (("--threads", "0"), {}, "--threads wants a number from 1 to 256, got '0'"),
            (("--read-timeout", "soon"), {}, "--read-timeout wants a number of seconds"),
            (("--trust-proxy=maybe",), {}, "--trust-proxy wants true or false, got 'maybe'"),
            (("--base-url", "ftp://x"), {}, "--base-url wants a URL starting with http://"),
            (("--frobnicate",), {}, "unknown or incomplete option '--frobnicate'"),
            (("--listen",), {}, "unknown or incomplete option '--listen'"),
            ((), {"TREFFPUNKT_THREADS": "many"}, "TREFFPUNKT_THREADS wants a number from 1 to "
                                                 "256, got 'many'"),
            ((), {"TREFFPUNKT_TRUST_PROXY": "sometimes"}, "TREFFPUNKT_TRUST_PROXY wants true"),
            ((), {"TREFFPUNKT_LISTEN": "localhost"}, "TREFFPUNKT_LISTEN wants HOST:PORT"),
            (("--confirm-series-after", "-1"), {},
             "--confirm-series-after wants a number of weeks from 0 (never) to 520, got '-1'"),
            ((), {"TREFFPUNKT_CONFIRM_SERIES_AFTER": "eight"},
             "TREFFPUNKT_CONFIRM_SERIES_AFTER wants a number of weeks"),
            (("--metrics-from", "10.0.0.0/8, intranet"), {},
             "--metrics-from wants addresses or ranges such as 10.0.0.0/8 or ::1, "
             "comma-separated, or any (\"intranet\" is none)"),
        ]
        for args, env, message in cases:
            done = self.run_serve(*args, **env)
            self.assertEqual(done.returncode, 2, (args, env, done.stderr))
            self.assertIn(message, done.stderr, (args, env))

    def test_bad_toml_names_key_and_line(self):
        cases = [
            ('listen = "127.0.0.1:0"\n\nthreads = "four"\n', ":3: threads wants an integer"),
            ('threads = 4\nread_timeout = 0\n',
             ":2: read_timeout wants a number of seconds from 1 to 86400, got '0'"),
            ('demo = true\ntrust_proxy = "yes"\n', ":2: trust_proxy wants true or false"),
            ('confirm_series_after = 521\n',
             ":1: confirm_series_after wants a number of weeks from 0 (never) to 520"),
            ('lisen = "127.0.0.1:8080"\n', ":1: unknown key 'lisen'"),
            ('[server]\nlisten = "x"\n', ":1: unknown key 'server'"),
            ('listen = "127.0.0.1:8080\n', ":1:"),  # unterminated string: toml++'s message
        ]
        for text, message in cases:
            path = self.toml(text)
            done = self.run_serve("--config", path, "--listen", "127.0.0.1:0")
            self.assertEqual(done.returncode, 2, (text, done.stderr))
            self.assertIn(path + message, done.stderr, text)
        done = self.run_serve("--config", os.path.join(self.dir, "missing.toml"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("missing.toml", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
