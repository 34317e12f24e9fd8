#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster for the test suite (ctest fixture pg_cluster).

  pg_cluster.py start BUILD_DIR AMUR_BIN   initdb in a temporary folder, start the
                                           server on a free loopback port, make the
                                           database amur_template (migrated by
                                           `amur verify`), and write the server's
                                           URL (no database name) to
                                           BUILD_DIR/pg-test/url; then start a hot
                                           standby streaming from it on another
                                           port and write its URL to
                                           BUILD_DIR/pg-test/replica_url
  pg_cluster.py stop BUILD_DIR             stop both servers and delete their folder

Tests copy amur_template into a fresh database each (CREATE DATABASE … TEMPLATE
amur_template) and drop it after. The cluster runs as the `postgres` user when
started by root (initdb refuses root). It trades durability for speed (fsync
off): it is thrown away after the run.

The standby is a copy of the primary (pg_basebackup -R) replaying its WAL, so
every per-test database made on the primary appears on it too (read-only).
It is shared by every test of the run: a test that stops or pauses a standby
starts its own with Standby (below), e.g.

    sys.path.insert(0, "<source>/tests/support"); import pg_cluster
    with pg_cluster.Standby(primary_url) as standby:   # standby.url, no database
        standby.wait_for_replay()     # has what the primary wrote so far
        standby.pause_replay(); standby.resume_replay()
        standby.stop(); standby.start()

A test that stops or breaks the primary itself starts a small one of its own
with Cluster (below) the same way (cluster.url; cluster.stop(); cluster.start()).
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        sys.exit(f"pg_cluster: {name} not found under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1]


def as_server_user(cmd):
    """`cmd` as the postgres user when we are root, else as ourselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state_dir(build_dir):
    return os.path.join(os.path.abspath(build_dir), "pg-test")


def psql(url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def sql_value(url, statement):
    """The first column of the first row of `statement` at `url` (a URL with
    a database name), as text."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                          "-d", url, "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def wait_for_replay(primary_url, standby_url, timeout=30.0):
    """Waits until the standby at `standby_url` has replayed everything the
    primary at `primary_url` had written when called (both URLs without
    database name), e.g. a database just made on the primary."""
    lsn = sql_value(primary_url + "/postgres", "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while True:
        done = sql_value(standby_url + "/postgres",
                         f"SELECT coalesce(pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn, false)")
        if done == "t":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"standby {standby_url} did not replay up to {lsn} within {timeout} s")
        time.sleep(0.02)


def pg_stop(data):
    """Stops the server of data folder `data` at once, if it runs."""
    if os.path.isdir(data):
        subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def server_options(port, socket_dir):
    """The options both kinds of server run with: loopback only, many
    connections and WAL senders (a standby needs at least the primary's), no
    durability."""
    return (f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=400 "
            "-c max_wal_senders=40 -c fsync=off -c full_page_writes=off -c shared_buffers=64MB")


def pg_start(data, options, log, port=None):
    """Starts the server of `data` on `port`, or on a free port (another one
    if the one chosen was taken meanwhile). `options(port)` gives its options.
    Returns the port."""
    for attempt in range(5):
        chosen = port if port is not None else free_port()
        rc = subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", data, "-w", "-t", "60",
                                            "-o", options(chosen), "-l", log, "start"]),
                            stdout=subprocess.DEVNULL).returncode
        if rc == 0:
            return chosen
        time.sleep(0.5)
    sys.exit("pg_cluster: the server did not start; see " + log)


class _OwnServer:
    """A PostgreSQL server of a test's own, in a temporary folder made by its
    start(): folder, port and url (no database name) once started; `with`
    starts it, close() stops it and deletes its folder."""

    def __init__(self):
        self.folder = None
        self.port = None
        self.url = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def data(self):
        return os.path.join(self.folder, "data")

    def close(self):
        if self.folder is not None:
            pg_stop(self.data)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


