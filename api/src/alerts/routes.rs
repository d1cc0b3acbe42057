//! `/v1/alerts/*` and `/v1/escalation-policies/*`. Reads and changes of alerts are audited.

use super::engine::{self, Raise, Raised};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::encryption::Field;
use crate::error::{ApiError, ApiResult, from_stored};
use crate::http::{Json, OptionalJson, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use fieldline_wire::alerts::{
    Alert, AlertEvent, AlertKind, AlertList, AlertUrgency, EscalationLevel, EscalationPolicy,
    EscalationPolicyInput, EscalationPolicyList, RaiseAlert, ResolveAlert,
};
use fieldline_wire::{FieldError, Problem};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(raise_alert, list_alerts))
        .routes(routes!(get_alert))
        .routes(routes!(acknowledge))
        .routes(routes!(resolve))
        .routes(routes!(list_policies))
        .routes(routes!(put_policy))
        .routes(routes!(put_urgency_policy))
}

/// Loads an alert the actor may see (`alert_visible_to`: coordinators any of the agency's,
/// others those they raised or joined). `None` otherwise (404: no telling whether it exists).
async fn load(
    conn: &mut PgConnection,
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    timeline: bool,
) -> ApiResult<Option<Alert>> {
    let everyone = actor.can(Permission::RespondToAlerts);
    let Some(a) = sqlx::query!(
        "SELECT id, kind, urgency, state, raised_by, contact_id, details_sealed, level, loop_count, next_escalation_at,
                acknowledged_by, acknowledged_at, resolved_by, resolved_at, created_at, resolution_note_sealed
           FROM alerts WHERE agency_id = $2 AND id = $1 AND alert_visible_to(agency_id, id, raised_by, $4, $3)",
        id,
        actor.agency_id,
        everyone,
        actor.user_id,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut events = if timeline {
        sqlx::query_as!(
            AlertEvent,
            r#"SELECT at, kind, actor_user_id, NULL::text AS actor_name, level, loop_count, details FROM alert_events WHERE agency_id = $2 AND alert_id = $1 ORDER BY id"#,
            id,
            actor.agency_id,
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        Vec::new()
    };
    // Who is named, by name: the raiser (with their work phone for those who respond, and
    // for themselves), who acknowledged and resolved it, and each event's actor.
    let mut named: Vec<Uuid> = [a.raised_by, a.acknowledged_by, a.resolved_by]
        .into_iter()
        .flatten()
        .chain(events.iter().filter_map(|e| e.actor_user_id))
        .collect();
    named.sort();
    named.dedup();
    let staff = crate::users::store::staff(conn, actor.agency_id, &named).await?;
    let name = |id: Option<Uuid>| id.and_then(|id| staff.get(&id)).map(|s| s.name.clone());
    for e in &mut events {
        e.actor_name = name(e.actor_user_id);
    }
    let raiser = a.raised_by.and_then(|id| staff.get(&id));
    let sees_phone = everyone || a.raised_by == Some(actor.user_id);
    Ok(Some(Alert {
        id: a.id,
        kind: from_stored(&a.kind)?,
        urgency: a.urgency,
        state: from_stored(&a.state)?,
        raised_by: a.raised_by,
        raised_by_name: raiser.map(|s| s.name.clone()),
        raised_by_phone: raiser.filter(|_| sees_phone).and_then(|s| s.phone.clone()),
        contact_id: a.contact_id,
        details: state.config.data_keys.open_opt(
            &Field {
                name: "alert.details",
                record: id,
            },
            a.details_sealed.as_deref(),
        )?,
        level: a.level,
        loop_count: a.loop_count,
        next_escalation_at: a.next_escalation_at,
        acknowledged_by: a.acknowledged_by,
        acknowledged_by_name: name(a.acknowledged_by),
        acknowledged_at: a.acknowledged_at,
        resolved_by: a.resolved_by,
        resolved_by_name: name(a.resolved_by),
        resolved_at: a.resolved_at,
        resolution_note: state.config.data_keys.open_opt(
            &Field {
                name: "alert.resolution_note",
                record: id,
            },
            a.resolution_note_sealed.as_deref(),
        )?,
        created_at: a.created_at,
        timeline: events,
    }))
}

/// Raise an alert (advocates and coordinators). It reaches the first level of the kind's
/// escalation policy at once. Sending the same id again returns the same alert; an open
/// alert with the same `dedup_key` is joined instead of opening another: its timeline names
/// who joined, and the joiner follows it as its raiser does. Ids are your agency's own: an id
/// another agency's alert has is answered exactly as an unknown one (a new alert, 201).
#[utoipa::path(post, path = "/v1/alerts", tag = "alerts", security(("bearer" = [])), request_body = RaiseAlert,
    responses((status = 201, body = Alert), (status = 200, body = Alert, description = "replayed or joined"),
              (status = 404, body = Problem, content_type = "application/problem+json", description = "the id is an alert of your agency you may not follow (a colleague's)"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn raise_alert(
    State(state): State<AppState>,
    actor: Actor,
    Json(r): Json<RaiseAlert>,
) -> ApiResult<(StatusCode, Json<Alert>)> {
    actor.require(Permission::RaiseAlerts)?;
    let mut errs = Vec::new();
    if r.details
        .as_deref()
        .is_some_and(|d| d.trim().is_empty() || d.chars().count() > 2000)
    {
        errs.push(FieldError {
            pointer: "/details".into(),
            message: "must be 1 to 2000 characters".into(),
        });
    }
    if r.dedup_key
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.chars().count() > 200)
    {
        errs.push(FieldError {
            pointer: "/dedup_key".into(),
            message: "must be 1 to 200 characters".into(),
        });
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs));
    }
    let mut tx = state.db.begin().await?;
    if let Some(contact) = r.contact_id {
        let ok =
            crate::contacts::store::exists_in_agency(&mut tx, actor.agency_id, contact).await?;
        if !ok {
            return Err(ApiError::field(
                "/contact_id",
                "names a contact that does not exist",
            ));
        }
    }
    let details = r.details.as_deref().map(|d| {
        state.config.data_keys.seal(
            &Field {
                name: "alert.details",
                record: r.id,
            },
            d.trim(),
        )
    });
    let raised = engine::raise(
        &mut tx,
        &Raise {
            id: r.id,
            agency_id: actor.agency_id,
            kind: r.kind.as_str(),
            urgency: r.urgency.map(|u| u.as_str()),
            dedup_key: r.dedup_key.as_deref(),
            raised_by: Some(actor.user_id),
            contact_id: r.contact_id,
            details_sealed: details,
        },
    )
    .await?;
    let (status, id, action) = match raised {
        Raised::Created(id) => (StatusCode::CREATED, id, "alert.raise"),
        Raised::Replayed(id) => (StatusCode::OK, id, "alert.replay"),
        Raised::Joined(id) => (StatusCode::OK, id, "alert.join"),
    };
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        action,
        "alert",
        Some(&id.to_string()),
        json!({ "kind": r.kind }),
    )
    .await?;
    // A joiner follows the alert they joined (`alert_visible_to`); a colleague's alert replayed
    // under its own id is not the raiser's to follow (404).
    let alert = load(&mut tx, &state, &actor, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok((status, Json(alert)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `triggered`, `acknowledged` or `resolved`; default: all open (not resolved).
    #[param(pattern = "^(triggered|acknowledged|resolved)$")]
    state: Option<String>,
}

/// Alerts, most urgent first: triggered before acknowledged, high urgency first, oldest first.
/// Coordinators see the agency's; others the ones they raised (so they know someone is coming).
#[utoipa::path(get, path = "/v1/alerts", tag = "alerts", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = AlertList)))]
async fn list_alerts(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<AlertList>> {
    if !actor.can(Permission::RespondToAlerts) {
        actor.require(Permission::RaiseAlerts)?;
    }
    if let Some(s) = &q.state
        && !["triggered", "acknowledged", "resolved"].contains(&s.as_str())
    {
        return Err(ApiError::InvalidQuery(vec![FieldError {
            pointer: "/state".into(),
            message: "must be triggered, acknowledged or resolved".into(),
        }]));
    }
    let mut tx = state.db.begin().await?;
    let ids = sqlx::query_scalar!(
        "SELECT id FROM alerts
          WHERE agency_id = $1 AND alert_visible_to(agency_id, id, raised_by, $3, $2)
            AND (CASE WHEN $4::text IS NULL THEN state <> 'resolved' ELSE state = $4 END)
          ORDER BY state = 'triggered' DESC, urgency = 'high' DESC, created_at
          LIMIT 200",
        actor.agency_id,
        actor.can(Permission::RespondToAlerts),
        actor.user_id,
        q.state,
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut alerts = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(a) = load(&mut tx, &state, &actor, id, false).await? {
            alerts.push(a);
        }
    }
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "alert.list",
        "alert",
        None,
        json!({ "count": alerts.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(AlertList { alerts }))
}

/// One alert with its timeline: every notification, escalation and answer, with who and when.
#[utoipa::path(get, path = "/v1/alerts/{id}", tag = "alerts", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Alert), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Alert>> {
    let mut tx = state.db.begin().await?;
    let alert = load(&mut tx, &state, &actor, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "alert.read",
        "alert",
        Some(&id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(alert))
}

/// Acknowledge: "I have it." Stops escalation until the acknowledgement times out. Only from
/// `triggered`, so an old notification's button cannot act twice; acknowledging again what you
/// already acknowledged is not an error.
#[utoipa::path(post, path = "/v1/alerts/{id}/acknowledge", tag = "alerts", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Alert), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours"), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn acknowledge(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Alert>> {
    actor.require(Permission::RespondToAlerts)?;
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query!(
        r#"UPDATE alerts SET state = 'acknowledged', acknowledged_by = $3, acknowledged_at = now(),
               next_escalation_at = now() + make_interval(mins => (path->>'ack_timeout_minutes')::int), updated_at = now()
            WHERE id = $1 AND agency_id = $2 AND state = 'triggered'
        RETURNING level, loop_count, kind, urgency, created_at"#,
        id,
        actor.agency_id,
        actor.user_id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    match changed {
        Some(c) => {
            let waited = (chrono::Utc::now() - c.created_at)
                .to_std()
                .unwrap_or_default();
            crate::measure::alert_acknowledged(&c.kind, &c.urgency, waited);
            engine::cancel_deliveries(&mut tx, actor.agency_id, id).await?;
            engine::event(
                &mut tx,
                actor.agency_id,
                id,
                "acknowledged",
                Some(actor.user_id),
                Some(c.level),
                Some(c.loop_count),
                json!({}),
            )
            .await?;
            audit::record(
                &mut *tx,
                &AuditActor::from(&actor),
                "alert.acknowledge",
                "alert",
                Some(&id.to_string()),
                json!({}),
            )
            .await?;
        }
        None => {
            let current = load(&mut tx, &state, &actor, id, false)
                .await?
                .ok_or(ApiError::NotFound)?;
            if current.acknowledged_by != Some(actor.user_id) {
                return Err(ApiError::Conflict(
                    "the alert is not waiting for an acknowledgement",
                ));
            }
        }
    }
    let alert = load(&mut tx, &state, &actor, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok(Json(alert))
}

/// Resolve: nothing more to do. Coordinators, or the advocate who raised it (a false alarm).
/// The body is optional: a closing note for the record (a notification's button sends none).
#[utoipa::path(post, path = "/v1/alerts/{id}/resolve", tag = "alerts", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Option<ResolveAlert>,
    responses((status = 200, body = Alert), (status = 404, body = Problem, content_type = "application/problem+json", description = "no such record of yours"), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn resolve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<ResolveAlert>,
) -> ApiResult<Json<Alert>> {
    let note = body.and_then(|b| b.note);
    if note
        .as_deref()
        .is_some_and(|n| n.trim().is_empty() || n.chars().count() > 2000)
    {
        return Err(ApiError::field("/note", "must be 1 to 2000 characters"));
    }
    let note_sealed = note.as_deref().map(|n| {
        state.config.data_keys.seal(
            &Field {
                name: "alert.resolution_note",
                record: id,
            },
            n.trim(),
        )
    });
    let mut tx = state.db.begin().await?;
    if load(&mut tx, &state, &actor, id, false).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let changed = sqlx::query!(
        r#"UPDATE alerts SET state = 'resolved', resolved_by = $3, resolved_at = now(), next_escalation_at = NULL, updated_at = now(),
                             resolution_note_sealed = $4
            WHERE id = $1 AND agency_id = $2 AND state <> 'resolved'
        RETURNING level, loop_count"#,
        id,
        actor.agency_id,
        actor.user_id,
        note_sealed,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::Conflict("the alert is resolved already"))?;
    engine::cancel_deliveries(&mut tx, actor.agency_id, id).await?;
    engine::event(
        &mut tx,
        actor.agency_id,
        id,
        "resolved",
        Some(actor.user_id),
        Some(changed.level),
        Some(changed.loop_count),
        json!({}),
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(&actor),
        "alert.resolve",
        "alert",
        Some(&id.to_string()),
        json!({ "note": note.is_some() }),
    )
    .await?;
    let alert = load(&mut tx, &state, &actor, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    Ok(Json(alert))
}

/// The agency's escalation policies, one per alert kind (kinds without one reach every
/// coordinator).
#[utoipa::path(get, path = "/v1/escalation-policies", tag = "alerts", security(("bearer" = [])),
    responses((status = 200, body = EscalationPolicyList)))]
async fn list_policies(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<EscalationPolicyList>> {
    actor.require(Permission::ManageEscalation)?;
    let rows = sqlx::query!(
        r#"SELECT id, kind AS "kind!", urgency, name, repeat_count, ack_timeout_minutes, levels AS "levels: sqlx::types::Json<Vec<EscalationLevel>>", version
             FROM escalation_policies WHERE agency_id = $1 AND kind IS NOT NULL ORDER BY kind, urgency NULLS LAST"#,
        actor.agency_id,
    )
    .fetch_all(&state.db)
    .await?;
    let policies = rows
        .into_iter()
        .map(|r| {
            Ok(EscalationPolicy {
                id: r.id,
                kind: from_stored(&r.kind)?,
                urgency: r.urgency.as_deref().map(from_stored).transpose()?,
                name: r.name,
                repeat_count: r.repeat_count,
                ack_timeout_minutes: r.ack_timeout_minutes,
                levels: r.levels.0,
                version: r.version,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(EscalationPolicyList { policies }))
}

/// Set the escalation path for one kind of alert, for any urgency without a path of its own.
/// Alerts already running keep the path they started with.
#[utoipa::path(put, path = "/v1/escalation-policies/{kind}", tag = "alerts", security(("bearer" = [])),
    params(("kind" = AlertKind, Path)), request_body = EscalationPolicyInput,
    responses((status = 200, body = EscalationPolicy), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn put_policy(
    State(state): State<AppState>,
    actor: Actor,
    Path(kind): Path<AlertKind>,
    Json(p): Json<EscalationPolicyInput>,
) -> ApiResult<Json<EscalationPolicy>> {
    set_policy(&state, &actor, kind, None, p).await
}

/// Set the escalation path for one kind of alert at one urgency (e.g. next-of-kin raised as
/// high). It wins over the kind's path for any urgency. Alerts already running keep theirs.
#[utoipa::path(put, path = "/v1/escalation-policies/{kind}/{urgency}", tag = "alerts", security(("bearer" = [])),
    params(("kind" = AlertKind, Path), ("urgency" = AlertUrgency, Path)), request_body = EscalationPolicyInput,
    responses((status = 200, body = EscalationPolicy), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn put_urgency_policy(
    State(state): State<AppState>,
    actor: Actor,
    Path((kind, urgency)): Path<(AlertKind, AlertUrgency)>,
    Json(p): Json<EscalationPolicyInput>,
) -> ApiResult<Json<EscalationPolicy>> {
    set_policy(&state, &actor, kind, Some(urgency), p).await
}

async fn set_policy(
    state: &AppState,
    actor: &Actor,
    kind: AlertKind,
    urgency: Option<AlertUrgency>,
    p: EscalationPolicyInput,
) -> ApiResult<Json<EscalationPolicy>> {
    actor.require(Permission::ManageEscalation)?;
    let mut errs = Vec::new();
    let mut err = |ptr: String, m: &str| {
        errs.push(FieldError {
            pointer: ptr,
            message: m.into(),
        })
    };
    if p.name.trim().is_empty() || p.name.chars().count() > 200 {
        err("/name".into(), "must be 1 to 200 characters");
    }
    if !(0..=10).contains(&p.repeat_count) {
        err("/repeat_count".into(), "must be from 0 to 10");
    }
    if !(1..=1440).contains(&p.ack_timeout_minutes) {
        err("/ack_timeout_minutes".into(), "must be from 1 to 1440");
    }
    if p.levels.is_empty() || p.levels.len() > 10 {
        err("/levels".into(), "must have 1 to 10 levels");
    }
    for (i, l) in p.levels.iter().enumerate() {
        if !(0..=1440).contains(&l.delay_minutes) {
            err(
                format!("/levels/{i}/delay_minutes"),
                "must be from 0 to 1440",
            );
        }
        if l.user_ids.is_empty() && l.schedule_ids.is_empty() {
            err(
                format!("/levels/{i}/user_ids"),
                "must name at least one person or schedule",
            );
        }
    }
    let all: Vec<Uuid> = p
        .levels
        .iter()
        .flat_map(|l| l.user_ids.iter().copied())
        .collect();
    let known = crate::users::store::count_active(&state.db, actor.agency_id, &all).await?;
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    if known != distinct.len() as i64 {
        err(
            "/levels".into(),
            "must name only active people of your agency",
        );
    }
    let schedules: Vec<Uuid> = p
        .levels
        .iter()
        .flat_map(|l| l.schedule_ids.iter().copied())
        .collect();
    let known_schedules =
        crate::oncall::count_schedules(&state.db, actor.agency_id, &schedules).await?;
    let mut distinct_schedules = schedules.clone();
    distinct_schedules.sort();
    distinct_schedules.dedup();
    if known_schedules != distinct_schedules.len() as i64 {
        err("/levels".into(), "must name only schedules of your agency");
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs));
    }
    let mut tx = state.db.begin().await?;
    let row = sqlx::query!(
        r#"INSERT INTO escalation_policies AS e (id, agency_id, name, kind, urgency, repeat_count, ack_timeout_minutes, levels)
           VALUES ($1, $2, $3, $4, $8, $5, $6, $7)
           ON CONFLICT (agency_id, kind, urgency) WHERE kind IS NOT NULL DO UPDATE SET
               name = EXCLUDED.name, repeat_count = EXCLUDED.repeat_count,
               ack_timeout_minutes = EXCLUDED.ack_timeout_minutes, levels = EXCLUDED.levels,
               version = e.version + 1, updated_at = now()
           RETURNING id, version"#,
        Uuid::new_v4(),
        actor.agency_id,
        p.name.trim(),
        kind.as_str(),
        p.repeat_count,
        p.ack_timeout_minutes,
        sqlx::types::Json(&p.levels) as _,
        urgency.map(|u| u.as_str()),
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(actor),
        "escalation.set",
        "escalation_policy",
        Some(&row.id.to_string()),
        json!({ "kind": kind, "urgency": urgency, "levels": p.levels.len(), "repeat_count": p.repeat_count }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(EscalationPolicy {
        id: row.id,
        kind,
        urgency,
        name: p.name.trim().to_owned(),
        repeat_count: p.repeat_count,
        ack_timeout_minutes: p.ack_timeout_minutes,
        levels: p.levels,
        version: row.version,
    }))
}
