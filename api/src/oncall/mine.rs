//! One person's on-call shifts across the agency's schedules, and the secret calendar feed a
//! phone subscribes to (its handlers are in `routes.rs`).

use super::ical;
use super::store;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use fieldline_wire::oncall::MyShift;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// Overrides last at most 31 days and shifts 28: looking this far back and ahead finds every
/// piece that reaches into a window, with its true start and end.
const LOOKBACK_DAYS: i64 = 62;
/// The feed shows the past month and the coming half year.
pub(super) const FEED_PAST_DAYS: i64 = 30;
pub(super) const FEED_DAYS: i64 = 183;

/// Who holds a schedule over a stretch: a rotation shift (by its start) or an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Rotation(DateTime<Utc>),
    Override(Uuid),
}

/// `user`'s stretches on call in the agency's schedules that overlap `[from, to)`, oldest
/// first, each with its full extent (not clipped to the window). The newest override covering
/// an instant wins over the rotation, as in `on_call`.
pub async fn shifts_of(
    conn: &mut PgConnection,
    agency: Uuid,
    user: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<MyShift>> {
    let lo = from - Duration::days(LOOKBACK_DAYS);
    let hi = to + Duration::days(LOOKBACK_DAYS);
    let schedules = store::schedules_of(conn, agency, user, from, to).await?;
    let mut out = Vec::new();
    for s in schedules {
        let Some(rot) = super::load_rotation(conn, s.id, agency).await? else {
            continue;
        };
        // Newest first: the first covering an instant wins.
        let overrides = store::overrides_newest_first(conn, agency, s.id, lo, hi).await?;
        let rotation = rot.shifts(lo, hi);
        let mut points: Vec<DateTime<Utc>> = rotation
            .iter()
            .flat_map(|r| [r.start, r.end])
            .chain(overrides.iter().flat_map(|o| [o.start_at, o.end_at]))
            .chain([lo, hi])
            .filter(|t| *t >= lo && *t <= hi)
            .collect();
        points.sort();
        points.dedup();
        // Elementary intervals between consecutive points have one holder each; runs of the
        // same holder join into one stretch.
        let mut runs: Vec<(Source, Uuid, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for w in points.windows(2) {
            let (a, b) = (w[0], w[1]);
            let holder = match overrides.iter().find(|o| o.start_at <= a && a < o.end_at) {
                Some(o) => Some((Source::Override(o.id), o.user_id)),
                None => rot.at(a).map(|r| (Source::Rotation(r.start), r.user)),
            };
            let Some((source, who)) = holder else {
                continue;
            };
            match runs.last_mut() {
                Some(last) if last.0 == source && last.3 == a => last.3 = b,
                _ => runs.push((source, who, a, b)),
            }
        }
        for (source, who, start, end) in runs {
            if who != user || end <= from || start >= to {
                continue;
            }
            let uid = match source {
                Source::Rotation(_) => {
                    format!("shift-{}-{}@fieldline", s.id.simple(), start.timestamp())
                }
                Source::Override(id) => {
                    format!("override-{}-{}@fieldline", id.simple(), start.timestamp())
                }
            };
            out.push(MyShift {
                schedule_id: s.id,
                schedule_name: s.name.clone(),
                start,
                end,
                overridden: matches!(source, Source::Override(_)),
                uid,
            });
        }
    }
    out.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(out)
}

/// A new secret for a calendar feed URL: 32 random bytes, URL-safe.
pub(super) fn new_feed_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Feed tokens are stored and looked up by their hash only.
pub(super) fn feed_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The iCalendar file of `shifts`, each an "On call: <schedule>" event.
pub(super) fn calendar(shifts: &[MyShift], now: DateTime<Utc>) -> String {
    let summaries: Vec<String> = shifts
        .iter()
        .map(|s| format!("On call: {}", s.schedule_name))
        .collect();
    let events: Vec<ical::Event<'_>> = shifts
        .iter()
        .zip(&summaries)
        .map(|(s, summary)| ical::Event {
            uid: &s.uid,
            start: s.start,
            end: s.end,
            summary,
        })
        .collect();
    ical::calendar("Fieldline on call", &events, now)
}
