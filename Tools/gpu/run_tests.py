#!/usr/bin/env python3
"""Runs test classes with the packaged XCTest runner (Tools/gpu/package's `tests`) so that a crash
does not hide the rest: the classes run in one process, and when it dies (a fatal error, a
signal) the class that was running is recorded as crashed and the classes not yet run go on in
a new process. Prints each class's outcome, the failures' first lines and the totals.

  run_tests.py RUNNER --classes A.B,A.C [--deadline SECONDS] [--library-path PATH]

The environment (UNET_TEST_BACKEND, ...) is passed through; --library-path becomes the runner's
LD_LIBRARY_PATH only (Python itself keeps the machine's libraries)."""
import argparse
import os
import re
import subprocess
import sys
import time

STARTED = re.compile(r"^Test Suite '([A-Za-z0-9_]+)' started")
ENDED = re.compile(r"^Test Suite '([A-Za-z0-9_]+)' (passed|failed)")
CASE = re.compile(r"^Test Case '([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)' (passed|failed|skipped)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runner")
    p.add_argument("--classes", required=True)
    p.add_argument("--deadline", type=float, default=600)
    p.add_argument("--library-path")
    a = p.parse_args()
    env = dict(os.environ)
    if a.library_path:
        env["LD_LIBRARY_PATH"] = a.library_path
    end = time.time() + a.deadline
    pending = [c for c in a.classes.split(",") if c]
    outcome = {}
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failures = []
    while pending:
        left = end - time.time()
        if left < 5:
            for c in pending:
                outcome[c] = "not run (time)"
            break
        short = {c.split(".")[-1]: c for c in pending}
        running = None
        proc = subprocess.Popen([a.runner, ",".join(pending)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=env)
        try:
            for line in proc.stdout:
                sys.stdout.write(line)
                m = STARTED.match(line)
                if m and m.group(1) in short:
                    running = short[m.group(1)]
                m = ENDED.match(line)
                if m and m.group(1) in short:
                    outcome[short[m.group(1)]] = m.group(2)
                    running = None
                m = CASE.match(line)
                if m:
                    counts[m.group(3)] += 1
                if "error:" in line or "Fatal error" in line:
                    failures.append(line.strip()[:400])
                if time.time() > end:
                    proc.kill()
                    break
            proc.wait(timeout=max(1, end - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if running is not None:
            outcome[running] = f"CRASHED (exit {proc.returncode})"
        pending = [c for c in pending if c not in outcome]
        if proc.returncode == 0 or running is None and pending:
            # a clean exit leaves nothing pending; an exit between classes (none running) would loop
            for c in pending:
                outcome[c] = f"not run (runner exited {proc.returncode})"
            break
    print("\n== per class")
    for c in a.classes.split(","):
        if c:
            print(f"{outcome.get(c, '?'):>28}  {c}")
    crashed = [c for c, o in outcome.items() if o.startswith("CRASHED")]
    print(f"\n{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped; {len(crashed)} class(es) crashed")
    seen = {}
    for f in failures:
        seen[f] = seen.get(f, 0) + 1
    for f, n in list(seen.items())[:30]:
        print(("  " if n == 1 else f"  ({n}×) ") + f)
    sys.exit(0 if counts["failed"] == 0 and not crashed and all(o in ("passed", "failed") for o in outcome.values()) else 1)


if __name__ == "__main__":
    main()
