//! Raising, notifying and escalating alerts. Every step for one alert happens in one
//! transaction with the alert row locked: the state change, the deliveries it queues and the
//! timeline event commit together (GoAlert's escalation manager). The worker takes one due
//! alert per transaction with `FOR UPDATE SKIP LOCKED`, so one bad row blocks nothing and any
//! number of API instances can run it; a crash rolls back to a state another instance redoes.

use super::store::{self, NewAlert, Path};
use crate::push::outbox::{self, Message};
use crate::worker::{self, Item};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The path for an alert of `kind` and `urgency`: the agency's policy for both, else its
/// policy for the kind, else every coordinator of the agency every five minutes, three times.
/// An alert must never have nobody to reach.
pub async fn path_for(
    conn: &mut PgConnection,
    agency: Uuid,
    kind: &str,
    urgency: &str,
) -> sqlx::Result<Path> {
    if let Some(path) = store::policy_path(conn, agency, kind, urgency).await? {
        return Ok(path);
    }
    let coordinators = crate::users::store::coordinators(conn, agency).await?;
    Ok(Path {
        levels: vec![store::Level {
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
    let inserted = store::insert(
        conn,
        &NewAlert {
            id: r.id,
            agency_id: r.agency_id,
            kind: r.kind,
            urgency,
            dedup_key: r.dedup_key,
            raised_by: r.raised_by,
            contact_id: r.contact_id,
            details_sealed: r.details_sealed.as_deref(),
            path,
        },
    )
    .await?;
    if inserted.is_some() {
        store::event(
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
    if let Some(id) = store::replayed(conn, r.agency_id, r.id).await? {
        return Ok(Some(Raised::Replayed(id)));
    }
    let open = store::lock_open_by_dedup_key(conn, r.agency_id, r.dedup_key).await?;
    let Some(id) = open else {
        // Collided with an open alert resolved since: try again.
        return Ok(None);
    };
    if let Some(user) = r.raised_by {
        // Kept under the trigger's id, so this raise replayed finds the alert again. The same
        // trigger joined meanwhile (a concurrent replay) is that replay's alert.
        if !store::keep_raiser(conn, r.agency_id, r.id, id, user).await? {
            return Ok(store::replayed(conn, r.agency_id, r.id)
                .await?
                .map(Raised::Replayed));
        }
    }
    store::event(
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

/// Queues pushes to the alert's current level and sets when it escalates next. The alert row
/// must be locked (or just inserted) by the caller's transaction.
async fn notify_level(conn: &mut PgConnection, agency: Uuid, id: Uuid) -> sqlx::Result<()> {
    let a = store::next_round(conn, agency, id).await?;
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
    store::escalate_in(conn, agency, id, level.delay_minutes).await?;
    store::event(
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
        let Some(req) = store::next_request(&mut tx).await? else {
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
            store::take_request(conn, req.id).await?;
            Ok(())
        })
        .await?;
        tx.commit().await?;
        steps += usize::from(done.is_some());
    }
    loop {
        let mut tx = db.begin().await?;
        let Some((due_id, due_agency)) = store::next_due(&mut tx).await? else {
            break;
        };
        let item = Item {
            job: "alert_escalation",
            id: due_id,
            agency_id: due_agency,
        };
        let done = worker::step(&mut tx, item, async |conn: &mut PgConnection| {
            Ok(advance(conn, due_agency, due_id).await?)
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
    let a = store::standing(conn, agency, id).await?;
    if a.state == "acknowledged" {
        // Acknowledged but not resolved in time: it is everyone's problem again.
        store::retrigger(conn, agency, id).await?;
        store::event(
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
            store::set_level(conn, agency, id, level, loop_count).await?;
            store::event(
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
            store::stop_escalating(conn, agency, id).await?;
            store::event(
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
