//! "Is intake open at this moment?" for search results, computed here rather than by the SQL
//! function `directory_open_at`, which cost as much database CPU as the rest of a nearby
//! search (README, "Benchmarks"). The `open_now` *filter* still runs in SQL so that `LIMIT`
//! counts only open places; the test `rust_and_sql_agree` keeps the two definitions equal.

use super::validate::minutes;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use fieldline_wire::directory::Hours;

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
