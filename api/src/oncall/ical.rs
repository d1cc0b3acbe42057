//! iCalendar (RFC 5545) output for the on-call feed: text escaping, 75-octet line folding with
//! CRLF, times in UTC.

use chrono::{DateTime, Utc};
use std::fmt::Write;

/// An event as the feed shows it.
pub struct Event<'a> {
    pub uid: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
}

/// A whole `VCALENDAR` with `events`, stamped at `now`.
pub fn calendar(name: &str, events: &[Event<'_>], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut line = |l: String| fold_into(&mut out, &l);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Fieldline//On-call shifts//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", text(name)));
    // Calendar apps poll subscribed feeds; ask for hourly so overrides show up soon.
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".into());
    line("X-PUBLISHED-TTL:PT1H".into());
    let stamp = utc(now);
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", text(e.uid)));
        line(format!("DTSTAMP:{stamp}"));
        line(format!("DTSTART:{}", utc(e.start)));
        line(format!("DTEND:{}", utc(e.end)));
        line(format!("SUMMARY:{}", text(e.summary)));
        line("TRANSP:OPAQUE".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// `19980119T070000Z` (RFC 5545 3.3.5, form #2: UTC).
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded to lines of at most 75 octets (RFC 5545 3.1), never splitting a
/// UTF-8 character; continuation lines start with one space.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Bereitschaft für Zürich—".repeat(8));
        fold_into(&mut out, &long);
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, long);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }
}
