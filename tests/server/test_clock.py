"""The clock the loopback tests run at, so that they pass on any day.

TREFFPUNKT_NOW (an instant, "2026-06-10T08:00:00Z") is where every treffpunkt process a test
starts begins its clock (the server and the CLI read it). ctest sets it: a fixed default for
every test, and other instants for the date-sensitive tests run again across a year (first and
last week of a month, both DST changes, 29 February, New Year). Run by hand, a test gets the
default. Importing this module makes sure the variable is set for every process a test starts
with the default environment; a test that builds an environment of its own takes env().

now() and today() are the tests' reading of the same clock: the instant it was set to, plus the
time since this module was imported."""
import datetime
import os
import time
import zoneinfo

DEFAULT_NOW = "2026-06-10T08:00:00Z"
ZONE = zoneinfo.ZoneInfo("Europe/Berlin")


def _parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


START_TEXT = os.environ.get("TREFFPUNKT_NOW") or DEFAULT_NOW
START = _parse(START_TEXT)
os.environ["TREFFPUNKT_NOW"] = START_TEXT
_started = time.monotonic()


def now():
    """The current instant of the tests' clock (aware, UTC)."""
    return START + datetime.timedelta(seconds=time.monotonic() - _started)


def timestamp():
    """now() as seconds since the epoch, as the store writes times."""
    return int(now().timestamp())


def today(zone=ZONE):
    """Today's date in `zone` (the demo's units are in Europe/Berlin) on the tests' clock."""
    return now().astimezone(zone).date()


def env():
    """The variable that sets the clock of a process started with an environment of its own."""
    return {"TREFFPUNKT_NOW": START_TEXT}
