//! "Is intake open at this moment?" for search results, computed here rather than by the SQL
//! function `directory_open_at`, which cost as much database CPU as the rest of a nearby
//! search (`docs/benchmarks.md`, "What the measurements decided"). The `open_now` *filter*
//! still runs in SQL so that `LIMIT` counts only open places; the test
//! `rust_and_sql_agree_on_open_now` (`tests/tests/suite/directory.rs`) keeps the two definitions equal.

use super::validate::minutes;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use fieldline_wire::directory::{Hours, OpeningSpan};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::types::Json;
use sqlx::{Decode, Postgres, Type};

/// Whether `hours` are open at `at`. Spans are wall-clock times in the entry's zone; one whose
/// closing time is before its opening time runs past midnight (a Monday 20:00–02:00 span is
/// open at 01:00 on Tuesday); `24:00` closes at midnight.
pub fn open_at(hours: &Hours, at: DateTime<Utc>) -> bool {
    if hours.open_24_7 {
        return true;
    }
    // Zones are checked when an entry is written; an unknown one (never stored) reads closed.
    let Ok(zone) = hours.time_zone.parse::<chrono_tz::Tz>() else {
        return false;
    };
    let local = at.with_timezone(&zone).naive_local();
    let day = local.weekday().number_from_monday();
    let yesterday = (local - Duration::days(1)).weekday().number_from_monday();
    // Nanoseconds after local midnight, compared with spans' minutes as SQL compares `time`s.
    let now = i64::from(local.num_seconds_from_midnight()) * 1_000_000_000
        + i64::from(local.nanosecond() % 1_000_000_000);
    hours.spans.iter().any(|s| {
        // Stored spans passed `validate::minutes` on the way in.
        let (Some(opens), Some(closes)) = (
            minutes(&s.opens, false).map(minute_ns),
            minutes(&s.closes, true).map(minute_ns),
        ) else {
            return false;
        };
        let overnight = closes < opens;
        let day_of_span = u32::from(s.day);
        (day_of_span == day && opens <= now && (now < closes || overnight))
            || (overnight && day_of_span == yesterday && now < closes)
    })
}

/// Minutes after midnight as nanoseconds, the unit `now` is compared in.
fn minute_ns(minutes: u32) -> i64 {
    i64::from(minutes) * 60 * 1_000_000_000
}

/// Opening spans as searches read them from the `hours` column (`jsonb`).
///
/// A search decodes the spans of every place it returns, and serde_json doing so was an eighth
/// of the server's instructions per nearby search (callgrind, scripts/bench-directory).
/// PostgreSQL prints a `jsonb` array of spans in one canonical form, which
/// [`canonical_spans`] reads directly; anything else still goes through serde_json.
pub struct StoredSpans(pub Vec<OpeningSpan>);

impl Type<Postgres> for StoredSpans {
    fn type_info() -> PgTypeInfo {
        <Json<()> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        *ty == Self::type_info()
    }
}

impl<'r> Decode<'r, Postgres> for StoredSpans {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let mut text = value.as_bytes()?;
        if value.format() == PgValueFormat::Binary {
            // Binary `jsonb` is a format version (1) and then the text.
            text = match text.split_first() {
                Some((1, rest)) => rest,
                _ => return Err("unsupported jsonb format version".into()),
            };
        }
        match canonical_spans(text) {
            Some(spans) => Ok(Self(spans)),
            None => Ok(Self(serde_json::from_slice(text)?)),
        }
    }
}

