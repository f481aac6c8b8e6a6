#!/usr/bin/env python3
"""Golden fixtures for Kairos schedule rules, from an implementation independent of the TypeScript one.

Uses only the Python standard library: zoneinfo (the system tz database) for offsets. It walks local dates and
times, maps each local wall time to UTC under the Kairos DST policy (docs/schedules-rules.md):
  - a wall time in a spring-forward gap fires at the first instant after the gap (the transition itself);
  - a wall time that occurs twice fires once, at its first (earlier) occurrence;
then drops repeats (several wall times in one gap land on the same instant).

Writes test/fixtures/schedule/golden.json.gz (deterministic bytes) and test/fixtures/schedule/README.md.
Run: python3 scripts/gen-schedule-fixtures.py
"""

import calendar
import gzip
import hashlib
import json
import os
import platform
import sys
import zoneinfo
from datetime import date, datetime, timedelta, timezone

ZONES = [
    "Asia/Seoul", "America/New_York", "Europe/London", "Europe/Dublin", "Australia/Lord_Howe",
    "America/Santiago", "Africa/Casablanca", "Pacific/Chatham", "America/St_Johns", "Asia/Kolkata",
]
FIRST_YEAR, LAST_YEAR = 2020, 2035
START_S = int(datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc).timestamp())
END_S = int(datetime(LAST_YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp())
DAY_S = 86_400
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "schedule")


# ---- rules: each yields (local date, [(hour, minute)]) for every local date it fires on -----------------------------

def every_day(times):
    def dates(first, last):
        d = first
        while d <= last:
            yield d, times
            d += timedelta(days=1)
    return dates


def month_ends(choose_day, times):
    def dates(first, last):
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            d = choose_day(y, m)
            if first <= d <= last:
                yield d, times
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dates


def day_31_clamped(y, m):
    return date(y, m, min(31, calendar.monthrange(y, m)[1]))


def last_business_day(y, m):
    d = date(y, m, calendar.monthrange(y, m)[1])
    while d.weekday() >= 5:  # Saturday, Sunday
        d -= timedelta(days=1)
    return d


def weekdays(days, times):
    inner = every_day(times)
    def dates(first, last):
        for d, t in inner(first, last):
            if d.weekday() in days:
                yield d, t
    return dates


RULES = [
    ("daily-0230", {"cron": "30 2 * * *"}, every_day([(2, 30)]), True),
    ("daily-0130", {"cron": "30 1 * * *"}, every_day([(1, 30)]), True),
    ("hourly", {"cron": "0 * * * *"}, every_day([(h, 0) for h in range(24)]), False),
    ("quarter-hourly", {"cron": "*/15 * * * *"}, every_day([(h, m) for h in range(24) for m in (0, 15, 30, 45)]), False),
    ("monthly-31-clamped", {"cron": "0 9 31 * *", "clampDayOfMonth": True}, month_ends(day_31_clamped, [(9, 0)]), True),
    ("last-business-day", {"cron": "0 9 L * *", "onHoliday": "previous-business-day"},
     month_ends(last_business_day, [(9, 0)]), True),
    ("monday-friday-0900", {"cron": "0 9 * * MON,FRI"}, weekdays({0, 4}, [(9, 0)]), True),
]


# ---- time zones ------------------------------------------------------------------------------------------------------

def offset_at(zone, seconds):
    return int(datetime.fromtimestamp(seconds, zone).utcoffset().total_seconds())


