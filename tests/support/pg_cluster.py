#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster for the test suite (ctest fixture pg_cluster).

  pg_cluster.py start BUILD_DIR AMUR_BIN   initdb in a temporary folder, start the
                                           server on a free loopback port, make the
                                           database amur_template (migrated by
                                           `amur verify`), and write the server's
                                           URL (no database name) to
                                           BUILD_DIR/pg-test/url
  pg_cluster.py stop BUILD_DIR             stop the server and delete its folder

Tests copy amur_template into a fresh database each (CREATE DATABASE … TEMPLATE
amur_template) and drop it after. The cluster runs as the `postgres` user when
started by root (initdb refuses root). It trades durability for speed (fsync
off): it is thrown away after the run.
"""

import glob
import os
import shutil
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


def stop(build_dir):
    state = state_dir(build_dir)
    folder_file = os.path.join(state, "folder")
    if os.path.exists(folder_file):
        with open(folder_file) as f:
            folder = f.read().strip()
        data = os.path.join(folder, "data")
        if os.path.isdir(data):
            subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    for attempt in range(5):
        port = free_port()
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=400 "
                   "-c fsync=off -c full_page_writes=off -c shared_buffers=64MB")
        rc = subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", data, "-w", "-t", "60", "-o", options,
                                            "-l", os.path.join(folder, "server.log"), "start"]),
                            stdout=subprocess.DEVNULL).returncode
        if rc == 0:
            break
        time.sleep(0.5)
    else:
        sys.exit("pg_cluster: the server did not start; see " + os.path.join(folder, "server.log"))
    url = f"postgresql://postgres@127.0.0.1:{port}"
    # The template every test copies: migrated once by amur itself.
    psql(url + "/postgres", "CREATE DATABASE amur_template")
    subprocess.run([amur_bin, "verify", "--database", url + "/amur_template"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(state, "url.tmp"), "w") as f:
        f.write(url + "\n")
    os.replace(os.path.join(state, "url.tmp"), os.path.join(state, "url"))
    print(f"pg_cluster: {url} in {folder}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "start":
        start(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
