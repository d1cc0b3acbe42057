//! Alerts in PostgreSQL: the only code that touches `alerts`, `alert_events`, `alert_raisers`,
//! `alert_requests` and `escalation_policies`. Every query is keyed by (agency, id); callers
//! hold the transaction (and the alert's row lock) the engine's steps need.

use chrono::{DateTime, Utc};
use fieldline_wire::alerts::{AlertEvent, EscalationLevel};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The escalation path an alert carries with it (a snapshot of its policy).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Path {
    pub levels: Vec<Level>,
    pub repeat_count: i32,
    pub ack_timeout_minutes: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Level {
    pub delay_minutes: i32,
    #[serde(default)]
    pub user_ids: Vec<Uuid>,
    #[serde(default)]
    pub schedule_ids: Vec<Uuid>,
}

/// The agency's policy for `kind` at `urgency`, else for the kind at any urgency.
pub async fn policy_path(
    conn: &mut PgConnection,
    agency: Uuid,
    kind: &str,
    urgency: &str,
) -> sqlx::Result<Option<Path>> {
    let policy = sqlx::query!(
        r#"SELECT levels AS "levels: sqlx::types::Json<Vec<Level>>", repeat_count, ack_timeout_minutes
             FROM escalation_policies WHERE agency_id = $1 AND kind = $2 AND (urgency = $3 OR urgency IS NULL)
            ORDER BY urgency IS NULL LIMIT 1"#,
        agency,
        kind,
        urgency,
    )
    .fetch_optional(conn)
    .await?;
    Ok(policy.map(|p| Path {
        levels: p.levels.0,
        repeat_count: p.repeat_count,
        ack_timeout_minutes: p.ack_timeout_minutes,
    }))
}

/// A new alert, triggered, with its path.
pub struct NewAlert<'a> {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: &'a str,
    pub urgency: &'a str,
    pub dedup_key: Option<&'a str>,
    pub raised_by: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub details_sealed: Option<&'a [u8]>,
    pub path: &'a Path,
}

/// Inserts the alert; `None` when it collides (the agency's id, or an open alert's dedup key).
pub async fn insert(conn: &mut PgConnection, a: &NewAlert<'_>) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO alerts (id, agency_id, kind, urgency, state, dedup_key, raised_by, contact_id, details_sealed, path)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING
         RETURNING id",
        a.id,
        a.agency_id,
        a.kind,
        a.urgency,
        a.dedup_key,
        a.raised_by,
        a.contact_id,
        a.details_sealed,
        sqlx::types::Json(a.path) as _,
    )
    .fetch_optional(conn)
    .await
}

/// The agency's open alert with `dedup_key`, locked.
pub async fn lock_open_by_dedup_key(
    conn: &mut PgConnection,
    agency: Uuid,
    dedup_key: Option<&str>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM alerts WHERE agency_id = $1 AND dedup_key = $2 AND state <> 'resolved' FOR UPDATE",
        agency,
        dedup_key,
    )
    .fetch_optional(conn)
    .await
}

/// Keeps who joined `alert` under `trigger`; false when the trigger joined already.
pub async fn keep_raiser(
    conn: &mut PgConnection,
    agency: Uuid,
    trigger: Uuid,
    alert: Uuid,
    user: Uuid,
) -> sqlx::Result<bool> {
    let kept = sqlx::query!(
        "INSERT INTO alert_raisers (agency_id, trigger_id, alert_id, user_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (agency_id, trigger_id) DO NOTHING",
        agency,
        trigger,
        alert,
        user,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(kept > 0)
}

/// The agency's alert raised under `id`, or joined under it as a trigger id.
pub async fn replayed(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM alerts WHERE agency_id = $2 AND id = $1
           UNION ALL
           SELECT alert_id FROM alert_raisers WHERE agency_id = $2 AND trigger_id = $1"#,
        id,
        agency
    )
    .fetch_optional(conn)
    .await
}

/// Who raised under this id in the agency: the alert's raiser, or the colleague who joined an
/// alert with it. `None`: nobody.
pub async fn raised_under(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT raised_by AS "who" FROM alerts WHERE agency_id = $2 AND id = $1
           UNION ALL
           SELECT user_id FROM alert_raisers WHERE agency_id = $2 AND trigger_id = $1"#,
        id,
        agency
    )
    .fetch_optional(conn)
    .await
    .map(Option::flatten)
}

