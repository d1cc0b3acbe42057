//! Raising, notifying and escalating alerts. Every step for one alert happens in one
//! transaction with the alert row locked: the state change, the deliveries it queues and the
//! timeline event commit together (GoAlert's escalation manager). The worker takes one due
//! alert per transaction with `FOR UPDATE SKIP LOCKED`, so one bad row blocks nothing and any
//! number of API instances can run it; a crash rolls back to a state another instance redoes.

use crate::push::outbox::{self, Message};
use crate::worker::{self, Item};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

/// The path for an alert of `kind` and `urgency`: the agency's policy for both, else its
/// policy for the kind, else every coordinator of the agency every five minutes, three times.
/// An alert must never have nobody to reach.
pub async fn path_for(
    conn: &mut PgConnection,
    agency: Uuid,
    kind: &str,
    urgency: &str,
) -> sqlx::Result<Path> {
    let policy = sqlx::query!(
        r#"SELECT levels AS "levels: sqlx::types::Json<Vec<Level>>", repeat_count, ack_timeout_minutes
             FROM escalation_policies WHERE agency_id = $1 AND kind = $2 AND (urgency = $3 OR urgency IS NULL)
            ORDER BY urgency IS NULL LIMIT 1"#,
        agency,
        kind,
        urgency,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(p) = policy {
        return Ok(Path {
            levels: p.levels.0,
            repeat_count: p.repeat_count,
            ack_timeout_minutes: p.ack_timeout_minutes,
        });
    }
    let coordinators = sqlx::query_scalar!(
        "SELECT id FROM users WHERE agency_id = $1 AND 'coordinator' = ANY(roles) AND disabled_at IS NULL ORDER BY id",
        agency,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Path {
        levels: vec![Level {
            delay_minutes: 5,
            user_ids: coordinators,
            schedule_ids: Vec::new(),
        }],
        repeat_count: 2,
        ack_timeout_minutes: 30,
    })
}

/// A kind's urgency unless the raiser asks for more.
pub fn urgency(kind: &str) -> &'static str {
    match kind {
        "high_risk" | "advocate_safety" => "high",
        _ => "normal",
    }
}

/// The urgency an alert is raised with: `asked` may raise the kind's, never lower it.
pub fn effective_urgency(kind: &str, asked: Option<&str>) -> &'static str {
    match (urgency(kind), asked) {
        (_, Some("high")) | ("high", _) => "high",
        _ => "normal",
    }
}

/// A generic line per kind: push payloads carry no personal data.
fn line(kind: &str) -> &'static str {
    match kind {
        "next_of_kin" => "Next-of-kin notification needed",
        "high_risk" => "High-risk screening: a coordinator is needed",
        "advocate_safety" => "An advocate may be in danger",
        _ => "New alert",
    }
}

pub struct Raise<'a> {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: &'a str,
    /// What the raiser asked for (see `effective_urgency`); `None`: the kind's.
    pub urgency: Option<&'a str>,
    pub dedup_key: Option<&'a str>,
    pub raised_by: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub details_sealed: Option<Vec<u8>>,
}

/// What raising came to: a new alert, the same one again (a replay of its id), or an open
/// alert with the same dedup key that this trigger joined.
pub enum Raised {
    Created(Uuid),
    Replayed(Uuid),
    Joined(Uuid),
}

impl Raised {
    /// The alert raised, replayed or joined.
    pub fn id(&self) -> Uuid {
        match *self {
            Raised::Created(id) | Raised::Replayed(id) | Raised::Joined(id) => id,
        }
    }
}

/// Raises an alert under the raiser's id, within their agency: ids are the agency's own, so
/// another agency's alert with the same id is neither found nor in the way.
pub async fn raise(conn: &mut PgConnection, r: &Raise<'_>) -> sqlx::Result<Raised> {
    let urgency = effective_urgency(r.kind, r.urgency);
    let path = path_for(conn, r.agency_id, r.kind, urgency).await?;
    // The open alert an insert collided with may be resolved before it is read: then the
    // insert is tried again (a bounded number of times).
    for _ in 0..3 {
        if let Some(raised) = try_raise(conn, r, urgency, &path).await? {
            return Ok(raised);
        }
    }
    Err(sqlx::Error::Protocol(
        "raising an alert kept colliding with alerts resolved meanwhile".into(),
    ))
}

