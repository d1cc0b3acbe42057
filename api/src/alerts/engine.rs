//! Raising, notifying and escalating alerts. Every step for one alert happens in one
//! transaction with the alert row locked: the state change, the deliveries it queues and the
//! timeline event commit together (GoAlert's escalation manager). The worker takes one due
//! alert per transaction with `FOR UPDATE SKIP LOCKED`, so one bad row blocks nothing and any
//! number of API instances can run it; a crash rolls back to a state another instance redoes.

use crate::push::outbox::{self, Message};
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

pub async fn raise(conn: &mut PgConnection, r: &Raise<'_>) -> sqlx::Result<Raised> {
    let urgency = effective_urgency(r.kind, r.urgency);
    let path = path_for(conn, r.agency_id, r.kind, urgency).await?;
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
        sqlx::types::Json(&path) as _,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_some() {
        event(
            conn,
            r.id,
            "triggered",
            r.raised_by,
            Some(0),
            Some(0),
            json!({}),
        )
        .await?;
        notify_level(conn, r.id).await?;
        return Ok(Raised::Created(r.id));
    }
    if sqlx::query_scalar!(
        "SELECT id FROM alerts WHERE id = $1 AND agency_id = $2",
        r.id,
        r.agency_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .is_some()
    {
        return Ok(Raised::Replayed(r.id));
    }
    let open = sqlx::query_scalar!(
        "SELECT id FROM alerts WHERE agency_id = $1 AND dedup_key = $2 AND state <> 'resolved' FOR UPDATE",
        r.agency_id,
        r.dedup_key,
    )
    .fetch_optional(&mut *conn)
    .await?;
    match open {
        Some(id) => {
            event(
                conn,
                id,
                "deduplicated",
                r.raised_by,
                None,
                None,
                json!({ "trigger_id": r.id }),
            )
            .await?;
            Ok(Raised::Joined(id))
        }
        // The id belongs to another agency: refuse rather than reveal or overwrite it.
        None => Err(sqlx::Error::RowNotFound),
    }
}

/// Queues pushes to the alert's current level and sets when it escalates next. The alert row
/// must be locked (or just inserted) by the caller's transaction.
async fn notify_level(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    let a = sqlx::query!(
        r#"UPDATE alerts SET round = round + 1, updated_at = now() WHERE id = $1
           RETURNING agency_id, kind, urgency, level, loop_count, round, path AS "path: sqlx::types::Json<Path>""#,
        id,
    )
    .fetch_one(&mut *conn)
    .await?;
    let level = &a.path.levels[(a.level as usize).min(a.path.levels.len() - 1)];
    // People named, plus whoever is on call now on the schedules named.
    let mut users = level.user_ids.clone();
    for schedule in &level.schedule_ids {
        match crate::oncall::on_call(conn, *schedule, a.agency_id, chrono::Utc::now()).await {
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
        agency_id: a.agency_id,
        alert_id: Some(id),
        dedup_key: &key,
        payload: json!({ "type": "alert", "alert_id": id, "kind": a.kind, "urgency": a.urgency, "title": "Fieldline", "body": line(&a.kind) }),
        topic: &topic,
        urgency: &a.urgency,
        ttl_secs: 3600,
    };
    let deliveries = outbox::enqueue(conn, &users, &message).await?;
    sqlx::query!(
        "UPDATE alerts SET next_escalation_at = now() + make_interval(mins => $2) WHERE id = $1",
        id,
        level.delay_minutes,
    )
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        id,
        "notified",
        None,
        Some(a.level),
        Some(a.loop_count),
        json!({ "users": users, "deliveries": deliveries }),
    )
    .await
}

pub async fn event(
    conn: &mut PgConnection,
    alert: Uuid,
    kind: &str,
    actor: Option<Uuid>,
    level: Option<i32>,
    loop_count: Option<i32>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO alert_events (alert_id, kind, actor_user_id, level, loop_count, details) VALUES ($1, $2, $3, $4, $5, $6)",
        alert,
        kind,
        actor,
        level,
        loop_count,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels pushes for an alert that are still waiting (someone already answered it).
pub async fn cancel_deliveries(conn: &mut PgConnection, alert: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE push_deliveries SET state = 'cancelled' WHERE alert_id = $1 AND state IN ('pending', 'retry_wait')",
        alert,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One pass of the escalation worker: turn waiting alert requests (from screenings) and missed
/// check-outs into alerts, then advance every due alert, each in its own transaction. Returns
/// how many steps it took.
pub async fn run_once(db: &PgPool, keys: &crate::encryption::DataKeys) -> anyhow::Result<usize> {
    let mut steps = crate::safety::raise_overdue(db, keys).await?;
    loop {
        let mut tx = db.begin().await?;
        let Some(req) = sqlx::query!(
            "SELECT id, agency_id, kind, contact_id, screening_id, raised_by FROM alert_requests
              WHERE taken_at IS NULL ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        let dedup = req.screening_id.map(|s| format!("screening:{s}"));
        // The request's id becomes the alert's: taking the same request twice cannot raise two.
        raise(
            &mut tx,
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
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        steps += 1;
    }
    loop {
        let mut tx = db.begin().await?;
        let Some(a) = sqlx::query!(
            r#"SELECT id, state, level, loop_count, path AS "path: sqlx::types::Json<Path>" FROM alerts
                WHERE next_escalation_at <= now() AND state <> 'resolved'
                ORDER BY next_escalation_at LIMIT 1 FOR UPDATE SKIP LOCKED"#
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        if a.state == "acknowledged" {
            // Acknowledged but not resolved in time: it is everyone's problem again.
            sqlx::query!(
                "UPDATE alerts SET state = 'triggered', acknowledged_by = NULL, acknowledged_at = NULL WHERE id = $1",
                a.id
            )
            .execute(&mut *tx)
            .await?;
            event(
                &mut tx,
                a.id,
                "ack_timeout",
                None,
                Some(a.level),
                Some(a.loop_count),
                json!({}),
            )
            .await?;
            notify_level(&mut tx, a.id).await?;
        } else {
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
                        "UPDATE alerts SET level = $2, loop_count = $3 WHERE id = $1",
                        a.id,
                        level,
                        loop_count
                    )
                    .execute(&mut *tx)
                    .await?;
                    event(
                        &mut tx,
                        a.id,
                        "escalated",
                        None,
                        Some(level),
                        Some(loop_count),
                        json!({ "from_level": a.level }),
                    )
                    .await?;
                    notify_level(&mut tx, a.id).await?;
                }
                None => {
                    // Every level, every repeat: nobody answered. It stays triggered and visible.
                    sqlx::query!(
                        "UPDATE alerts SET next_escalation_at = NULL WHERE id = $1",
                        a.id
                    )
                    .execute(&mut *tx)
                    .await?;
                    event(
                        &mut tx,
                        a.id,
                        "exhausted",
                        None,
                        Some(a.level),
                        Some(a.loop_count),
                        json!({}),
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        steps += 1;
    }
    Ok(steps)
}

/// Runs `run_once` whenever an alert or alert request changes (`NOTIFY fieldline_alerts`) and
/// when the next escalation falls due (at most `poll` apart), until `shutdown`.
pub async fn run(
    db: PgPool,
    keys: crate::encryption::DataKeys,
    poll: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut listener = None;
    loop {
        if listener.is_none() {
            listener = crate::listen(&db, "fieldline_alerts").await.ok();
        }
        if let Err(e) = run_once(&db, &keys).await {
            tracing::warn!(error = %crate::telemetry::redacted(&e), "escalation round failed");
        }
        // Sleep until the next escalation is due, so it fires on time rather than up to a
        // whole poll late; by the database's clock, which the worker uses throughout.
        let nap = match next_due_in(&db).await {
            // Not less than 20 ms: a due alert another instance holds is not ours to spin on.
            Ok(Some(d)) => d.max(std::time::Duration::from_millis(20)).min(poll),
            _ => poll,
        };
        let wake = async {
            match listener.as_mut() {
                Some(l) => {
                    if l.recv().await.is_err() {
                        listener = None;
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            _ = wake => {}
            _ = tokio::time::sleep(nap) => {}
        }
    }
}

/// How long until the earliest pending escalation, by the database's clock.
async fn next_due_in(db: &PgPool) -> sqlx::Result<Option<std::time::Duration>> {
    let ms = sqlx::query_scalar!(
        r#"SELECT (EXTRACT(EPOCH FROM min(next_escalation_at) - now()) * 1000)::float8 AS ms FROM alerts
            WHERE next_escalation_at IS NOT NULL"#
    )
    .fetch_one(db)
    .await?;
    Ok(ms.map(|ms| std::time::Duration::from_millis(ms.max(0.0) as u64)))
}
