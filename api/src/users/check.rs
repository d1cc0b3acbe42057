//! What an admin sends about a person or the agency, checked; pure functions.

use fieldline_wire::admin::UserUpdate;
use fieldline_wire::{FieldError, Role};

pub const PHONE_RULE: &str = "must be a phone number: 3 to 40 digits, spaces, +, -, (, ), .";

/// A number a phone can dial: 3 to 40 characters of digits, spaces, `+`, `-`, `(`, `)`, `.`,
/// with at least 3 digits.
pub fn is_phone(p: &str) -> bool {
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (3..=40).contains(&p.chars().count()) && p.chars().all(allowed) && digits >= 3
}

pub fn check_display_name(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let name = raw.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError {
            pointer: "/display_name".into(),
            message: "must be 1 to 200 characters".into(),
        });
    }
    name
}

pub fn check_roles(raw: &[Role], errors: &mut Vec<FieldError>) -> Vec<Role> {
    let roles = dedup(raw);
    if roles.is_empty() {
        errors.push(FieldError {
            pointer: "/roles".into(),
            message: "must name at least one role".into(),
        });
    }
    roles
}

/// The names in `after` (when given) that `before` lacks.
pub fn added(after: Option<&[String]>, before: &[String]) -> Vec<String> {
    after
        .unwrap_or_default()
        .iter()
        .filter(|n| !before.contains(n))
        .cloned()
        .collect()
}

pub fn dedup<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

pub fn names<T: Copy>(items: &[T], name: fn(T) -> &'static str) -> Vec<String> {
    items.iter().map(|i| name(*i).to_owned()).collect()
}

/// A person's change, checked: the trimmed name, the roles without repeats, the phone without
/// surrounding spaces.
pub struct UpdateChecked<'a> {
    pub display_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub phone: Option<&'a str>,
}

pub fn check_update(change: &UserUpdate) -> Result<UpdateChecked<'_>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let display_name = change
        .display_name
        .as_deref()
        .map(|n| check_display_name(n, &mut errors));
    let roles = change.roles.as_deref().map(|r| check_roles(r, &mut errors));
    let phone = change.phone.as_deref().map(|p| p.trim_matches(' '));
    if let Some(p) = phone
        && ((!p.is_empty() && !is_phone(p))
            || change.phone.as_deref().unwrap_or("").chars().count() > 40)
    {
        errors.push(FieldError {
            pointer: "/phone".into(),
            message: PHONE_RULE.into(),
        });
    }
    if errors.is_empty() {
        Ok(UpdateChecked {
            display_name,
            roles,
            phone,
        })
    } else {
        Err(errors)
    }
}

/// Nobody gives themselves a role or grant: one error per list that adds any.
pub fn self_grants(roles_added: &[String], grants_added: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (pointer, added) in [("/roles", roles_added), ("/grants", grants_added)] {
        if !added.is_empty() {
            errors.push(FieldError {
                pointer: pointer.into(),
                message: format!(
                    "you cannot give yourself {}; another admin has to",
                    added.join(", ")
                ),
            });
        }
    }
    errors
}

/// The fields a change names, for the audit row.
pub fn changed(change: &UserUpdate) -> Vec<&'static str> {
    [
        change.display_name.as_ref().map(|_| "display_name"),
        change.roles.as_ref().map(|_| "roles"),
        change.grants.as_ref().map(|_| "grants"),
        change.disabled.map(|_| "disabled"),
        change.phone.as_ref().map(|_| "phone"),
    ]
    .into_iter()
    .flatten()
    .collect()
}
