"""PostgreSQL databases for the loopback tests that run `serve --database` (issue 18).

ctest starts a throwaway cluster (scripts/pg-cluster, the fixture `postgres`) and hands its URI
to the tests in TREFFPUNKT_TEST_POSTGRES; each test makes databases of its own on it, so that
tests never see each other's data. Run by hand without the variable, cluster() starts a cluster
of its own under /tmp (the postgres user must reach it) and stops it at exit."""
import atexit
import itertools
import os
import subprocess
import tempfile
import urllib.parse

PG_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                          "pg-cluster")
_counter = itertools.count(1)
_own_cluster = None


def cluster():
    """The URI of the cluster's database `treffpunkt` (postgresql:///treffpunkt?host=...)."""
    global _own_cluster
    uri = os.environ.get("TREFFPUNKT_TEST_POSTGRES")
    if uri:
        return uri
    if _own_cluster is None:
        folder = tempfile.mkdtemp(prefix="treffpunkt-pg-", dir="/tmp")
        os.rmdir(folder)  # pg-cluster makes it, owned by whoever runs the server
        done = subprocess.run([PG_CLUSTER, "start", folder], capture_output=True, text=True,
                              check=True)
        _own_cluster = (folder, done.stdout.strip())
        atexit.register(subprocess.run, [PG_CLUSTER, "stop", folder], check=False)
    return _own_cluster[1]


def with_database(uri, name):
    """`uri` naming the database `name` instead."""
    # By hand: urlunsplit would drop the empty host of postgresql:///db?host=/socket/dir.
    scheme, rest = uri.split("://", 1)
    host_end = min([i for i in (rest.find("/"), rest.find("?"), len(rest)) if i >= 0])
    query = rest.find("?")
    return "%s://%s/%s%s" % (scheme, rest[:host_end], urllib.parse.quote(name),
                             rest[query:] if query >= 0 else "")


def fresh(prefix):
    """The URI of a new, empty database on the cluster, named after `prefix` and this
    process."""
    base = cluster()
    name = "%s_%d_%d" % (prefix, os.getpid(), next(_counter))
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", base,
                    "-c", 'CREATE DATABASE "%s"' % name], check=True, capture_output=True)
    return with_database(base, name)


def query(uri, sql):
    """The rows of `sql` on `uri` as lists of text (psql's unaligned output)."""
    done = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                           "-d", uri, "-c", sql], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in done.stdout.splitlines() if line]
