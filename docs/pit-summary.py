#!/usr/bin/env python3
"""Summarises PIT mutations.xml files: per package killed/total (mutation score), test strength
(killed / covered) and, with -s, the surviving and uncovered mutants by class and line.

    python3 docs/pit-summary.py [-s] archway-translator/target/pit-reports/mutations.xml [...]
"""
import collections
import sys
import xml.etree.ElementTree as ET


def main(argv):
    show = "-s" in argv
    files = [a for a in argv if a != "-s"]
    stats = collections.OrderedDict()
    left = []
    for f in files:
        for m in ET.parse(f).getroot().iter("mutation"):
            cls = m.findtext("mutatedClass")
            pkg = cls.rsplit(".", 1)[0]
            s = stats.setdefault(pkg, collections.Counter())
            s["total"] += 1
            status = m.get("status")
            if m.get("detected") == "true":
                s["killed"] += 1
            if status == "NO_COVERAGE":
                s["nocov"] += 1
            if m.get("detected") != "true":
                left.append((cls, int(m.findtext("lineNumber")), status, m.findtext("mutatedMethod"),
                             m.findtext("description")))
    print(f"{'package':45} {'killed/total':>13} {'score':>6} {'strength':>8} {'no cov':>6}")
    tk = tt = tc = 0
    for pkg in sorted(stats):
        s = stats[pkg]
        covered = s["total"] - s["nocov"]
        tk += s["killed"]; tt += s["total"]; tc += covered
        print(f"{pkg:45} {s['killed']:>6}/{s['total']:<6} {100 * s['killed'] / s['total']:5.1f}% "
              f"{100 * s['killed'] / max(covered, 1):7.1f}% {s['nocov']:>6}")
    if tt:
        print(f"{'(all)':45} {tk:>6}/{tt:<6} {100 * tk / tt:5.1f}% {100 * tk / max(tc, 1):7.1f}%")
    if show:
        for cls, line, status, method, desc in sorted(left):
            print(f"{status:12} {cls}:{line} {method}: {desc}")


if __name__ == "__main__":
    main(sys.argv[1:])
