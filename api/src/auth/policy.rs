//! The one place that says which role may do what. Handlers ask `actor.require(Permission)`;
//! they never look at roles themselves.

use fieldline_wire::{Grant, Role};

/// Something a handler may need to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create people in one's agency, change their roles and grants, disable them, end their
    /// sessions.
    ManageUsers,
    /// Read the agency's audit log.
    ReadAuditLog,
    /// See confidential shelters' street addresses and exact points: only those of one's own
    /// agency and of agencies that name one's agency. This permission gates; the scope is the
    /// SQL rule `directory_location_exact` that every directory read applies
    /// (`directory::redact`).
    ViewConfidentialLocations,
    /// Search and read the shelter directory (everyone signed in).
    SearchDirectory,
    /// Create, edit, retire and import the agency's directory entries.
    ManageDirectory,
    /// List the agency's own directory entries, retired ones too: the housing managers who keep
    /// them, and admins who oversee the agency (read only; redacted unless granted).
    ListAgencyDirectory,
    /// Record and read the agency's crisis contacts, people and screenings.
    RecordContacts,
    /// Restrict a contact to a team (sealed records).
    SealRecords,
    /// Raise an alert and follow the ones you raised.
    RaiseAlerts,
    /// See every alert of the agency, acknowledge and resolve them.
    RespondToAlerts,
    /// Set the escalation policies.
    ManageEscalation,
}

/// Grants a role carries without an admin giving them. Coordinators dispatch to confidential
/// shelters (design: "coordinators have it by default"); housing managers keep those entries
/// and cannot do so blind. Either way only for the places the scoping rule allows (their
/// agency's, and those whose owner names their agency).
pub fn default_grants(role: Role) -> &'static [Grant] {
    match role {
        Role::Coordinator | Role::HousingManager => &[Grant::ViewConfidentialLocations],
        Role::Advocate | Role::Admin => &[],
    }
}

/// Roles plus explicit grants → is this permitted?
pub fn permits(roles: &[Role], grants: &[Grant], permission: Permission) -> bool {
    let has_role = |r: Role| roles.contains(&r);
    match permission {
        Permission::ManageUsers | Permission::ReadAuditLog => has_role(Role::Admin),
        Permission::SearchDirectory => !roles.is_empty(),
        Permission::ManageDirectory => has_role(Role::HousingManager),
        Permission::ListAgencyDirectory => has_role(Role::HousingManager) || has_role(Role::Admin),
        Permission::RecordContacts => has_role(Role::Advocate) || has_role(Role::Coordinator),
        Permission::SealRecords => has_role(Role::Admin),
        Permission::RaiseAlerts => has_role(Role::Advocate) || has_role(Role::Coordinator),
        Permission::RespondToAlerts => has_role(Role::Coordinator),
        Permission::ManageEscalation => has_role(Role::Coordinator) || has_role(Role::Admin),
        Permission::ViewConfidentialLocations => {
            grants.contains(&Grant::ViewConfidentialLocations)
                || roles
                    .iter()
                    .any(|r| default_grants(*r).contains(&Grant::ViewConfidentialLocations))
        }
    }
}

/// The roles and the grants that each give `permission` on their own, by their stored names:
/// for a statement that must decide inside the database (the directory searches decide
/// `ViewConfidentialLocations` in the same statement that checks the session, and pass it to
/// `directory_location_exact`). `permits` stays the rule; the callers check the row's roles
/// against it.
pub fn holders(permission: Permission) -> (Vec<&'static str>, Vec<&'static str>) {
    let roles = Role::ALL
        .into_iter()
        .filter(|r| permits(&[*r], &[], permission))
        .map(Role::as_str)
        .collect();
    let grants = Grant::ALL
        .into_iter()
        .filter(|g| permits(&[], &[*g], permission))
        .map(Grant::as_str)
        .collect();
    (roles, grants)
}

/// Explicit grants plus those the roles carry, sorted and without repeats.
pub fn effective_grants(roles: &[Role], grants: &[Grant]) -> Vec<Grant> {
    let mut all: Vec<Grant> = grants
        .iter()
        .copied()
        .chain(
            roles
                .iter()
                .flat_map(|r| default_grants(*r).iter().copied()),
        )
        .collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_people_and_read_the_audit_log() {
        for role in Role::ALL {
            let expected = role == Role::Admin;
            assert_eq!(
                permits(&[role], &[], Permission::ManageUsers),
                expected,
                "{role}"
            );
            assert_eq!(
                permits(&[role], &[], Permission::ReadAuditLog),
                expected,
                "{role}"
            );
        }
    }

    #[test]
    fn housing_managers_keep_the_directory_everyone_searches_it() {
        for role in Role::ALL {
            assert!(permits(&[role], &[], Permission::SearchDirectory), "{role}");
            assert_eq!(
                permits(&[role], &[], Permission::ManageDirectory),
                role == Role::HousingManager,
                "{role}"
            );
            assert_eq!(
                permits(&[role], &[], Permission::ListAgencyDirectory),
                matches!(role, Role::HousingManager | Role::Admin),
                "{role}"
            );
        }
    }

    #[test]
    fn advocates_and_coordinators_keep_contacts_admins_seal_them() {
        for role in Role::ALL {
            let field = matches!(role, Role::Advocate | Role::Coordinator);
            assert_eq!(
                permits(&[role], &[], Permission::RecordContacts),
                field,
                "{role}"
            );
            assert_eq!(
                permits(&[role], &[], Permission::SealRecords),
                role == Role::Admin,
                "{role}"
            );
        }
    }

    /// `holders` is only right for a permission that one role or one grant gives by itself:
    /// check it against `permits` for every set of roles and grants.
    #[test]
    fn holders_agree_with_permits_for_confidential_locations() {
        let p = Permission::ViewConfidentialLocations;
        let (role_names, grant_names) = holders(p);
        assert_eq!(role_names, ["coordinator", "housing_manager"]);
        assert_eq!(grant_names, ["view_confidential_locations"]);
        for role_set in 0..1u32 << Role::ALL.len() {
            for grant_set in 0..1u32 << Grant::ALL.len() {
                let roles: Vec<Role> = (0..Role::ALL.len())
                    .filter(|i| role_set & (1 << i) != 0)
                    .map(|i| Role::ALL[i])
                    .collect();
                let grants: Vec<Grant> = (0..Grant::ALL.len())
                    .filter(|i| grant_set & (1 << i) != 0)
                    .map(|i| Grant::ALL[i])
                    .collect();
                let by_holders = roles.iter().any(|r| role_names.contains(&r.as_str()))
                    || grants.iter().any(|g| grant_names.contains(&g.as_str()));
                assert_eq!(
                    by_holders,
                    permits(&roles, &grants, p),
                    "{roles:?} {grants:?}"
                );
            }
        }
    }

    #[test]
    fn confidential_locations_by_role_or_grant() {
        let p = Permission::ViewConfidentialLocations;
        assert!(permits(&[Role::Coordinator], &[], p));
        assert!(permits(&[Role::HousingManager], &[], p));
        assert!(!permits(&[Role::Advocate], &[], p));
        assert!(!permits(&[Role::Admin], &[], p));
        assert!(permits(
            &[Role::Advocate],
            &[Grant::ViewConfidentialLocations],
            p
        ));
        assert_eq!(
            effective_grants(&[Role::Coordinator], &[Grant::ViewConfidentialLocations]),
            vec![Grant::ViewConfidentialLocations]
        );
    }
}
