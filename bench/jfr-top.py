#!/usr/bin/env python3
"""jfr-top.py - where a JFR recording's CPU samples go, by method and by class.

    bench/jfr-top.py [--top N] [--thread SUBSTRING] [--jfr PATH-TO-jfr] RECORDING.jfr...

Reads jdk.ExecutionSample (threads running Java code: the CPU profile) with `jfr print --json`
and prints, for the threads whose name contains SUBSTRING (default: every thread):
  - the top N methods by self samples (the top frame),
  - the top N methods by inclusive samples (anywhere on the stack, counted once per sample),
  - the top N classes by self and by inclusive samples,
  - apart, jdk.NativeMethodSample's top frames (threads in native code, blocked in epoll_wait or in
    a system call: not CPU time).
Record with a deep stack (the proxy's stacks pass 64 frames, JFR's default), e.g.
  -XX:FlightRecorderOptions:stackdepth=512 and jdk.ExecutionSample at a 1-10 ms period
(bench/cost.sh --profile does both). The distribution of samples survives a loaded box; their
number per second does not.
"""
import argparse
import collections
import json
import shutil
import subprocess
import sys


def frames_of(event):
    stack = event["values"].get("stackTrace") or {}
    out = []
    for f in stack.get("frames", []):
        m = f.get("method") or {}
        t = (m.get("type") or {}).get("name", "?")
        out.append((t, m.get("name", "?")))
    return out, bool(stack.get("truncated"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--thread", default="")
    ap.add_argument("--jfr", default=shutil.which("jfr") or "jfr")
    ap.add_argument("recordings", nargs="+")
    a = ap.parse_args()
    self_m, incl_m = collections.Counter(), collections.Counter()
    self_c, incl_c = collections.Counter(), collections.Counter()
    native, threads = collections.Counter(), collections.Counter()
    total = truncated = 0
    for rec in a.recordings:
        # `jfr print` keeps 5 frames of each stack unless told: the inclusive counts need them all.
        raw = subprocess.run([a.jfr, "print", "--json", "--stack-depth", "512",
                              "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", rec],
                             check=True, capture_output=True, text=True).stdout
        for e in json.loads(raw)["recording"]["events"]:
            v = e["values"]
            t = v.get("sampledThread") or {}
            thread = t.get("javaName") or t.get("osName") or ""
            if a.thread not in thread:
                continue
            frames, trunc = frames_of(e)
            if not frames:
                continue
            if e["type"] == "jdk.NativeMethodSample":
                # In native code, running or blocked (epoll_wait): not CPU time, listed apart.
                native["%s: %s.%s" % ((thread,) + frames[0])] += 1
                continue
            threads[thread] += 1
            total += 1
            truncated += trunc
            self_m["%s.%s" % frames[0]] += 1
            self_c[frames[0][0]] += 1
            seen_m, seen_c = set(), set()
            for t, m in frames:
                key = "%s.%s" % (t, m)
                if key not in seen_m:
                    seen_m.add(key)
                    incl_m[key] += 1
                if t not in seen_c:
                    seen_c.add(t)
                    incl_c[t] += 1
    if not total:
        print("no samples", file=sys.stderr)
        return 1
    print(f"{total} samples of threads running Java code ({truncated} stacks truncated); by thread: "
          + ", ".join(f"{k} {n}" for k, n in threads.most_common(5)))

    def table(title, counter, of=None):
        print(f"\n{title}")
        whole = of or total
        for k, n in counter.most_common(a.top):
            print(f"{100.0 * n / whole:6.2f} %  {n:7d}  {k}")

    table("methods by self samples", self_m)
    table("methods by inclusive samples", incl_m)
    table("classes by self samples", self_c)
    table("classes by inclusive samples", incl_c)
    table("native methods (self; samples of threads in native code, blocked or not, % of themselves)", native,
          sum(native.values()) or 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
