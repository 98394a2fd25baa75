#!/usr/bin/python3
"""The disk's durable commit rate, the baseline of bench/writes.sh: one row per transaction
into an SQLite database in WAL mode with synchronous=FULL (an fsync of the WAL per commit), as
fast as one connection can, for SECONDS; prints "commits_per_second p99_ms".

Usage: commit_rate.py FOLDER SECONDS   (FOLDER on the disk the server's data folder is on)
"""
import os
import sqlite3
import sys
import time

folder, seconds = sys.argv[1], float(sys.argv[2])
path = os.path.join(folder, "commit-rate.db")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, v TEXT)")
took = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO t (at, v) VALUES (?, ?)", (int(started), "yes"))
    db.execute("COMMIT")
    took.append(time.monotonic() - started)
db.close()
for suffix in ("", "-wal", "-shm"):
    try:
        os.remove(path + suffix)
    except FileNotFoundError:
        pass
took.sort()
print("%.0f %.3f" % (len(took) / seconds, took[int(len(took) * 0.99)] * 1000))