async fn try_raise(
    conn: &mut PgConnection,
    r: &Raise<'_>,
    urgency: &str,
    path: &Path,
) -> sqlx::Result<Option<Raised>> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO alerts (id, agency_id, kind, urgency, state, dedup_key, raised_by, contact_id, details_sealed, path)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING
         RETURNING id",
        r.id,
        r.agency_id,
        r.kind,
        urgency,
        r.dedup_key,
        r.raised_by,
        r.contact_id,
        r.details_sealed,
        sqlx::types::Json(path) as _,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_some() {
        event(
            conn,
            r.agency_id,
            r.id,
            "triggered",
            r.raised_by,
            Some(0),
            Some(0),
            json!({}),
        )
        .await?;
        notify_level(conn, r.agency_id, r.id).await?;
        crate::measure::alert_raised(r.kind, urgency);
        return Ok(Some(Raised::Created(r.id)));
    }
    // The same id again: the agency's alert itself, or the alert this id joined before.
    if let Some(id) = replayed(conn, r.agency_id, r.id).await? {
        return Ok(Some(Raised::Replayed(id)));
    }
    let open = sqlx::query_scalar!(
        "SELECT id FROM alerts WHERE agency_id = $1 AND dedup_key = $2 AND state <> 'resolved' FOR UPDATE",
        r.agency_id,
        r.dedup_key,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = open else {
        // Collided with an open alert resolved since: try again.
        return Ok(None);
    };
    if let Some(user) = r.raised_by {
        // Kept under the trigger's id, so this raise replayed finds the alert again. The same
        // trigger joined meanwhile (a concurrent replay) is that replay's alert.
        let kept = sqlx::query!(
            "INSERT INTO alert_raisers (agency_id, trigger_id, alert_id, user_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (agency_id, trigger_id) DO NOTHING",
            r.agency_id,
            r.id,
            id,
            user,
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if kept == 0 {
            return Ok(replayed(conn, r.agency_id, r.id)
                .await?
                .map(Raised::Replayed));
        }
    }
    event(
        conn,
        r.agency_id,
        id,
        "deduplicated",
        r.raised_by,
        None,
        None,
        json!({ "trigger_id": r.id }),
    )
    .await?;
    Ok(Some(Raised::Joined(id)))
}

/// The agency's alert raised under `id`, or joined under it as a trigger id.
async fn replayed(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM alerts WHERE agency_id = $2 AND id = $1
           UNION ALL
           SELECT alert_id FROM alert_raisers WHERE agency_id = $2 AND trigger_id = $1"#,
        id,
        agency
    )
    .fetch_optional(&mut *conn)
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
    .fetch_optional(&mut *conn)
    .await
    .map(Option::flatten)
}

/// Queues pushes to the alert's current level and sets when it escalates next. The alert row
/// must be locked (or just inserted) by the caller's transaction.
async fn notify_level(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    let a = sqlx::query!(
        r#"UPDATE alerts SET round = round + 1, updated_at = now() WHERE agency_id = $2 AND id = $1
           RETURNING kind, urgency, level, loop_count, round, path AS "path: sqlx::types::Json<Path>""#,
        id,
        agency,
    )
    .fetch_one(&mut *conn)
    .await?;
    if a.round > 1 {
        crate::measure::alert_escalated(&a.kind, &a.urgency);
    }
    // A path without levels (a damaged row) fails this item, not the worker.
    let Some(level) = a.path.levels.get(a.level as usize).or(a.path.levels.last()) else {
        return Err(sqlx::Error::Protocol("alert path without levels".into()));
    };
    // People named, plus whoever is on call now on the schedules named.
    let mut users = level.user_ids.clone();
    for schedule in &level.schedule_ids {
        match crate::oncall::on_call(conn, *schedule, agency, chrono::Utc::now()).await {
            Ok(Some((user, ..))) => users.push(user),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::redacted(&e), "on-call lookup failed")
            }
        }
    }
    users.sort();
    users.dedup();
    let key = format!("alert:{id}:{}", a.round);
    let topic = id.simple().to_string();
    let message = Message {
        agency_id: agency,
        alert_id: Some(id),
        dedup_key: &key,
        payload: json!({ "type": "alert", "alert_id": id, "kind": a.kind, "urgency": a.urgency, "title": "Fieldline", "body": line(&a.kind) }),
        topic: &topic,
        urgency: &a.urgency,
        ttl_secs: 3600,
    };
    let deliveries = outbox::enqueue(conn, &users, &message).await?;
    sqlx::query!(
        "UPDATE alerts SET next_escalation_at = now() + make_interval(mins => $2) WHERE agency_id = $3 AND id = $1",
        id,
        level.delay_minutes,
        agency,
    )
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        agency,
        id,
        "notified",
        None,
        Some(a.level),
        Some(a.loop_count),
        json!({ "users": users, "deliveries": deliveries }),
    )
    .await
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

/// Cancels pushes for an alert that still wait (someone already answered it).
pub async fn cancel_deliveries(
    conn: &mut PgConnection,
    agency: Uuid,
    alert: Uuid,
) -> sqlx::Result<()> {
    outbox::cancel(conn, outbox::Cancel::Alert { agency, alert }).await?;
    Ok(())
}

/// Woken when an alert or alert request changes (`NOTIFY` from the alerts migration).
pub const WAKE_CHANNEL: &str = "fieldline_alerts";