/// An alert's next notification round, counted.
pub struct Round {
    pub kind: String,
    pub urgency: String,
    pub level: i32,
    pub loop_count: i32,
    pub round: i32,
    pub path: sqlx::types::Json<Path>,
}

pub async fn next_round(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<Round> {
    sqlx::query_as!(
        Round,
        r#"UPDATE alerts SET round = round + 1, updated_at = now() WHERE agency_id = $2 AND id = $1
           RETURNING kind, urgency, level, loop_count, round, path AS "path: sqlx::types::Json<Path>""#,
        id,
        agency,
    )
    .fetch_one(conn)
    .await
}

/// The alert escalates next `delay_minutes` from now.
pub async fn escalate_in(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    delay_minutes: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE alerts SET next_escalation_at = now() + make_interval(mins => $2) WHERE agency_id = $3 AND id = $1",
        id,
        delay_minutes,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds an event to the timeline of the agency's alert `alert`.
#[allow(clippy::too_many_arguments)]
pub async fn event(
    conn: &mut PgConnection,
    agency: Uuid,
    alert: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    level: Option<i32>,
    loop_count: Option<i32>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO alert_events (agency_id, alert_id, kind, actor_user_id, level, loop_count, details) VALUES ($7, $1, $2, $3, $4, $5, $6)",
        alert,
        kind,
        actor,
        level,
        loop_count,
        details,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A waiting alert request (from a screening).
pub struct Request {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: String,
    pub contact_id: Option<Uuid>,
    pub screening_id: Option<Uuid>,
    pub raised_by: Option<Uuid>,
}

/// The oldest waiting alert request not held by a worker failure, locked (skipping locked ones).
pub async fn next_request(conn: &mut PgConnection) -> sqlx::Result<Option<Request>> {
    sqlx::query_as!(
        Request,
        "SELECT id, agency_id, kind, contact_id, screening_id, raised_by FROM alert_requests
          WHERE taken_at IS NULL AND NOT worker_item_held('alert_request', agency_id, id)
          ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .fetch_optional(conn)
    .await
}

pub async fn take_request(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE alert_requests SET taken_at = now() WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The alert longest due to escalate and not held by a worker failure, locked (skipping
/// locked ones): (id, agency).
pub async fn next_due(conn: &mut PgConnection) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let due = sqlx::query!(
        "SELECT id, agency_id FROM alerts
          WHERE next_escalation_at <= now() AND state <> 'resolved'
            AND NOT worker_item_held('alert_escalation', agency_id, id)
          ORDER BY next_escalation_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .fetch_optional(conn)
    .await?;
    Ok(due.map(|d| (d.id, d.agency_id)))
}

/// Where a due alert stands.
pub struct Standing {
    pub state: String,
    pub kind: String,
    pub urgency: String,
    pub level: i32,
    pub loop_count: i32,
    pub path: sqlx::types::Json<Path>,
}

pub async fn standing(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<Standing> {
    sqlx::query_as!(
        Standing,
        r#"SELECT state, kind, urgency, level, loop_count, path AS "path: sqlx::types::Json<Path>" FROM alerts WHERE agency_id = $2 AND id = $1"#,
        id,
        agency,
    )
    .fetch_one(conn)
    .await
}

/// An acknowledgement timed out: triggered again, acknowledged by nobody.
pub async fn retrigger(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE alerts SET state = 'triggered', acknowledged_by = NULL, acknowledged_at = NULL WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_level(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    level: i32,
    loop_count: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE alerts SET level = $2, loop_count = $3 WHERE agency_id = $4 AND id = $1",
        id,
        level,
        loop_count,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every level and repeat is spent: the alert escalates no more.
pub async fn stop_escalating(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE alerts SET next_escalation_at = NULL WHERE agency_id = $2 AND id = $1",
        id,
        agency,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How long until the earliest pending escalation, by the database's clock.
pub async fn next_due_in(db: &PgPool) -> sqlx::Result<Option<std::time::Duration>> {
    let ms = sqlx::query_scalar!(
        r#"SELECT (EXTRACT(EPOCH FROM min(next_escalation_at) - now()) * 1000)::float8 AS ms FROM alerts
            WHERE next_escalation_at IS NOT NULL AND NOT worker_item_held('alert_escalation', agency_id, id)"#
    )
    .fetch_one(db)
    .await?;
    Ok(ms.map(|ms| std::time::Duration::from_millis(ms.max(0.0) as u64)))
}

/// Alert requests not yet turned into alerts (from screenings), and alerts due to escalate,
/// each with how late its most overdue item is (`ops::metrics`).
pub async fn backlogs(
    db: &PgPool,
) -> sqlx::Result<(crate::measure::Backlog, crate::measure::Backlog)> {
    let r = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM alert_requests WHERE taken_at IS NULL) AS "requests!",
                  (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
                     FROM alert_requests WHERE taken_at IS NULL) AS "requests_lag!",
                  (SELECT count(*) FROM alerts
                    WHERE next_escalation_at <= now() AND state <> 'resolved') AS "due!",
                  (SELECT coalesce(extract(epoch FROM now() - min(next_escalation_at)), 0)::float8
                     FROM alerts WHERE next_escalation_at <= now() AND state <> 'resolved') AS "due_lag!""#
    )
    .fetch_one(db)
    .await?;
    Ok((
        crate::measure::Backlog {
            depth: r.requests,
            lag_secs: r.requests_lag,
        },
        crate::measure::Backlog {
            depth: r.due,
            lag_secs: r.due_lag,
        },
    ))
}

/// An alert's row as the API shows it (sealed fields still sealed).
pub struct AlertRow {
    pub id: Uuid,
    pub kind: String,
    pub urgency: String,
    pub state: String,
    pub raised_by: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub details_sealed: Option<Vec<u8>>,
    pub level: i32,
    pub loop_count: i32,
    pub next_escalation_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub resolution_note_sealed: Option<Vec<u8>>,
}

/// Who is looking: coordinators (`everyone`) see the agency's alerts, others those they
/// raised or joined (`alert_visible_to`).
#[derive(Clone, Copy)]
pub struct Viewer {
    pub agency_id: Uuid,
    pub user_id: Uuid,
    pub everyone: bool,
}

/// The agency's alert `id`, if the viewer may see it.
pub async fn visible(
    conn: &mut PgConnection,
    v: Viewer,
    id: Uuid,
) -> sqlx::Result<Option<AlertRow>> {
    sqlx::query_as!(
        AlertRow,
        "SELECT id, kind, urgency, state, raised_by, contact_id, details_sealed, level, loop_count, next_escalation_at,
                acknowledged_by, acknowledged_at, resolved_by, resolved_at, created_at, resolution_note_sealed
           FROM alerts WHERE agency_id = $2 AND id = $1 AND alert_visible_to(agency_id, id, raised_by, $4, $3)",
        id,
        v.agency_id,
        v.everyone,
        v.user_id,
    )
    .fetch_optional(conn)
    .await
}

/// The alert's timeline, oldest first (actors not yet named).
pub async fn events(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
) -> sqlx::Result<Vec<AlertEvent>> {
    sqlx::query_as!(
        AlertEvent,
        r#"SELECT at, kind, actor_user_id, NULL::text AS actor_name, level, loop_count, details FROM alert_events WHERE agency_id = $2 AND alert_id = $1 ORDER BY id"#,
        id,
        agency,
    )
    .fetch_all(conn)
    .await
}

/// The ids of the alerts the viewer may see in `state` (`None`: all open), most urgent first,
/// at most 200.
pub async fn list_visible(
    conn: &mut PgConnection,
    v: Viewer,
    state: Option<&str>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM alerts
          WHERE agency_id = $1 AND alert_visible_to(agency_id, id, raised_by, $3, $2)
            AND (CASE WHEN $4::text IS NULL THEN state <> 'resolved' ELSE state = $4 END)
          ORDER BY state = 'triggered' DESC, urgency = 'high' DESC, created_at
          LIMIT 200",
        v.agency_id,
        v.everyone,
        v.user_id,
        state,
    )
    .fetch_all(conn)
    .await
}

/// What an acknowledgement changed.
pub struct Acknowledged {
    pub level: i32,
    pub loop_count: i32,
    pub kind: String,
    pub urgency: String,
    pub created_at: DateTime<Utc>,
}

/// Acknowledges a triggered alert; `None` when it is not triggered.
pub async fn acknowledge(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    user: Uuid,
) -> sqlx::Result<Option<Acknowledged>> {
    sqlx::query_as!(
        Acknowledged,
        r#"UPDATE alerts SET state = 'acknowledged', acknowledged_by = $3, acknowledged_at = now(),
               next_escalation_at = now() + make_interval(mins => (path->>'ack_timeout_minutes')::int), updated_at = now()
            WHERE id = $1 AND agency_id = $2 AND state = 'triggered'
        RETURNING level, loop_count, kind, urgency, created_at"#,
        id,
        agency,
        user,
    )
    .fetch_optional(conn)
    .await
}

/// Resolves an open alert with its sealed note; `None` when it is resolved already. Returns
/// its (level, loop count).
pub async fn resolve(
    conn: &mut PgConnection,
    agency: Uuid,
    id: Uuid,
    user: Uuid,
    note_sealed: Option<&[u8]>,
) -> sqlx::Result<Option<(i32, i32)>> {
    let changed = sqlx::query!(
        r#"UPDATE alerts SET state = 'resolved', resolved_by = $3, resolved_at = now(), next_escalation_at = NULL, updated_at = now(),
                             resolution_note_sealed = $4
            WHERE id = $1 AND agency_id = $2 AND state <> 'resolved'
        RETURNING level, loop_count"#,
        id,
        agency,
        user,
        note_sealed,
    )
    .fetch_optional(conn)
    .await?;
    Ok(changed.map(|c| (c.level, c.loop_count)))
}

/// An escalation policy as stored.
pub struct PolicyRow {
    pub id: Uuid,
    pub kind: String,
    pub urgency: Option<String>,
    pub name: String,
    pub repeat_count: i32,
    pub ack_timeout_minutes: i32,
    pub levels: sqlx::types::Json<Vec<EscalationLevel>>,
    pub version: i64,
}

/// The agency's policies by kind, then urgency (the kind's own last).
pub async fn policies(db: &PgPool, agency: Uuid) -> sqlx::Result<Vec<PolicyRow>> {
    sqlx::query_as!(
        PolicyRow,
        r#"SELECT id, kind AS "kind!", urgency, name, repeat_count, ack_timeout_minutes, levels AS "levels: sqlx::types::Json<Vec<EscalationLevel>>", version
             FROM escalation_policies WHERE agency_id = $1 AND kind IS NOT NULL ORDER BY kind, urgency NULLS LAST"#,
        agency,
    )
    .fetch_all(db)
    .await
}

/// A policy for a kind (and an urgency, or any).
pub struct PolicyInput<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub urgency: Option<&'a str>,
    pub repeat_count: i32,
    pub ack_timeout_minutes: i32,
    pub levels: &'a [EscalationLevel],
}

/// Sets the agency's policy for its kind and urgency (a new one, or the next version).
/// Returns its (id, version).
pub async fn put_policy(
    conn: &mut PgConnection,
    agency: Uuid,
    p: &PolicyInput<'_>,
) -> sqlx::Result<(Uuid, i64)> {
    let row = sqlx::query!(
        r#"INSERT INTO escalation_policies AS e (id, agency_id, name, kind, urgency, repeat_count, ack_timeout_minutes, levels)
           VALUES ($1, $2, $3, $4, $8, $5, $6, $7)
           ON CONFLICT (agency_id, kind, urgency) WHERE kind IS NOT NULL DO UPDATE SET
               name = EXCLUDED.name, repeat_count = EXCLUDED.repeat_count,
               ack_timeout_minutes = EXCLUDED.ack_timeout_minutes, levels = EXCLUDED.levels,
               version = e.version + 1, updated_at = now()
           RETURNING id, version"#,
        Uuid::new_v4(),
        agency,
        p.name,
        p.kind,
        p.repeat_count,
        p.ack_timeout_minutes,
        sqlx::types::Json(p.levels) as _,
        p.urgency,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.version))
}

/// A demo agency's default policy for `kind` (two repeats, 30 minutes to acknowledge), left
/// as it is when the kind has one.
pub async fn seed_demo_policy(
    conn: &mut PgConnection,
    agency: Uuid,
    name: &str,
    kind: &str,
    levels: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO escalation_policies (id, agency_id, name, kind, repeat_count, ack_timeout_minutes, levels)
         VALUES ($1, $2, $3, $4, 2, 30, $5)
         ON CONFLICT DO NOTHING",
        Uuid::new_v4(),
        agency,
        name,
        kind,
        levels,
    )
    .execute(conn)
    .await?;
    Ok(())
}
