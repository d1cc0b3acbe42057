#!/usr/bin/env python3
"""Reads an iCalendar document (RFC 5545) on stdin with the `icalendar` package, which
Fieldline does not own, and prints its events as JSON:

  {"calendar": {"version", "prodid"}, "events": [{"uid", "start", "end", "stamp", "summary"}]}

Times are printed in UTC (RFC 3339). The parse is strict: a document the parser cannot read,
an event without UID/DTSTART/DTEND/DTSTAMP, or a floating (zone-less) time fails with exit 1.
"""
import json
import sys
from datetime import datetime, timezone

import icalendar


def utc(prop, name):
    if prop is None:
        raise SystemExit(f"event without {name}")
    dt = prop.dt
    if not isinstance(dt, datetime) or dt.tzinfo is None:
        raise SystemExit(f"{name} is not a date-time with a zone: {dt!r}")
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def main():
    raw = sys.stdin.buffer.read()
    for line in raw.split(b"\n")[:-1]:
        if not line.endswith(b"\r"):
            raise SystemExit("a line does not end with CRLF")
        if len(line) - 1 > 75:
            raise SystemExit(f"a line is longer than 75 octets: {line[:40]!r}")
    cal = icalendar.Calendar.from_ical(raw)
    out = {
        "calendar": {"version": str(cal.get("VERSION")), "prodid": str(cal.get("PRODID"))},
        "events": [],
    }
    for ev in cal.walk("VEVENT"):
        if not ev.get("UID"):
            raise SystemExit("event without UID")
        out["events"].append({
            "uid": str(ev.get("UID")),
            "start": utc(ev.get("DTSTART"), "DTSTART"),
            "end": utc(ev.get("DTEND"), "DTEND"),
            "stamp": utc(ev.get("DTSTAMP"), "DTSTAMP"),
            "summary": str(ev.get("SUMMARY")),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
