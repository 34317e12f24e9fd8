#!/usr/bin/env python3
"""Fails when `amur moderation eval --pipeline` falls below floors on a labelled set.

The team's set has the goals of issue 14 (`--goals`). The generalisation set
(README.md) does not meet them by design; this guards what session 8 reached on it
so that a later change to the lists or the classifier cannot quietly lose it.

usage: eval_floor.py AMUR FILE TRAIN --held P --caught P --civil-held P --civil-flagged P
(percentages: harassment held at least, held or flagged at least; civil held and
flagged at most)
"""

import argparse
import re
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("amur")
    p.add_argument("file")
    p.add_argument("train")
    p.add_argument("--held", type=float, required=True)
    p.add_argument("--caught", type=float, required=True)
    p.add_argument("--civil-held", type=float, required=True)
    p.add_argument("--civil-flagged", type=float, required=True)
    a = p.parse_args()
    out = subprocess.run([a.amur, "moderation", "eval", a.file, "--train", a.train, "--pipeline"],
                         capture_output=True, text=True, check=True).stdout
    print(out)
    h = re.search(r"^harassment \d+: held \d+ \(([\d.]+)%\), held or flagged \d+ \(([\d.]+)%\)",
                  out, re.M)
    c = re.search(r"^civil \d+: held \d+ \(([\d.]+)%\), flagged \d+ \(([\d.]+)%\)", out, re.M)
    if not h or not c:
        print("FLOOR: the report has no totals")
        return 1
    held, caught = float(h.group(1)), float(h.group(2))
    civil_held, civil_flagged = float(c.group(1)), float(c.group(2))
    missed = []
    if held < a.held:
        missed.append(f"harassment held {held}% < {a.held}%")
    if caught < a.caught:
        missed.append(f"harassment held or flagged {caught}% < {a.caught}%")
    if civil_held > a.civil_held:
        missed.append(f"civil held {civil_held}% > {a.civil_held}%")
    if civil_flagged > a.civil_flagged:
        missed.append(f"civil flagged {civil_flagged}% > {a.civil_flagged}%")
    for m in missed:
        print("FLOOR MISSED: " + m)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
