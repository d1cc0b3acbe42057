//! One person's on-call shifts (rotation with others' overrides cut out, overrides taken) and
//! the secret iCalendar feed a phone subscribes to, read by a parser Fieldline does not own
//! (PyPI `icalendar`, tests/calendar-check) and checked against the API across a DST change.

use chrono::{DateTime, Duration, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::io::Write;
use uuid::Uuid;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// (uid, start, end) of each shift in a `MyShiftList`.
fn triples(list: &Value) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    list["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["uid"].as_str().unwrap().to_owned(),
                utc(s["start"].as_str().unwrap()),
                utc(s["end"].as_str().unwrap()),
            )
        })
        .collect()
}

/// (start, end, overridden) of each shift on `schedule`.
fn spans(list: &Value, schedule: Uuid) -> Vec<(&str, &str, bool)> {
    list["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["schedule_id"] == schedule.to_string())
        .map(|s| {
            (
                s["start"].as_str().unwrap(),
                s["end"].as_str().unwrap(),
                s["overridden"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn put_schedule(server: &TestServer, t: &str, id: Uuid, body: Value) {
    let (s, v) = server
        .put(t, &format!("/v1/oncall/schedules/{id}"), body)
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn cover(server: &TestServer, t: &str, id: Uuid, user: Uuid, from: &str, to: &str) {
    let (s, v) = server
        .post(
            t,
            &format!("/v1/oncall/schedules/{id}/overrides"),
            json!({"user_id": user, "start_at": from, "end_at": to}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn my_shifts_cut_out_others_overrides_add_mine_and_follow_the_wall_clock(db: PgPool) {
    let server = TestServer::start(db).await;
    let c = server.token(COORDINATOR).await;
    let a = server.token(ADVOCATE).await;
    let (cid, aid) = (
        server.user_id(COORDINATOR).await,
        server.user_id(ADVOCATE).await,
    );
    let id = Uuid::new_v4();
    // Daily at 09:00 in Chicago, which falls back on 2026-11-01: that day's shift is 25 hours.
    put_schedule(&server, &c, id, json!({"name": "Nights", "time_zone": "America/Chicago",
        "user_ids": [cid, aid], "shift_days": 1, "handoff_time": "09:00", "start_date": "2026-10-29"})).await;
    // The advocate covers the evening of the coordinator's long shift; the coordinator covers
    // the last six hours of the advocate's next one.
    cover(
        &server,
        &c,
        id,
        aid,
        "2026-10-31T20:00:00Z",
        "2026-11-01T02:00:00Z",
    )
    .await;
    cover(
        &server,
        &c,
        id,
        cid,
        "2026-11-02T09:00:00Z",
        "2026-11-02T15:00:00Z",
    )
    .await;

    let window = "/v1/oncall/me/shifts?from=2026-10-30T00:00:00Z&days=4";
    let (s, mine) = server.get(&c, window).await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(
        spans(&mine, id),
        vec![
            // Whole shifts, not clipped to the window.
            ("2026-10-29T14:00:00Z", "2026-10-30T14:00:00Z", false),
            ("2026-10-31T14:00:00Z", "2026-10-31T20:00:00Z", false),
            // 09:00 CST the next morning: the hour given back is part of this shift.
            ("2026-11-01T02:00:00Z", "2026-11-01T15:00:00Z", false),
            ("2026-11-02T09:00:00Z", "2026-11-02T15:00:00Z", true),
            ("2026-11-02T15:00:00Z", "2026-11-03T15:00:00Z", false),
        ]
    );
    // The coordinator is also on the demo's schedule: both are listed, each under its name.
    let names: BTreeSet<_> = mine["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["schedule_name"].as_str().unwrap())
        .collect();
    assert!(names.contains("Nights") && names.len() == 2, "{names:?}");
    let uids: BTreeSet<_> = triples(&mine).into_iter().map(|t| t.0).collect();
    assert_eq!(
        uids.len(),
        mine["shifts"].as_array().unwrap().len(),
        "one UID per stretch"
    );
    let (_, again) = server.get(&c, window).await;
    assert_eq!(
        triples(&again),
        triples(&mine),
        "the same stretches, the same UIDs"
    );

    let (_, theirs) = server.get(&a, window).await;
    assert_eq!(
        spans(&theirs, id),
        vec![
            ("2026-10-30T14:00:00Z", "2026-10-31T14:00:00Z", false),
            ("2026-10-31T20:00:00Z", "2026-11-01T02:00:00Z", true),
            ("2026-11-01T15:00:00Z", "2026-11-02T09:00:00Z", false),
        ]
    );

    for bad in ["days=0", "days=184", "days=x", "from=yesterday", "size=3"] {
        let (s, v) = server.get(&c, &format!("/v1/oncall/me/shifts?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {v}");
    }
    // Somebody on no schedule has no shifts; the other agency sees none of these.
    let other = server.token(OTHER_ADMIN).await;
    let (s, none) = server.get(&other, window).await;
    assert_eq!((s, none["shifts"].as_array().unwrap().len()), (200, 0));
}

/// The events of an iCalendar document as the `icalendar` package reads them.
fn parse_ical(body: &[u8]) -> Value {
    let python = std::env::var("FIELDLINE_PUSH_RECEIVER_PYTHON")
        .expect("FIELDLINE_PUSH_RECEIVER_PYTHON: run the suite with scripts/test");
    let mut child = std::process::Command::new(python)
        .arg(repo_root().join("tests/calendar-check/ical_events.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the iCalendar parser refused the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A zone whose UTC offset changes between `from` and `to` (Chicago changes in March and
/// November, Sydney in April and October: any five months hold one of them).
fn zone_changing_between(from: DateTime<Utc>, to: DateTime<Utc>) -> (Tz, DateTime<Utc>) {
    for tz in [chrono_tz::America::Chicago, chrono_tz::Australia::Sydney] {
        let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
        let mut t = from;
        while t < to {
            if offset(t) != offset(from) {
                return (tz, t);
            }
            t += Duration::hours(1);
        }
    }
    panic!("no offset change between {from} and {to}");
}

async fn feed(server: &TestServer, path: &str) -> reqwest::Response {
    raw().get(server.url(path)).send().await.unwrap()
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_calendar_feed_matches_my_shifts_across_a_dst_change(db: PgPool) {
    let server = TestServer::start(db).await;
    let c = server.token(COORDINATOR).await;
    let (cid, aid) = (
        server.user_id(COORDINATOR).await,
        server.user_id(ADVOCATE).await,
    );
    // The feed shows a month back and half a year ahead of now; compare five months of it.
    let from = Utc::now().with_nanosecond(0).unwrap();
    let days = 150;
    let (tz, change) =
        zone_changing_between(from + Duration::days(1), from + Duration::days(days - 1));
    let id = Uuid::new_v4();
    let start_date = (from - Duration::days(40)).with_timezone(&tz).date_naive();
    // The coordinator alone, weekly: the change falls inside one of their weeks.
    put_schedule(
        &server,
        &c,
        id,
        json!({"name": "Weekly, on call; \"A\" team", "time_zone": tz.name(),
        "user_ids": [cid], "shift_days": 7, "handoff_time": "09:00", "start_date": start_date}),
    )
    .await;
    // The advocate takes 20 hours of one of those weeks, three weeks away from the change.
    let day = if change + Duration::days(21) < from + Duration::days(days - 2) {
        change + Duration::days(21)
    } else {
        change - Duration::days(21)
    };
    let covered = (day, day + Duration::hours(20));
    cover(
        &server,
        &c,
        id,
        aid,
        &covered.0.to_rfc3339(),
        &covered.1.to_rfc3339(),
    )
    .await;

    let (s, created) = server.post_empty(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(s, 201, "{created}");
    let path = created["path"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with("/v1/oncall/calendar/") && path.ends_with(".ics"),
        "{path}"
    );

    let res = feed(&server, &path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/calendar; charset=utf-8"
    );
    let body = res.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    // Nothing personal beyond what a calendar needs: no names, emails or ids of people.
    for secret in [
        COORDINATOR,
        ADVOCATE,
        "Casey",
        "Avery",
        &cid.to_string(),
        &aid.to_string(),
    ] {
        assert!(!text.contains(secret), "{secret} in the feed");
    }
    let cal = parse_ical(&body);
    assert_eq!(cal["calendar"]["version"], "2.0");

    let (s, mine) = server
        .get(
            &c,
            &format!(
                "/v1/oncall/me/shifts?from={}&days={days}",
                from.to_rfc3339().replace('+', "%2B")
            ),
        )
        .await;
    assert_eq!(s, 200, "{mine}");
    let api: BTreeSet<_> = triples(&mine).into_iter().collect();
    let to = from + Duration::days(days);
    let events = cal["events"].as_array().unwrap();
    let ical: BTreeSet<_> = events
        .iter()
        .map(|e| {
            (
                e["uid"].as_str().unwrap().to_owned(),
                utc(e["start"].as_str().unwrap()),
                utc(e["end"].as_str().unwrap()),
            )
        })
        .filter(|(_, s, e)| *e > from && *s < to)
        .collect();
    assert!(api.len() >= 10, "{api:?}");
    assert_eq!(ical, api, "the feed shows exactly the API's shifts");
    let uids: BTreeSet<_> = events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    // Escaped on the way out, read back as written.
    assert!(
        events
            .iter()
            .any(|e| e["summary"] == "On call: Weekly, on call; \"A\" team")
    );
    assert!(
        events
            .iter()
            .all(|e| e["summary"].as_str().unwrap().starts_with("On call: "))
    );
    // The advocate's cover is cut out of the coordinator's week.
    assert!(api.iter().any(|(_, _, e)| *e == covered.0), "{api:?}");
    assert!(api.iter().any(|(_, s, _)| *s == covered.1), "{api:?}");

    // Rotation shifts hand off at 09:00 on the zone's wall clock on both sides of the change,
    // so the week across it is an hour longer or shorter than 168 hours.
    // (The coordinator's demo schedule is in the feed as well; look at this one's shifts.)
    let ours = format!("shift-{}-", id.simple());
    let rotation: Vec<_> = api
        .iter()
        .filter(|(uid, ..)| uid.starts_with(&ours))
        .collect();
    for (_, start, end) in &rotation {
        for t in [start, end] {
            let local = t.with_timezone(&tz);
            // An edge cut by the override is not a hand-off.
            assert!(
                (local.hour(), local.minute()) == (9, 0) || *t == covered.0 || *t == covered.1,
                "{t} is neither a 09:00 hand-off nor the override's edge"
            );
        }
    }
    assert!(
        rotation
            .iter()
            .any(|(_, s, e)| *s <= change && change < *e && *e - *s != Duration::hours(168)),
        "a shift across the change at {change} in {tz} is not 168 hours: {rotation:?}"
    );

    // The same shifts on a later fetch keep their UIDs.
    let again = parse_ical(&feed(&server, &path).await.bytes().await.unwrap());
    let first: BTreeSet<_> = events.iter().map(|e| e["uid"].to_string()).collect();
    let second: BTreeSet<_> = again["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uid"].to_string())
        .collect();
    assert_eq!(first, second);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn feed_tokens_are_stored_hashed_rotate_and_revoke(db: PgPool) {
    let server = TestServer::start(db).await;
    let c = server.token(COORDINATOR).await;
    let cid = server.user_id(COORDINATOR).await;
    let (_, status) = server.get(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(status["active"], false);
    let (s, first) = server.post_empty(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(s, 201);
    let first = first["path"].as_str().unwrap().to_owned();
    let token = first
        .strip_prefix("/v1/oncall/calendar/")
        .and_then(|t| t.strip_suffix(".ics"))
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 43, "256 random bits, base64url");
    // Only the hash is kept.
    let (stored, hashed): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "SELECT token_hash, sha256(convert_to($2, 'UTF8')) FROM oncall_calendar_feeds WHERE user_id = $1",
    )
    .bind(cid)
    .bind(&token)
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(stored, hashed);
    assert_eq!(feed(&server, &first).await.status(), 200);
    // Without `.ics` too (some calendar apps drop it).
    assert_eq!(
        feed(&server, &format!("/v1/oncall/calendar/{token}"))
            .await
            .status(),
        200
    );

    // Wrong tokens: 404 problem, the same as for a revoked one.
    let mut wrong = token.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    for path in [
        format!(
            "/v1/oncall/calendar/{}.ics",
            String::from_utf8(wrong).unwrap()
        ),
        "/v1/oncall/calendar/x.ics".to_owned(),
        format!("/v1/oncall/calendar/{}.ics", "A".repeat(500)),
    ] {
        let res = feed(&server, &path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }

    let (s, second) = server.post_empty(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(s, 201);
    let second = second["path"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(feed(&server, &first).await.status(), 404, "rotated away");
    assert_eq!(feed(&server, &second).await.status(), 200);
    let (_, status) = server.get(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(status["active"], true);

    let (s, _) = server.delete(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(s, 204);
    assert_eq!(feed(&server, &second).await.status(), 404, "revoked");
    let (s, _) = server.delete(&c, "/v1/oncall/me/calendar-feed").await;
    assert_eq!(s, 404);
    let (s, _) = server
        .post_empty("not a token", "/v1/oncall/me/calendar-feed")
        .await;
    assert_eq!(s, 401);

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE actor_user_id = $1 AND record_type = 'oncall_calendar_feed' ORDER BY id",
    )
    .bind(cid)
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "oncall.feed_create",
            "oncall.feed_rotate",
            "oncall.feed_revoke"
        ]
    );
    // The token never reaches the audit log.
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE details::text LIKE '%' || $1 || '%'",
    )
    .bind(&token)
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
}

/// Issue #16, finding 12: ending a person's sessions (a lost phone) or disabling them left
/// their calendar URL working. It is a bearer secret of its own and ends with them.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn ending_sessions_or_disabling_ends_the_calendar_url(db: PgPool) {
    let server = TestServer::start(db).await;
    let admin = server.token(ADMIN).await;
    let coordinator = server.user_id(COORDINATOR).await;
    for end in ["revoke", "disable"] {
        let c = server.token(COORDINATOR).await;
        let (s, created) = server.post_empty(&c, "/v1/oncall/me/calendar-feed").await;
        assert_eq!(s, 201);
        let path = created["path"].as_str().unwrap().to_owned();
        assert_eq!(feed(&server, &path).await.status(), 200);
        let (s, _) = match end {
            "revoke" => {
                let url = format!("/v1/admin/users/{coordinator}/revoke-sessions");
                server.post_empty(&admin, &url).await
            }
            _ => {
                let url = format!("/v1/admin/users/{coordinator}");
                server.patch(&admin, &url, json!({"disabled": true})).await
            }
        };
        assert_eq!(s, 200, "{end}");
        assert_eq!(feed(&server, &path).await.status(), 404, "{end}");
        let url = format!("/v1/admin/users/{coordinator}");
        server.patch(&admin, &url, json!({"disabled": false})).await;
    }
}