/// The alerts' part of an escalation round (`jobs::escalation_round`): turn waiting alert
/// requests (from screenings) into alerts, then advance every due alert. Each item is taken in its own
/// transaction and worked under a savepoint (`worker::step`): one that fails is recorded and
/// retried later, and the round goes on. Returns how many items went through.
pub async fn run_once(db: &PgPool) -> anyhow::Result<usize> {
    let mut steps = 0;
    loop {
        let mut tx = db.begin().await?;
        let Some(req) = sqlx::query!(
            "SELECT id, agency_id, kind, contact_id, screening_id, raised_by FROM alert_requests
              WHERE taken_at IS NULL AND NOT worker_item_held('alert_request', agency_id, id)
              ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        let item = Item {
            job: "alert_request",
            id: req.id,
            agency_id: req.agency_id,
        };
        let done = worker::step(&mut tx, item, async |conn: &mut PgConnection| {
            let dedup = req.screening_id.map(|s| format!("screening:{s}"));
            // The request's id becomes the alert's: taking the same request twice cannot
            // raise two.
            raise(
                conn,
                &Raise {
                    id: req.id,
                    agency_id: req.agency_id,
                    kind: &req.kind,
                    urgency: None,
                    dedup_key: dedup.as_deref(),
                    raised_by: req.raised_by,
                    contact_id: req.contact_id,
                    details_sealed: None,
                },
            )
            .await?;
            sqlx::query!(
                "UPDATE alert_requests SET taken_at = now() WHERE id = $1",
                req.id
            )
            .execute(conn)
            .await?;
            Ok(())
        })
        .await?;
        tx.commit().await?;
        steps += usize::from(done.is_some());
    }
    loop {
        let mut tx = db.begin().await?;
        let Some(due) = sqlx::query!(
            "SELECT id, agency_id FROM alerts
              WHERE next_escalation_at <= now() AND state <> 'resolved'
                AND NOT worker_item_held('alert_escalation', agency_id, id)
              ORDER BY next_escalation_at LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        let item = Item {
            job: "alert_escalation",
            id: due.id,
            agency_id: due.agency_id,
        };
        let done = worker::step(&mut tx, item, async |conn: &mut PgConnection| {
            Ok(advance(conn, due.agency_id, due.id).await?)
        })
        .await?;
        tx.commit().await?;
        steps += usize::from(done.is_some());
    }
    Ok(steps)
}

/// One due alert's next step, its row locked by the caller: an acknowledgement that timed out
/// triggers it again; otherwise the next level, else the next repeat, else it is exhausted
/// and stays triggered and visible.
async fn advance(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    let a = sqlx::query!(
        r#"SELECT state, kind, urgency, level, loop_count, path AS "path: sqlx::types::Json<Path>" FROM alerts WHERE agency_id = $2 AND id = $1"#,
        id,
        agency,
    )
    .fetch_one(&mut *conn)
    .await?;
    if a.state == "acknowledged" {
        // Acknowledged but not resolved in time: it is everyone's problem again.
        sqlx::query!(
            "UPDATE alerts SET state = 'triggered', acknowledged_by = NULL, acknowledged_at = NULL WHERE agency_id = $2 AND id = $1",
            id,
            agency,
        )
        .execute(&mut *conn)
        .await?;
        event(
            conn,
            agency,
            id,
            "ack_timeout",
            None,
            Some(a.level),
            Some(a.loop_count),
            json!({}),
        )
        .await?;
        return notify_level(conn, agency, id).await;
    }
    let levels = a.path.levels.len() as i32;
    let next = if a.level + 1 < levels {
        Some((a.level + 1, a.loop_count))
    } else if a.loop_count < a.path.repeat_count {
        Some((0, a.loop_count + 1))
    } else {
        None
    };
    match next {
        Some((level, loop_count)) => {
            sqlx::query!(
                "UPDATE alerts SET level = $2, loop_count = $3 WHERE agency_id = $4 AND id = $1",
                id,
                level,
                loop_count,
                agency,
            )
            .execute(&mut *conn)
            .await?;
            event(
                conn,
                agency,
                id,
                "escalated",
                None,
                Some(level),
                Some(loop_count),
                json!({ "from_level": a.level }),
            )
            .await?;
            notify_level(conn, agency, id).await
        }
        None => {
            // Every level, every repeat: nobody answered. It stays triggered and visible.
            crate::measure::alert_exhausted(&a.kind, &a.urgency);
            sqlx::query!(
                "UPDATE alerts SET next_escalation_at = NULL WHERE agency_id = $2 AND id = $1",
                id,
                agency,
            )
            .execute(&mut *conn)
            .await?;
            event(
                conn,
                agency,
                id,
                "exhausted",
                None,
                Some(a.level),
                Some(a.loop_count),
                json!({}),
            )
            .await
        }
    }
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
    db: &sqlx::PgPool,
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