def first_change(zone, lo, hi):
    """Smallest whole second in (lo, hi] whose offset differs from the offset at lo."""
    base = offset_at(zone, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_at(zone, mid) == base:
            lo = mid
        else:
            hi = mid
    return hi


def transitions(zone):
    out = []
    step = 3600
    t = START_S - DAY_S
    previous = offset_at(zone, t)
    while t < END_S + DAY_S:
        current = offset_at(zone, t + step)
        if current != previous:
            at = first_change(zone, t, t + step)
            out.append([at * 1000, previous, offset_at(zone, at)])
        previous = current
        t += step
    return out


def local_to_utc(zone, d, hour, minute):
    """UTC seconds of a local wall time under the Kairos DST policy."""
    naive = datetime(d.year, d.month, d.day, hour, minute)
    u0 = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    u1 = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    if u0 == u1:
        return u0
    exists = [u for u in (u0, u1) if datetime.fromtimestamp(u, zone).replace(tzinfo=None) == naive]
    if exists:
        return min(exists)  # a fold: the first occurrence
    # A gap: PEP 495 puts u1 before the transition and u0 after it; the transition is the first valid instant.
    return first_change(zone, min(u0, u1), max(u0, u1))


def occurrences(zone, dates):
    out = []
    for d, times in dates(date(FIRST_YEAR - 1, 12, 30), date(LAST_YEAR + 1, 1, 2)):
        for hour, minute in times:
            s = local_to_utc(zone, d, hour, minute)
            if out and s < out[-1]:
                raise AssertionError(f"{zone.key}: mapping ran backwards at {d} {hour}:{minute}")
            if START_S <= s < END_S and (not out or s != out[-1]):
                out.append(s)
    return [s * 1000 for s in out]


def delta_encode(values):
    return [values[0]] + [b - a for a, b in zip(values, values[1:])] if values else []


def tzdata_version():
    for base in zoneinfo.TZPATH:
        path = os.path.join(base, "tzdata.zi")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                first = f.readline().strip()
            if first.startswith("# version "):
                return first[len("# version "):], base
    try:
        import importlib.metadata
        return "tzdata package " + importlib.metadata.version("tzdata"), "tzdata package"
    except Exception:  # noqa: BLE001 - report unknown rather than fail
        return "unknown", ",".join(zoneinfo.TZPATH)


def main():
    version, source = tzdata_version()
    header = {
        "generator": "scripts/gen-schedule-fixtures.py",
        "python": platform.python_version(),
        "tzdata": version,
        "tzdataSource": source,
        "rangeUtcMs": [START_S * 1000, END_S * 1000],
        "windowMs": DAY_S * 1000,
        "digest": "sha256 of the decimal epoch-ms values joined by '\\n' (no trailing newline)",
    }
    zones, cases = {}, []
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        zone_transitions = [t for t in transitions(zone) if START_S * 1000 <= t[0] < END_S * 1000]
        zones[name] = {"transitions": zone_transitions}
        windows = [(t[0] - DAY_S * 1000, t[0] + DAY_S * 1000) for t in zone_transitions]
        for rule_id, _rule, dates, full in RULES:
            values = occurrences(zone, dates)
            digest = hashlib.sha256("\n".join(str(v) for v in values).encode()).hexdigest()
            in_windows = [v for v in values if any(lo <= v <= hi for lo, hi in windows)]
            case = {"zone": name, "rule": rule_id, "count": len(values), "sha256": digest,
                    "windowed": delta_encode(in_windows)}
            if full:
                case["all"] = delta_encode(values)
            cases.append(case)
            print(f"{name:22} {rule_id:20} {len(values):7} occurrences", file=sys.stderr)
    fixture = {"header": header, "zones": zones,
               "rules": [{"id": i, "rule": r, "full": f} for i, r, _d, f in RULES], "cases": cases}
    os.makedirs(OUT_DIR, exist_ok=True)
    raw = json.dumps(fixture, separators=(",", ":"), sort_keys=True).encode()
    with open(os.path.join(OUT_DIR, "golden.json.gz"), "wb") as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    write_readme(header, zones, cases)


def write_readme(header, zones, cases):
    lines = [
        "# Schedule golden fixtures",
        "",
        "Generated by `python3 scripts/gen-schedule-fixtures.py` (stdlib `zoneinfo` only); do not edit by hand.",
        "test/core/schedule/golden*.test.ts recompute every sequence with Kairos and compare count, digest and the",
        "explicit occurrences within one day of every UTC-offset transition; small sequences are stored in full.",
        "",
        f"- Python: {header['python']}",
        f"- tzdata: {header['tzdata']} ({header['tzdataSource']})",
        f"- UTC range: {FIRST_YEAR}-01-01T00:00Z to {LAST_YEAR + 1}-01-01T00:00Z (end excluded)",
        "",
        "| zone | transitions | " + " | ".join(r[0] for r in RULES) + " |",
        "|---|---|" + "---|" * len(RULES),
    ]
    for name in ZONES:
        counts = [str(c["count"]) for c in cases if c["zone"] == name]
        lines.append(f"| {name} | {len(zones[name]['transitions'])} | " + " | ".join(counts) + " |")
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
