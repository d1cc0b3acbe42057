//! Who is on call, from a rotation: pure wall-clock arithmetic in the schedule's zone.
//! Rules from GoAlert's rotations (design.md): a hand-off at a local time that does not exist
//! (the hour skipped in spring) happens at the next real instant; one that occurs twice (the
//! hour repeated in autumn) happens at the first.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Rotation {
    pub tz: Tz,
    pub users: Vec<Uuid>,
    pub shift_days: i64,
    pub handoff: NaiveTime,
    pub start: NaiveDate,
}

/// One person's turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub user: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The instant a local wall-clock time names in `tz`.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    // A gap is at most a few hours anywhere; step to its end.
    for _ in 0..(6 * 60) {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(dt) => return dt.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => t += Duration::minutes(1),
        }
    }
    // Not reachable for real zones; fall back to reading the time as UTC.
    Utc.from_utc_datetime(&local)
}

impl Rotation {
    /// The instant of hand-off `k` (0 = the first).
    pub fn handoff(&self, k: i64) -> DateTime<Utc> {
        let date = self.start + Duration::days(k * self.shift_days);
        resolve(self.tz, date.and_time(self.handoff))
    }

    /// The shift covering `t`; `None` before the first hand-off.
    pub fn at(&self, t: DateTime<Utc>) -> Option<Shift> {
        let local_date = t.with_timezone(&self.tz).date_naive();
        let mut k = (local_date - self.start)
            .num_days()
            .div_euclid(self.shift_days);
        while self.handoff(k) > t {
            k -= 1;
        }
        while self.handoff(k + 1) <= t {
            k += 1;
        }
        if k < 0 {
            return None;
        }
        Some(self.shift(k))
    }

    fn shift(&self, k: i64) -> Shift {
        let user = self.users[(k as usize) % self.users.len()];
        Shift {
            user,
            start: self.handoff(k),
            end: self.handoff(k + 1),
        }
    }

    /// Shifts overlapping `[from, to)`, in order.
    pub fn shifts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let mut out = Vec::new();
        let mut k = match self.at(from) {
            Some(_) => {
                let local_date = from.with_timezone(&self.tz).date_naive();
                let mut k = (local_date - self.start)
                    .num_days()
                    .div_euclid(self.shift_days);
                while self.handoff(k) > from {
                    k -= 1;
                }
                k
            }
            None => 0,
        };
        while k >= 0 && self.handoff(k) < to && out.len() < 1000 {
            out.push(self.shift(k));
            k += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rot(tz: &str, days: i64, at: &str, start: &str, n: usize) -> Rotation {
        Rotation {
            tz: tz.parse().unwrap(),
            users: (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect(),
            shift_days: days,
            handoff: NaiveTime::parse_from_str(at, "%H:%M").unwrap(),
            start: start.parse().unwrap(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_skipped_handoff_time_moves_to_the_next_real_instant() {
        // Chicago springs forward on 2026-03-08: 02:00 CST becomes 03:00 CDT.
        let r = rot("America/Chicago", 1, "02:30", "2026-03-01", 2);
        assert_eq!(r.handoff(6), utc("2026-03-07T08:30:00Z")); // 02:30 CST
        assert_eq!(r.handoff(7), utc("2026-03-08T08:00:00Z")); // 03:00 CDT, the gap's end
        assert_eq!(r.handoff(8), utc("2026-03-09T07:30:00Z")); // 02:30 CDT
        // Lord Howe springs forward by half an hour on 2026-10-04: 02:00 becomes 02:30.
        let lh = rot("Australia/Lord_Howe", 1, "02:15", "2026-10-01", 2);
        assert_eq!(lh.handoff(3), utc("2026-10-03T15:30:00Z")); // 02:30 +11:00
    }

    #[test]
    fn a_repeated_handoff_time_takes_the_first() {
        // Chicago falls back on 2026-11-01: 01:30 happens at 06:30Z (CDT) and 07:30Z (CST).
        let r = rot("America/Chicago", 1, "01:30", "2026-10-30", 2);
        assert_eq!(r.handoff(2), utc("2026-11-01T06:30:00Z"));
        // Lord Howe falls back on 2026-04-05: 01:45 happens at +11:00 and at +10:30.
        let lh = rot("Australia/Lord_Howe", 1, "01:45", "2026-04-01", 2);
        assert_eq!(lh.handoff(4), utc("2026-04-04T14:45:00Z"));
    }

    #[test]
    fn weekly_handoffs_stay_on_the_wall_clock_across_dst() {
        let r = rot("America/Chicago", 7, "09:00", "2026-10-26", 3);
        // Monday 09:00 CDT, then Monday 09:00 CST: 169 hours apart, not 168.
        assert_eq!(r.handoff(0), utc("2026-10-26T14:00:00Z"));
        assert_eq!(r.handoff(1), utc("2026-11-02T15:00:00Z"));
        let s = r.at(utc("2026-11-02T14:30:00Z")).unwrap();
        assert_eq!(
            s.user,
            Uuid::from_u128(1),
            "still the first person until 09:00 CST"
        );
        assert_eq!(
            r.at(utc("2026-11-02T15:00:00Z")).unwrap().user,
            Uuid::from_u128(2)
        );
        assert_eq!(
            r.at(utc("2026-11-16T15:00:00Z")).unwrap().user,
            Uuid::from_u128(1),
            "wraps around"
        );
        assert!(
            r.at(utc("2026-10-26T13:59:59Z")).is_none(),
            "nobody before the first hand-off"
        );
    }

    #[test]
    fn shifts_cover_a_window_without_gaps() {
        let r = rot("Australia/Lord_Howe", 1, "08:00", "2026-10-01", 3);
        let shifts = r.shifts(utc("2026-10-02T00:00:00Z"), utc("2026-10-08T00:00:00Z"));
        assert!(shifts.windows(2).all(|w| w[0].end == w[1].start));
        assert!(shifts[0].start <= utc("2026-10-02T00:00:00Z"));
        assert!(shifts.last().unwrap().end >= utc("2026-10-08T00:00:00Z"));
    }
}