class Standby(_OwnServer):
    """A hot standby of the primary at `primary_url` (a URL without database
    name, on 127.0.0.1), in a fresh temporary folder, on its own free loopback
    port: url is its URL (no database name). It has every database the primary
    has, read-only, and follows the primary's writes by streaming replication.
    Started by start() or `with`; close() stops it and deletes its folder."""

    def __init__(self, primary_url):
        super().__init__()
        self.primary_url = primary_url

    def start(self):
        """Makes the standby (first call) or starts it again after stop(), on
        the same port."""
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="amur-pg-standby-")
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            # A copy of the primary, told to stream from it (-R); no fsync.
            subprocess.run(as_server_user([pg_bin("pg_basebackup"), "-d", self.primary_url + "/postgres",
                                           "-D", self.data, "-R", "-X", "stream", "-c", "fast",
                                           "--no-sync"]),
                           check=True, stdout=subprocess.DEVNULL)
        log = os.path.join(self.folder, "server.log")

        def options(port):
            return (server_options(port, self.folder) +
                    " -c hot_standby=on -c hot_standby_feedback=on -c wal_receiver_status_interval=1")
        self.port = pg_start(self.data, options, log, self.port)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        return self.url

    def stop(self):
        """Stops the standby at once (like a crash); start() brings it back."""
        pg_stop(self.data)

    def sql(self, statement):
        """The first column of the first row of `statement` on the standby, as text."""
        return sql_value(self.url + "/postgres", statement)

    def wait_for_replay(self, timeout=30.0):
        """Waits until the standby has replayed what the primary wrote so far."""
        wait_for_replay(self.primary_url, self.url, timeout)

    def pause_replay(self):
        """The standby stops applying the primary's WAL: it lags from now on."""
        self.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self):
        self.sql("SELECT pg_wal_replay_resume()")

    def processes(self):
        """The pids of the standby's postmaster and of all its children."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                main = int(f.readline())
        except (OSError, ValueError):
            return []  # not running
        pids = [main]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == main:
                    pids.append(int(entry))
        return pids

    def freeze(self):
        """Stops every process of the standby (SIGSTOP) without closing a
        connection: it accepts at the TCP level and never answers, like a
        wedged server. thaw() lets it go on."""
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def close(self):
        if self.folder is not None:
            self.thaw()
        super().close()


class Cluster(_OwnServer):
    """A small primary of a test's own (initdb in a fresh temporary folder, on
    its own free loopback port), for tests that stop or break the server
    itself, which they must never do to the shared fixture cluster: url is its
    URL (no database name). Started by start() or `with`; stop() stops it
    (mode "fast": sessions are cut, as an administrator's or a crash's
    restart would), start() brings it back on the same port, close() stops it
    and deletes its folder."""

    def start(self):
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="amur-pg-own-")
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            subprocess.run(as_server_user([pg_bin("initdb"), "-D", self.data, "-U", "postgres",
                                           "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                                           "--no-sync"]),
                           check=True, stdout=subprocess.DEVNULL)
        self.port = pg_start(self.data, lambda port: server_options(port, self.folder),
                             os.path.join(self.folder, "server.log"), self.port)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        return self.url

    def stop(self, mode="fast"):
        """Stops the server (pg_ctl stop -m `mode`) and waits until it is down."""
        subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", self.data, "-m", mode, "-w",
                                       "stop"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sql(self, statement, database="postgres"):
        """The first column of the first row of `statement`, as text."""
        return sql_value(f"{self.url}/{database}", statement)


def stop(build_dir):
    state = state_dir(build_dir)
    for name in ("standby_folder", "folder"):
        folder_file = os.path.join(state, name)
        if os.path.exists(folder_file):
            with open(folder_file) as f:
                folder = f.read().strip()
            pg_stop(os.path.join(folder, "data"))
            shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)


def start(build_dir, amur_bin):
    stop(build_dir)
    state = state_dir(build_dir)
    os.makedirs(state)
    folder = tempfile.mkdtemp(prefix="amur-pg-")
    with open(os.path.join(state, "folder"), "w") as f:
        f.write(folder)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = os.path.join(folder, "data")
    subprocess.run(as_server_user([pg_bin("initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                                   "--encoding=UTF8", "--locale=C.UTF-8"]),
                   check=True, stdout=subprocess.DEVNULL)
    # Standbys (the fixture's and the tests' own) stream from it; the WAL kept
    # lets a standby stopped for a while catch up when it starts again.
    port = pg_start(data, lambda port: server_options(port, folder) +
                    " -c wal_level=replica -c wal_keep_size=256MB",
                    os.path.join(folder, "server.log"))
    url = f"postgresql://postgres@127.0.0.1:{port}"
    # The template every test copies: migrated once by amur itself.
    psql(url + "/postgres", "CREATE DATABASE amur_template")
    subprocess.run([amur_bin, "verify", "--database", url + "/amur_template"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(state, "url.tmp"), "w") as f:
        f.write(url + "\n")
    os.replace(os.path.join(state, "url.tmp"), os.path.join(state, "url"))
    # The shared standby, made after the template so it has it from the start.
    standby = Standby(url)
    try:
        standby.start()
    finally:
        if standby.folder is not None:
            with open(os.path.join(state, "standby_folder"), "w") as f:
                f.write(standby.folder)
    with open(os.path.join(state, "replica_url.tmp"), "w") as f:
        f.write(standby.url + "\n")
    os.replace(os.path.join(state, "replica_url.tmp"), os.path.join(state, "replica_url"))
    print(f"pg_cluster: {url} in {folder}, standby {standby.url} in {standby.folder}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "start":
        start(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
