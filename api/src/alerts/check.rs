//! What a client sends about alerts, checked; pure functions.

use fieldline_wire::FieldError;
use fieldline_wire::alerts::{EscalationPolicyInput, RaiseAlert};

/// A raised alert's details and dedup key.
pub fn raise(r: &RaiseAlert) -> Vec<FieldError> {
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
    errs
}

/// A policy's own fields and levels (whom they name is checked against the agency apart).
pub fn policy(p: &EscalationPolicyInput) -> Vec<FieldError> {
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
    errs
}
