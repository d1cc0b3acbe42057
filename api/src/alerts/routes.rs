//! `/v1/alerts/*` and `/v1/escalation-policies/*`. Reads and changes of alerts are audited.

use super::check;
use super::engine::{self, Raise, Raised};
use super::store::{self, Viewer};
use crate::audit::{self, AuditActor};
use crate::auth::{Actor, Permission};
use crate::encryption::{DataKeys, Field};
use crate::error::{ApiError, ApiResult, from_stored};
use crate::http::{Json, OptionalJson, Path, Query};
use crate::push::outbox;
use crate::state::AppState;
use crate::users::store::Staff;
use axum::extract::State;
use axum::http::StatusCode;
use fieldline_wire::alerts::{
    Alert, AlertEvent, AlertKind, AlertList, AlertUrgency, EscalationPolicy, EscalationPolicyInput,
    EscalationPolicyList, RaiseAlert, ResolveAlert,
};
use fieldline_wire::{FieldError, Problem};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use std::collections::HashMap;
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
    let viewer = Viewer {
        agency_id: actor.agency_id,
        user_id: actor.user_id,
        everyone,
    };
    let Some(a) = store::visible(conn, viewer, id).await? else {
        return Ok(None);
    };
    let events = if timeline {
        store::events(conn, actor.agency_id, id).await?
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
    let sees_phone = everyone || a.raised_by == Some(actor.user_id);
    to_wire(&state.config.data_keys, a, events, &staff, sees_phone).map(Some)
}

/// The alert as the API shows it: people by name, sealed fields opened.
fn to_wire(
    keys: &DataKeys,
    a: store::AlertRow,
    mut events: Vec<AlertEvent>,
    staff: &HashMap<Uuid, Staff>,
    sees_phone: bool,
) -> ApiResult<Alert> {
    let id = a.id;
    let name = |id: Option<Uuid>| id.and_then(|id| staff.get(&id)).map(|s| s.name.clone());
    for e in &mut events {
        e.actor_name = name(e.actor_user_id);
    }
    let raiser = a.raised_by.and_then(|id| staff.get(&id));
    Ok(Alert {
        id: a.id,
        kind: from_stored(&a.kind)?,
        urgency: a.urgency,
        state: from_stored(&a.state)?,
        raised_by: a.raised_by,
        raised_by_name: raiser.map(|s| s.name.clone()),
        raised_by_phone: raiser.filter(|_| sees_phone).and_then(|s| s.phone.clone()),
        contact_id: a.contact_id,
        details: keys.open_opt(
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
        resolution_note: keys.open_opt(
            &Field {
                name: "alert.resolution_note",
                record: id,
            },
            a.resolution_note_sealed.as_deref(),
        )?,
        created_at: a.created_at,
        timeline: events,
    })
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
    let errs = check::raise(&r);
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
    let viewer = Viewer {
        agency_id: actor.agency_id,
        user_id: actor.user_id,
        everyone: actor.can(Permission::RespondToAlerts),
    };
    let ids = store::list_visible(&mut tx, viewer, q.state.as_deref()).await?;
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
    let changed = store::acknowledge(&mut tx, actor.agency_id, id, actor.user_id).await?;
    match changed {
        Some(c) => {
            let waited = (chrono::Utc::now() - c.created_at)
                .to_std()
                .unwrap_or_default();
            crate::measure::alert_acknowledged(&c.kind, &c.urgency, waited);
            outbox::cancel(
                &mut tx,
                outbox::Cancel::Alert {
                    agency: actor.agency_id,
                    alert: id,
                },
            )
            .await?;
            store::event(
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
    let (level, loop_count) = store::resolve(
        &mut tx,
        actor.agency_id,
        id,
        actor.user_id,
        note_sealed.as_deref(),
    )
    .await?
    .ok_or(ApiError::Conflict("the alert is resolved already"))?;
    outbox::cancel(
        &mut tx,
        outbox::Cancel::Alert {
            agency: actor.agency_id,
            alert: id,
        },
    )
    .await?;
    store::event(
        &mut tx,
        actor.agency_id,
        id,
        "resolved",
        Some(actor.user_id),
        Some(level),
        Some(loop_count),
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
    let rows = store::policies(&state.db, actor.agency_id).await?;
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
    let mut errs = check::policy(&p);
    errs.extend(unknown_named(state, actor, &p).await?);
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs));
    }
    let mut tx = state.db.begin().await?;
    let (policy_id, version) = store::put_policy(
        &mut tx,
        actor.agency_id,
        &store::PolicyInput {
            name: p.name.trim(),
            kind: kind.as_str(),
            urgency: urgency.map(|u| u.as_str()),
            repeat_count: p.repeat_count,
            ack_timeout_minutes: p.ack_timeout_minutes,
            levels: &p.levels,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        &AuditActor::from(actor),
        "escalation.set",
        "escalation_policy",
        Some(&policy_id.to_string()),
        json!({ "kind": kind, "urgency": urgency, "levels": p.levels.len(), "repeat_count": p.repeat_count }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(EscalationPolicy {
        id: policy_id,
        kind,
        urgency,
        name: p.name.trim().to_owned(),
        repeat_count: p.repeat_count,
        ack_timeout_minutes: p.ack_timeout_minutes,
        levels: p.levels,
        version,
    }))
}

/// Errors for the people and schedules a policy names that are not the agency's (active).
async fn unknown_named(
    state: &AppState,
    actor: &Actor,
    p: &EscalationPolicyInput,
) -> ApiResult<Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut err = |ptr: String, m: &str| {
        errs.push(FieldError {
            pointer: ptr,
            message: m.into(),
        })
    };
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
    Ok(errs)
}
