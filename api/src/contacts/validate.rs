//! Checking a contact before anything is stored or sealed. All problems at once, each with a
//! pointer; messages never quote the value (it is someone's name or address).

use super::screening;
use fieldline_wire::FieldError;
use fieldline_wire::contacts::ContactInput;
use fieldline_wire::screening::ScreeningResult;
use std::collections::HashSet;

/// A contact that passed validation, with each new screening already scored.
pub struct ValidContact {
    pub input: ContactInput,
    pub results: Vec<ScreeningResult>,
}

pub fn validate(mut c: ContactInput) -> Result<ValidContact, Vec<FieldError>> {
    let mut e = Errors::default();
    let now = chrono::Utc::now();
    // PostgreSQL keeps microseconds: answer with the time as it will be stored.
    c.occurred_at = chrono::SubsecRound::trunc_subsecs(c.occurred_at, 6);
    e.check(
        c.occurred_at <= now + chrono::Duration::days(1) && c.occurred_at.timestamp() > 0,
        "/occurred_at",
        "must not be in the future",
    );
    e.code(&c.incident_type, "/incident_type");
    if let Some(l) = &c.location {
        e.check(
            l.latitude.is_finite() && l.latitude.abs() <= 90.0,
            "/location/latitude",
            "must be from -90 to 90",
        );
        e.check(
            l.longitude.is_finite() && l.longitude.abs() <= 180.0,
            "/location/longitude",
            "must be from -180 to 180",
        );
        e.check(
            (1..=100_000).contains(&l.precision_m),
            "/location/precision_m",
            "must be from 1 to 100000 metres",
        );
    }
    let p = &mut c.person;
    p.pseudonym = p.pseudonym.trim().to_owned();
    e.len(&p.pseudonym, 1, 100, "/person/pseudonym");
    for (v, max, ptr) in [
        (&mut p.name, 200, "/person/name"),
        (&mut p.phone, 40, "/person/phone"),
        (&mut p.address, 500, "/person/address"),
    ] {
        trim_opt(v);
        if let Some(s) = v {
            e.len(s, 1, max, ptr);
        }
    }
    if let Some(s) = c.safe_contact.as_mut() {
        trim_opt(&mut s.safe_phone);
        trim_opt(&mut s.safe_times);
        e.len(
            s.safe_phone.as_deref().unwrap_or("x"),
            1,
            40,
            "/safe_contact/safe_phone",
        );
        e.len(
            s.safe_times.as_deref().unwrap_or("x"),
            1,
            500,
            "/safe_contact/safe_times",
        );
    }
    for (list, ptr) in [(&c.needs, "/needs"), (&c.services, "/services")] {
        e.check(list.len() <= 30, ptr, "must have at most 30 items");
        for (i, code) in list.iter().enumerate() {
            e.code(code, &format!("{ptr}/{i}"));
        }
    }
    trim_opt(&mut c.notes);
    if let Some(n) = &c.notes {
        e.len(n, 1, 20_000, "/notes");
    }
    if let Some(consent) = &c.consent {
        e.check(
            consent.share_with.len() <= 20,
            "/consent/share_with",
            "must have at most 20 items",
        );
        for (i, w) in consent.share_with.iter().enumerate() {
            e.len(w.trim(), 1, 200, &format!("/consent/share_with/{i}"));
        }
    }

    e.check(
        c.referrals.len() <= 50,
        "/referrals",
        "must have at most 50 items",
    );
    e.unique(c.referrals.iter().map(|r| r.id), "/referrals");
    for (i, r) in c.referrals.iter_mut().enumerate() {
        trim_opt(&mut r.free_text);
        e.check(
            r.directory_entry_id.is_some() || r.free_text.is_some(),
            &format!("/referrals/{i}"),
            "must name a directory entry or give free text",
        );
        if let Some(t) = &r.free_text {
            e.len(t, 1, 2000, &format!("/referrals/{i}/free_text"));
        }
    }
    e.check(
        c.follow_ups.len() <= 50,
        "/follow_ups",
        "must have at most 50 items",
    );
    e.unique(c.follow_ups.iter().map(|f| f.id), "/follow_ups");
    for (i, f) in c.follow_ups.iter_mut().enumerate() {
        f.task = f.task.trim().to_owned();
        e.len(&f.task, 1, 1000, &format!("/follow_ups/{i}/task"));
    }

    e.check(
        c.screenings.len() <= 10,
        "/screenings",
        "must have at most 10 items",
    );
    e.unique(c.screenings.iter().map(|s| s.id), "/screenings");
    let mut results = Vec::new();
    for (i, s) in c.screenings.iter().enumerate() {
        match screening::score(&s.screening) {
            Ok(r) => results.push(r),
            Err(errs) => e.0.extend(errs.into_iter().map(|f| FieldError {
                pointer: format!("/screenings/{i}/screening{}", f.pointer),
                message: f.message,
            })),
        }
    }
    if e.0.is_empty() {
        Ok(ValidContact { input: c, results })
    } else {
        Err(e.0)
    }
}

fn trim_opt(v: &mut Option<String>) {
    *v = v
        .take()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check(&mut self, ok: bool, pointer: &str, message: &str) {
        if !ok {
            self.0.push(FieldError {
                pointer: pointer.to_owned(),
                message: message.to_owned(),
            });
        }
    }

    fn len(&mut self, s: &str, min: usize, max: usize, pointer: &str) {
        let n = s.chars().count();
        self.check(
            (min..=max).contains(&n),
            pointer,
            &format!("must be {min} to {max} characters"),
        );
    }

    /// A code such as `domestic_violence`: lower-case letters, digits and underscores.
    fn code(&mut self, s: &str, pointer: &str) {
        let ok = (1..=50).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        self.check(
            ok,
            pointer,
            "must be a code of lower-case letters, digits and underscores",
        );
    }

    fn unique(&mut self, ids: impl Iterator<Item = uuid::Uuid>, pointer: &str) {
        let mut seen = HashSet::new();
        let dup = ids.into_iter().any(|id| !seen.insert(id));
        self.check(!dup, pointer, "must not repeat an id");
    }
}
