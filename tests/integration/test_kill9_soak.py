"""A short run of scripts/kill9_soak.py (5 rounds; the script's default is
100): mixed load (posts, replies, votes, an admin's decisions, edits), kill -9
at a random moment, restart, and every acknowledged comment, vote, edit and
decision is there, the event log has no gap and the hash chains verify.
On PostgreSQL (AMUR_TEST_DATABASE) the rounds run on a fresh database of the
test cluster (--database)."""

import os
import subprocess
import sys
import unittest

from amur_harness import AMUR_BIN, TestDatabase, on_postgresql

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "kill9_soak.py")
ROUNDS = int(os.environ.get("AMUR_SOAK_ROUNDS", "5"))


class Kill9Soak(unittest.TestCase):

    def test_soak(self):
        cmd = [sys.executable, SCRIPT, str(ROUNDS), "--amur", AMUR_BIN]
        if on_postgresql():
            database = TestDatabase(folder=None)
            self.addCleanup(database.close)
            cmd += ["--database", database.url]
        r = subprocess.run(cmd,
                           capture_output=True, text=True, timeout=540)
        self.assertEqual(r.returncode, 0, r.stdout[-6000:] + r.stderr[-4000:])
        self.assertIn(f"PASSED {ROUNDS} rounds", r.stdout)
        print(r.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    unittest.main()