/// Spans in the exact form PostgreSQL prints a `jsonb` array of them (keys ordered by length,
/// a space after each `:` and `,`): `[{"day": 1, "opens": "08:00", "closes": "17:00"}]`. `None`
/// for any other text; serde_json reads the same spans from everything this accepts.
pub fn canonical_spans(text: &[u8]) -> Option<Vec<OpeningSpan>> {
    let mut rest = text.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let mut spans = Vec::with_capacity(rest.len() / 48 + 1);
    while !rest.is_empty() {
        let r = rest.strip_prefix(b"{\"day\": ")?;
        let (&day, r) = r.split_first()?;
        if !(b'1'..=b'7').contains(&day) {
            return None;
        }
        let (opens, r) = clock(r.strip_prefix(b", \"opens\": \"")?)?;
        let (closes, r) = clock(r.strip_prefix(b"\", \"closes\": \"")?)?;
        let r = r.strip_prefix(b"\"}")?;
        rest = match r.strip_prefix(b", ") {
            Some(next) if !next.is_empty() => next,
            Some(_) => return None,
            None if r.is_empty() => r,
            None => return None,
        };
        spans.push(OpeningSpan {
            day: day - b'0',
            opens,
            closes,
        });
    }
    Some(spans)
}

/// `HH:MM` (digits and a colon, unchecked beyond that, as serde_json would take it).
fn clock(text: &[u8]) -> Option<(String, &[u8])> {
    let (time, rest) = text.split_at_checked(5)?;
    let digits = [time[0], time[1], time[3], time[4]];
    if time[2] != b':' || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // ASCII digits and a colon.
    let time = String::from_utf8(time.to_vec()).ok()?;
    Some((time, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldline_wire::directory::OpeningSpan;

    fn hours(zone: &str, spans: &[(u8, &str, &str)]) -> Hours {
        Hours {
            time_zone: zone.into(),
            open_24_7: false,
            spans: spans
                .iter()
                .map(|&(day, opens, closes)| OpeningSpan {
                    day,
                    opens: opens.into(),
                    closes: closes.into(),
                })
                .collect(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().into()
    }

    #[test]
    fn canonical_spans_read_what_serde_json_reads() {
        let text = r#"[{"day": 1, "opens": "08:00", "closes": "17:00"}, {"day": 7, "opens": "20:00", "closes": "24:00"}]"#;
        let serde: Vec<OpeningSpan> = serde_json::from_str(text).unwrap();
        assert_eq!(canonical_spans(text.as_bytes()), Some(serde));
        assert_eq!(canonical_spans(b"[]"), Some(vec![]));
        // Anything else is left to serde_json.
        for other in [
            r#"[{"day":1,"opens":"08:00","closes":"17:00"}]"#,
            r#"[{"day": 8, "opens": "08:00", "closes": "17:00"}]"#,
            r#"[{"day": 1, "opens": "8:00", "closes": "17:00"}]"#,
            r#"[{"day": 1, "opens": "08:00", "closes": "17:00"}, ]"#,
            r#"[{"day": 1, "opens": "08:00", "closes": "17:00", "note": "x"}]"#,
            r#"[{"day": 1, "opens": "08:00", "closes": "17:00"}] "#,
            r#"{"day": 1}"#,
            "",
        ] {
            assert_eq!(canonical_spans(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn spans_in_the_entrys_zone_across_midnight_and_at_the_edges() {
        // Monday 20:00 to Tuesday 02:00 in Denver (UTC-7 in November).
        let h = hours("America/Denver", &[(1, "20:00", "02:00")]);
        assert!(!open_at(&h, at("2026-11-23T19:59:59-07:00")));
        assert!(open_at(&h, at("2026-11-23T20:00:00-07:00")));
        assert!(open_at(&h, at("2026-11-24T01:59:59-07:00")));
        assert!(!open_at(&h, at("2026-11-24T02:00:00-07:00")));
        // The same instant is Tuesday 03:00 in New York: its zone is what counts.
        assert!(!open_at(
            &hours("America/New_York", &[(1, "20:00", "02:00")]),
            at("2026-11-24T01:00:00-07:00")
        ));
        let late = hours("UTC", &[(7, "18:00", "24:00")]);
        assert!(open_at(&late, at("2026-11-29T23:59:59Z")));
        assert!(!open_at(&late, at("2026-11-30T00:00:00Z")));
        let mut always = hours("Pacific/Chatham", &[]);
        always.open_24_7 = true;
        assert!(open_at(&always, at("2026-11-30T00:00:00Z")));
        assert!(!open_at(
            &hours("Not/A_Zone", &[(1, "00:00", "24:00")]),
            at("2026-11-23T12:00:00Z")
        ));
    }
}
