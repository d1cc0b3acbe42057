//! The generated authorization matrix (issue #16, "Trust").
//!
//! One test starts the real server, reads its OpenAPI document (`/v1/openapi.json`) and
//! checks **every operation** in it against one declarative table, [`MATRIX`]: for each
//! operation, the targets its path (or body) id can name — the scenarios — and the answer
//! each role expects for each of them. One request per (operation, role, scenario) cell.
//!
//! * An operation in the document without a row fails the test, and so does a row for an
//!   operation that is not in the document. Routes the router has outside the document are
//!   found in the server's source (`.route(` / `.nest(` / `SwaggerUi`) and must be listed in
//!   [`NOT_IN_DOCUMENT`]; every documented path answers 405 (the router's problem) to every
//!   method the document does not list for it.
//! * Roles: the demo agency's advocate, coordinator, housing manager and admin, and no token.
//! * Scenarios, created in set-up through the API: a record of the caller's own agency; one
//!   of the other demo agency; a sealed contact (sealed by the admin with
//!   `PUT /v1/contacts/{id}/access` to a team of `coordinator2@` only, so the advocate and the
//!   coordinator are outside it), its person and that person's safety plan; confidential
//!   directory entries of the own agency and of the other agency (shared); a colleague's
//!   records (own agency, someone else's alert, check-in, push device); an id nobody holds.
//!   A role without the permission an operation needs gets 403 whatever the id names: that
//!   check comes first and says nothing about the record. A shared directory entry of another
//!   agency is readable, so refusing to change it is 403 too; everything else of another
//!   agency is 404.
//! * Expected answers are written from the design (`Roles and scope`, `Confidential
//!   locations`, `Trust rules`) and the findings, not from today's behaviour. Today's
//!   disagreements are all listed in one failure message; those tolerated for now are in
//!   [`KNOWN_OPEN`], and an entry there fails the test as soon as the server agrees with the
//!   design (the list can only shrink).
//! * Every answer's status must be documented for its operation; today's gaps are in
//!   [`KNOWN_UNDOCUMENTED`], which can only shrink the same way.
//! * Every 401, 403 and 404 answer must be an `application/problem+json` with a `type`.
//!
//! What counts as each answer ([`Expect`]):
//! * `OK` — authorization passed: any 2xx, or a refusal of the request's content or
//!   preconditions that comes after the authorization checks: 412 (stale `If-Match`), 422
//!   (invalid fields), 428 (missing `If-Match`). Not 400, 404 or 409.
//! * `LS` / `HD` — a list or search answered 200 and the scenario's record is listed / is not
//!   (nor anything that belongs to it: its person, its plan).
//! * `EX` / `RD` — a directory read answered 200 with the scenario's confidential entry and
//!   its exact street address / with the entry but without its street address.
//! * `NX` — a directory read answered 200 without the entry's exact location (redacted or
//!   left out: the exports leave out what they may not show exactly).
//! * `UNK` — answered exactly as the same role's `Unknown` cell of the same row (a client-
//!   chosen id that collides with another agency's record must not reveal it: design,
//!   "Trust rules").
//! * `F` 403, `NF` 404, `U` 401 — problems.
//!
//! A sync page's tombstones (an id with `deleted`, for what the reader may not or no longer
//! see) do not count as showing a record; only delivered changes do.
//!
//! The whole report (every disagreement, tolerated or not, and every undocumented status,
//! also as paste-ready lists) is the failure message; on success it is printed to stderr:
//! `cargo test -p fieldline-tests --test suite authz_matrix -- --nocapture`.

use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use uuid::Uuid;

// ------------------------------------------------------------------------------------------
// Roles, targets and expected answers.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Role {
    Advocate,
    Coordinator,
    Housing,
    Admin,
    Anonymous,
}

/// The column order of every row of [`MATRIX`].
const ROLES: [Role; 5] = [
    Role::Advocate,
    Role::Coordinator,
    Role::Housing,
    Role::Admin,
    Role::Anonymous,
];

impl Role {
    fn login(self) -> Option<&'static str> {
        match self {
            Role::Advocate => Some(ADVOCATE),
            Role::Coordinator => Some(COORDINATOR),
            Role::Housing => Some(HOUSING),
            Role::Admin => Some(ADMIN),
            Role::Anonymous => None,
        }
    }
}

/// What a path (or, for operations that create with a client-chosen id, the body) names.
/// `Own*` are records of the demo agency (the callers' own), `Fresh*` likewise but made just
/// for the one cell (for operations that change or end what they name), `Other*` records of
/// the other demo agency (`FreshOther*` made just for the one cell: a create under its id
/// makes a record of the caller's agency, which later cells must not find under `Other*`),
/// `Sealed*` the sealed contact, its person and that person's plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Target {
    /// The operation names no record.
    None,
    /// An id nobody holds (for operations that create with a client-chosen id: a new one).
    Unknown,
    OwnUser,
    OtherUser,
    /// Raised by the demo advocate.
    OwnAlert,
    FreshAlert,
    /// Raised by `coordinator2@`: own agency, someone else's.
    ColleagueAlert,
    OtherAlert,
    /// Raised in the other agency for the cell.
    FreshOtherAlert,
    OwnSchedule,
    OtherSchedule,
    /// The other agency's, made for the cell.
    FreshOtherSchedule,
    /// `coordinator2@`'s calendar feed file.
    OwnFeed,
    /// A calendar feed of the caller's own, made for the cell.
    FreshFeed,
    /// Made by the demo advocate, not sealed.
    OwnContact,
    FreshContact,
    SealedContact,
    OtherContact,
    /// The other agency's, made for the cell.
    FreshOtherContact,
    /// A new contact (unknown id) whose body names a person of the other agency's (made for
    /// the cell).
    OtherPersonInBody,
    OwnPerson,
    /// A person of the caller's agency without a plan yet.
    FreshPerson,
    SealedPerson,
    OtherPerson,
    /// The demo agency's own entry (shared, not confidential).
    OwnEntry,
    FreshEntry,
    /// The other agency's shared entry (not confidential): every agency may read it.
    OtherShared,
    /// The other agency's entry, not shared.
    OtherPrivate,
    /// The demo agency's confidential entry (shared).
    ConfOwn,
    /// The other agency's confidential entry, shared (and naming no other agency).
    ConfOther,
    /// The caller's own push subscription, made for the cell.
    FreshSubscription,
    /// `coordinator2@`'s.
    ColleagueSubscription,
    OtherSubscription,
    /// The caller's own check-in, made for the cell.
    FreshCheckin,
    /// `coordinator2@`'s.
    ColleagueCheckin,
    OtherCheckin,
    /// The other agency's, made for the cell.
    FreshOtherCheckin,
    /// A second session of the caller's, made for the cell (its refresh token).
    FreshSession,
    /// An override on the demo agency's schedule, made for the cell by its coordinator.
    FreshOverride,
}

impl Target {
    fn scenario(self) -> &'static str {
        use Target::*;
        match self {
            None => "-",
            Unknown => "unknown id",
            OwnUser | OwnAlert | FreshAlert | OwnSchedule | OwnFeed | FreshFeed | OwnContact
            | FreshContact | OwnPerson | FreshPerson | OwnEntry | FreshEntry
            | FreshSubscription | FreshCheckin | FreshSession | FreshOverride => "own agency",
            ColleagueAlert | ColleagueSubscription | ColleagueCheckin => {
                "own agency, a colleague's"
            }
            SealedContact | SealedPerson => "sealed",
            OtherUser | OtherAlert | OtherSchedule | OtherContact | OtherPerson | OtherPrivate
            | OtherSubscription | OtherCheckin => "other agency",
            FreshOtherAlert | FreshOtherSchedule | FreshOtherContact | FreshOtherCheckin => {
                "other agency, made for the cell"
            }
            OtherPersonInBody => "other agency's person in the body",
            OtherShared => "other agency, shared",
            ConfOwn => "confidential, own agency",
            ConfOther => "confidential, other agency (shared)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allowed,
    Listed,
    Hidden,
    Exact,
    Redacted,
    NotExact,
    AsUnknown,
    Forbidden,
    NotFound,
    Unauthorized,
}

const OK: Expect = Expect::Allowed;
const LS: Expect = Expect::Listed;
const HD: Expect = Expect::Hidden;
const EX: Expect = Expect::Exact;
const RD: Expect = Expect::Redacted;
const NX: Expect = Expect::NotExact;
const UNK: Expect = Expect::AsUnknown;
const F: Expect = Expect::Forbidden;
const NF: Expect = Expect::NotFound;
const U: Expect = Expect::Unauthorized;

struct Row {
    method: &'static str,
    path: &'static str,
    /// Run after every other row (it changes what other cells rely on).
    last: bool,
    /// Per target: the answer of [advocate, coordinator, housing manager, admin, no token].
    cells: &'static [(Target, [Expect; 5])],
}

const fn row(
    method: &'static str,
    path: &'static str,
    cells: &'static [(Target, [Expect; 5])],
) -> Row {
    Row {
        method,
        path,
        last: false,
        cells,
    }
}

// Abbreviations for the table only.
use Target::{
    ColleagueAlert, ColleagueCheckin, ColleagueSubscription, ConfOther, ConfOwn, FreshAlert,
    FreshCheckin, FreshContact, FreshEntry, FreshFeed, FreshOtherAlert, FreshOtherCheckin,
    FreshOtherContact, FreshOtherSchedule, FreshOverride, FreshPerson, FreshSession,
    FreshSubscription, OtherAlert, OtherCheckin, OtherContact, OtherPerson, OtherPersonInBody,
    OtherPrivate, OtherSchedule, OtherShared, OtherSubscription, OtherUser, OwnAlert, OwnContact,
    OwnEntry, OwnFeed, OwnPerson, OwnSchedule, OwnUser, SealedContact, SealedPerson, Unknown,
};
const NONE: Target = Target::None;

/// The whole matrix. Columns: advocate, coordinator, housing manager, admin, no token.
#[rustfmt::skip]
static MATRIX: &[Row] = &[
    // Operations.
    row("GET", "/healthz", &[(NONE, [OK, OK, OK, OK, OK])]),
    row("GET", "/readyz", &[(NONE, [OK, OK, OK, OK, OK])]),

    // Sign-in and the signed-in user.
    row("POST", "/v1/auth/login", &[(NONE, [OK, OK, OK, OK, OK])]),
    row("POST", "/v1/auth/refresh", &[(FreshSession, [OK, OK, OK, OK, U])]),
    // Without a token the body's refresh token is unknown: signing out answers 204 anyway.
    row("POST", "/v1/auth/logout", &[(FreshSession, [OK, OK, OK, OK, OK])]),
    // Ends every other session of the caller's: run last.
    Row { method: "POST", path: "/v1/auth/password", last: true, cells: &[(NONE, [OK, OK, OK, OK, U])] },
    row("GET", "/v1/me", &[(NONE, [OK, OK, OK, OK, U])]),

    // Agency administration: admins only, of their own agency.
    row("GET", "/v1/admin/users", &[(NONE, [F, F, F, OK, U])]),
    row("POST", "/v1/admin/users", &[(NONE, [F, F, F, OK, U])]),
    row("GET", "/v1/admin/users/{id}", &[
        (OwnUser,   [F, F, F, OK, U]),
        (OtherUser, [F, F, F, NF, U]),
        (Unknown,   [F, F, F, NF, U]),
    ]),
    row("PATCH", "/v1/admin/users/{id}", &[
        (OwnUser,   [F, F, F, OK, U]),
        (OtherUser, [F, F, F, NF, U]),
        (Unknown,   [F, F, F, NF, U]),
    ]),
    row("POST", "/v1/admin/users/{id}/revoke-sessions", &[
        (OwnUser,   [F, F, F, OK, U]),
        (OtherUser, [F, F, F, NF, U]),
        (Unknown,   [F, F, F, NF, U]),
    ]),
    row("PUT", "/v1/admin/agency", &[(NONE, [F, F, F, OK, U])]),
    row("GET", "/v1/admin/audit", &[(NONE, [F, F, F, OK, U])]),
    row("GET", "/v1/admin/worker-failures", &[(NONE, [F, F, F, OK, U])]),
    row("GET", "/v1/admin/retention", &[(NONE, [F, F, F, OK, U])]),
    row("PUT", "/v1/admin/retention", &[(NONE, [F, F, F, OK, U])]),
    row("POST", "/v1/admin/retention/purge", &[(NONE, [F, F, F, OK, U])]),

    // Crisis contacts and people: advocates and coordinators; a sealed record is not found
    // outside its team; admins seal.
    row("GET", "/v1/contacts", &[
        (OwnContact,    [LS, LS, F, F, U]),
        (SealedContact, [HD, HD, F, F, U]),
        (OtherContact,  [HD, HD, F, F, U]),
    ]),
    row("GET", "/v1/contacts/{id}", &[
        (OwnContact,    [OK, OK, F, F, U]),
        (SealedContact, [NF, NF, F, F, U]),
        (OtherContact,  [NF, NF, F, F, U]),
        (Unknown,       [NF, NF, F, F, U]),
    ]),
    // An unknown id records a new contact; another agency's id must answer the same (ids are
    // scoped per agency: it records a new contact of the caller's agency).
    row("PUT", "/v1/contacts/{id}", &[
        (Unknown,       [OK, OK, F, F, U]),
        (OwnContact,    [OK, OK, F, F, U]),
        (SealedContact, [NF, NF, F, F, U]),
        (FreshOtherContact, [UNK, UNK, F, F, U]),
        (OtherPersonInBody, [UNK, UNK, F, F, U]),
    ]),
    row("PUT", "/v1/contacts/{id}/access", &[
        (FreshContact,  [F, F, F, OK, U]),
        (SealedContact, [F, F, F, OK, U]),
        (OtherContact,  [F, F, F, NF, U]),
        (Unknown,       [F, F, F, NF, U]),
    ]),
    // Searched by the person's name.
    row("GET", "/v1/persons", &[
        (OwnPerson,    [LS, LS, F, F, U]),
        (SealedPerson, [HD, HD, F, F, U]),
        (OtherPerson,  [HD, HD, F, F, U]),
    ]),
    row("GET", "/v1/sync", &[
        (OwnContact,    [LS, LS, F, F, U]),
        (SealedContact, [HD, HD, F, F, U]),
        (OtherContact,  [HD, HD, F, F, U]),
    ]),

    // Safety plans: the person's visibility decides (a sealed contact hides its person's plan).
    row("GET", "/v1/persons/{person_id}/safety-plan", &[
        (OwnPerson,    [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),
    row("PUT", "/v1/persons/{person_id}/safety-plan", &[
        (FreshPerson,  [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),
    row("GET", "/v1/persons/{person_id}/safety-plan/versions", &[
        (OwnPerson,    [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),
    row("GET", "/v1/persons/{person_id}/safety-plan/versions/{version}", &[
        (OwnPerson,    [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),
    row("GET", "/v1/persons/{person_id}/safety-plan/export.txt", &[
        (OwnPerson,    [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),
    row("GET", "/v1/persons/{person_id}/safety-plan/export.html", &[
        (OwnPerson,    [OK, OK, F, F, U]),
        (SealedPerson, [NF, NF, F, F, U]),
        (OtherPerson,  [NF, NF, F, F, U]),
        (Unknown,      [NF, NF, F, F, U]),
    ]),

    // The directory: everyone searches; housing managers keep their agency's entries; the
    // exact location of a confidential place only for its own agency's holders of
    // view_confidential_locations (coordinators, housing managers).
    row("GET", "/v1/directory/nearby", &[
        (ConfOwn,      [RD, EX, EX, RD, U]),
        (ConfOther,    [RD, RD, RD, RD, U]),
        (OtherPrivate, [HD, HD, HD, HD, U]),
    ]),
    row("GET", "/v1/directory/within", &[
        (ConfOwn,      [RD, EX, EX, RD, U]),
        (ConfOther,    [RD, RD, RD, RD, U]),
        (OtherPrivate, [HD, HD, HD, HD, U]),
    ]),
    // Exports may leave out what they may not show exactly.
    row("GET", "/v1/directory/export.csv", &[
        (ConfOwn,      [NX, EX, EX, NX, U]),
        (ConfOther,    [NX, NX, NX, NX, U]),
        (OtherPrivate, [HD, HD, HD, HD, U]),
    ]),
    row("GET", "/v1/directory/export.hsds.json", &[
        (ConfOwn,      [NX, EX, EX, NX, U]),
        (ConfOther,    [NX, NX, NX, NX, U]),
        (OtherPrivate, [HD, HD, HD, HD, U]),
    ]),
    // The agency's own entries only.
    row("GET", "/v1/directory/entries", &[
        (ConfOwn,     [F, F, EX, RD, U]),
        (ConfOther,   [F, F, HD, HD, U]),
        (OtherShared, [F, F, HD, HD, U]),
    ]),
    row("POST", "/v1/directory/entries", &[(NONE, [F, F, OK, F, U])]),
    row("GET", "/v1/directory/stale", &[(NONE, [F, F, OK, F, U])]),
    row("POST", "/v1/directory/import", &[(NONE, [F, F, OK, F, U])]),
    row("GET", "/v1/directory/entries/{id}", &[
        (OwnEntry,     [OK, OK, OK, OK, U]),
        (OtherShared,  [OK, OK, OK, OK, U]),
        (OtherPrivate, [NF, NF, NF, NF, U]),
        (ConfOwn,      [RD, EX, EX, RD, U]),
        (ConfOther,    [RD, RD, RD, RD, U]),
        (Unknown,      [NF, NF, NF, NF, U]),
    ]),
    // Changing a shared entry one can read but does not own is 403: it reveals nothing.
    row("PUT", "/v1/directory/entries/{id}", &[
        (FreshEntry,   [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (ConfOther,    [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),
    row("PATCH", "/v1/directory/entries/{id}/availability", &[
        (FreshEntry,   [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (ConfOther,    [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),
    row("GET", "/v1/directory/entries/{id}/history", &[
        (OwnEntry,     [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),
    // The other agencies the owner names for a confidential place's exact location: the
    // owning agency's housing managers only.
    row("GET", "/v1/directory/entries/{id}/exact-location-agencies", &[
        (OwnEntry,     [F, F, OK, F, U]),
        (ConfOwn,      [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (ConfOther,    [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),
    row("PUT", "/v1/directory/entries/{id}/exact-location-agencies", &[
        (FreshEntry,   [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (ConfOther,    [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),
    row("DELETE", "/v1/directory/entries/{id}", &[
        (FreshEntry,   [F, F, OK, F, U]),
        (OtherShared,  [F, F, F, F, U]),
        (ConfOther,    [F, F, F, F, U]),
        (OtherPrivate, [F, F, NF, F, U]),
        (Unknown,      [F, F, NF, F, U]),
    ]),

    // Alerts: advocates and coordinators raise; coordinators see and answer all of the
    // agency's, others the ones they raised (and nothing tells them whether others exist).
    row("GET", "/v1/alerts", &[
        (OwnAlert,       [LS, LS, F, F, U]),
        (ColleagueAlert, [HD, LS, F, F, U]),
        (OtherAlert,     [HD, HD, F, F, U]),
    ]),
    // The body's id: unknown raises a new alert; another agency's must answer the same.
    row("POST", "/v1/alerts", &[
        (Unknown,         [OK, OK, F, F, U]),
        (FreshOtherAlert, [UNK, UNK, F, F, U]),
    ]),
    row("GET", "/v1/alerts/{id}", &[
        (OwnAlert,       [OK, OK, NF, NF, U]),
        (ColleagueAlert, [NF, OK, NF, NF, U]),
        (OtherAlert,     [NF, NF, NF, NF, U]),
        (Unknown,        [NF, NF, NF, NF, U]),
    ]),
    row("POST", "/v1/alerts/{id}/acknowledge", &[
        (FreshAlert, [F, OK, F, F, U]),
        (OtherAlert, [F, NF, F, F, U]),
        (Unknown,    [F, NF, F, F, U]),
    ]),
    // The advocate raised the fresh alert and may resolve it.
    row("POST", "/v1/alerts/{id}/resolve", &[
        (FreshAlert, [OK, OK, NF, NF, U]),
        (OtherAlert, [NF, NF, NF, NF, U]),
        (Unknown,    [NF, NF, NF, NF, U]),
    ]),
    row("GET", "/v1/escalation-policies", &[(NONE, [F, OK, F, OK, U])]),
    row("PUT", "/v1/escalation-policies/{kind}", &[(NONE, [F, OK, F, OK, U])]),
    row("PUT", "/v1/escalation-policies/{kind}/{urgency}", &[(NONE, [F, OK, F, OK, U])]),

    // On call: coordinators and admins.
    row("GET", "/v1/oncall/schedules", &[
        (OwnSchedule,   [F, LS, F, LS, U]),
        (OtherSchedule, [F, HD, F, HD, U]),
    ]),
    // An unknown id creates the schedule; another agency's must answer the same.
    row("PUT", "/v1/oncall/schedules/{id}", &[
        (Unknown,            [F, OK, F, OK, U]),
        (OwnSchedule,        [F, OK, F, OK, U]),
        (FreshOtherSchedule, [F, UNK, F, UNK, U]),
    ]),
    row("GET", "/v1/oncall/schedules/{id}/on-call", &[
        (OwnSchedule,   [F, OK, F, OK, U]),
        (OtherSchedule, [F, NF, F, NF, U]),
        (Unknown,       [F, NF, F, NF, U]),
    ]),
    row("GET", "/v1/oncall/schedules/{id}/shifts", &[
        (OwnSchedule,   [F, OK, F, OK, U]),
        (OtherSchedule, [F, NF, F, NF, U]),
        (Unknown,       [F, NF, F, NF, U]),
    ]),
    row("POST", "/v1/oncall/schedules/{id}/overrides", &[
        (OwnSchedule,   [F, OK, F, OK, U]),
        (OtherSchedule, [F, NF, F, NF, U]),
        (Unknown,       [F, NF, F, NF, U]),
    ]),
    row("DELETE", "/v1/oncall/overrides/{id}", &[
        (FreshOverride, [F, OK, F, OK, U]),
        (Unknown,       [F, NF, F, NF, U]),
    ]),
    row("GET", "/v1/oncall/me/shifts", &[(NONE, [OK, OK, OK, OK, U])]),
    row("GET", "/v1/oncall/me/calendar-feed", &[(NONE, [OK, OK, OK, OK, U])]),
    row("POST", "/v1/oncall/me/calendar-feed", &[(NONE, [OK, OK, OK, OK, U])]),
    row("DELETE", "/v1/oncall/me/calendar-feed", &[(FreshFeed, [OK, OK, OK, OK, U])]),
    // The feed's secret file name is the credential: no token needed.
    row("GET", "/v1/oncall/calendar/{file}", &[
        (OwnFeed, [OK, OK, OK, OK, OK]),
        (Unknown, [NF, NF, NF, NF, NF]),
    ]),

    // Web Push: every signed-in person registers their own devices.
    row("GET", "/v1/push/vapid-public-key", &[(NONE, [OK, OK, OK, OK, OK])]),
    row("GET", "/v1/push/subscriptions", &[(NONE, [OK, OK, OK, OK, U])]),
    row("POST", "/v1/push/subscriptions", &[(NONE, [OK, OK, OK, OK, U])]),
    row("DELETE", "/v1/push/subscriptions/{id}", &[
        (FreshSubscription,     [OK, OK, OK, OK, U]),
        (ColleagueSubscription, [NF, NF, NF, NF, U]),
        (OtherSubscription,     [NF, NF, NF, NF, U]),
        (Unknown,           [NF, NF, NF, NF, U]),
    ]),
    row("POST", "/v1/push/test", &[(NONE, [OK, OK, OK, OK, U])]),
    row("GET", "/v1/push/parked", &[(NONE, [F, F, F, OK, U])]),

    // Advocate safety: those who raise alerts check in.
    row("PUT", "/v1/safety/duress-code", &[(NONE, [OK, OK, F, F, U])]),
    // The body's id: unknown starts a check-in; another agency's must answer the same.
    row("POST", "/v1/safety/checkins", &[
        (Unknown,           [OK, OK, F, F, U]),
        (FreshOtherCheckin, [UNK, UNK, F, F, U]),
    ]),
    row("POST", "/v1/safety/checkins/{id}/extend", &[
        (FreshCheckin,     [OK, OK, F, F, U]),
        (ColleagueCheckin, [NF, NF, F, F, U]),
        (OtherCheckin,     [NF, NF, F, F, U]),
        (Unknown,          [NF, NF, F, F, U]),
    ]),
    row("POST", "/v1/safety/checkins/{id}/location", &[
        (FreshCheckin,     [OK, OK, F, F, U]),
        (ColleagueCheckin, [NF, NF, F, F, U]),
        (OtherCheckin,     [NF, NF, F, F, U]),
        (Unknown,          [NF, NF, F, F, U]),
    ]),
    row("POST", "/v1/safety/checkins/{id}/checkout", &[
        (FreshCheckin,     [OK, OK, F, F, U]),
        (ColleagueCheckin, [NF, NF, F, F, U]),
        (OtherCheckin,     [NF, NF, F, F, U]),
        (Unknown,          [NF, NF, F, F, U]),
    ]),
    // The body's id is the alert's: another agency's alert id must answer as an unknown one.
    row("POST", "/v1/safety/duress", &[
        (Unknown,         [OK, OK, F, F, U]),
        (FreshOtherAlert, [UNK, UNK, F, F, U]),
    ]),
];

/// Today's disagreements with the design that the test tolerates for now: (method, path,
/// role, target). Each is a bug for someone to fix; an entry fails the test as soon as its
/// cell agrees with the design, so the list can only shrink.
#[rustfmt::skip]
const KNOWN_OPEN: &[(&str, &str, Role, Target)] = &[];

/// Statuses the server answers that the OpenAPI document does not list for the operation:
/// (method, path, status). An entry fails the test once it is documented or no longer
/// answered, so the list can only shrink.
#[rustfmt::skip]
const KNOWN_UNDOCUMENTED: &[(&str, &str, u16)] = &[];

/// Routes the router serves outside the OpenAPI document, as written in the server's source.
const NOT_IN_DOCUMENT: &[&str] = &["/app", "/app/", "/app/{*path}", "/docs", "/v1/openapi.json"];

/// Routes in the server's source served on a listener of their own, never on the API's
/// address (`FIELDLINE_METRICS_BIND`): the API answers them with its fallback 404.
const ON_THEIR_OWN_LISTENER: &[&str] = &["/metrics"];

// ------------------------------------------------------------------------------------------
// HTTP.

enum Body {
    Empty,
    Json(Value),
    Csv(String),
}

struct Req {
    query: String,
    body: Body,
    if_match: Option<String>,
}

impl Req {
    fn none() -> Req {
        Req {
            query: String::new(),
            body: Body::Empty,
            if_match: None,
        }
    }
    fn json(v: Value) -> Req {
        Req {
            body: Body::Json(v),
            ..Req::none()
        }
    }
    fn query(q: impl Into<String>) -> Req {
        Req {
            query: q.into(),
            ..Req::none()
        }
    }
}

struct Answer {
    status: u16,
    content_type: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn send(
    server: &TestServer,
    token: Option<&str>,
    method: &str,
    path_and_query: &str,
    req: Req,
) -> Answer {
    let mut r = raw().request(method.parse().unwrap(), server.url(path_and_query));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(m) = &req.if_match {
        r = r.header("if-match", m);
    }
    r = match req.body {
        Body::Empty => r,
        Body::Json(v) => r.json(&v),
        Body::Csv(s) => r.header("content-type", "text/csv").body(s),
    };
    let res = r.send().await.unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = res.text().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        text,
    }
}

// ------------------------------------------------------------------------------------------
// Set-up: every scenario's records, made through the API.

/// A record a cell names: the id for its path (or body), what marks it in a list, and for
/// confidential entries the street address only an exact answer carries.
#[derive(Clone, Debug, Default)]
struct Resolved {
    id: String,
    /// Present in a list that shows the record.
    primary: String,
    /// Also absent from a list that hides it (its person, its plan).
    related: Vec<String>,
    /// Only in an exact answer.
    secret: Option<String>,
    /// The record's version, for `If-Match`.
    version: Option<i64>,
    /// Extra, per target (a person's name to search by, a search point).
    name: String,
    point: Option<(f64, f64)>,
    /// The person a new contact's body names (else a new one).
    person: Option<String>,
}

struct Ctx<'a> {
    server: &'a TestServer,
    tokens: HashMap<Role, String>,
    coord2_id: Uuid,
    coordinator_id: Uuid,
    /// The other agency's advocate and admin, for its records made per cell.
    other_advocate: String,
    other_admin: String,
    other_advocate_id: Uuid,
    fixed: HashMap<Target, Resolved>,
    /// The CSV header the import cell sends (no rows).
    csv_header: String,
}

/// Set-up requests must succeed.
async fn setup(
    server: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let req = match body {
        Some(b) => Req::json(b),
        None => Req::none(),
    };
    let a = send(server, Some(token), method, path, req).await;
    assert!(
        (200..300).contains(&a.status),
        "set-up {method} {path}: {} {}",
        a.status,
        a.text
    );
    a.json()
}

async fn login_token(server: &TestServer, email: &str) -> (String, String) {
    let a = send(
        server,
        None,
        "POST",
        "/v1/auth/login",
        Req::json(json!({"email": email, "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(a.status, 200, "login {email}: {}", a.text);
    let v = a.json();
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn tag() -> String {
    Uuid::new_v4().simple().to_string()[..8].to_owned()
}

fn contact_body(person: Uuid, name: &str) -> Value {
    json!({
        "occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "setting": "on_scene",
        "incident_type": "domestic_violence",
        "person": {"id": person, "pseudonym": format!("Client {}", tag()), "name": name},
        "status": "open",
    })
}

fn plan_body() -> Value {
    json!({"warning_signs": ["Matrix warning sign"], "code_word": "matrix"})
}

/// Matrix entries sit far from the demo's shelters, so their searches find only them.
const AREA: (f64, f64) = (10.0, 10.0);
/// Where entries made for one cell go (out of the area's searches).
const ELSEWHERE: (f64, f64) = (-20.0, -20.0);

fn entry_body(name: &str, street: &str, at: (f64, f64), confidential: bool, shared: bool) -> Value {
    json!({
        "name": name, "kind": "shelter", "organization": "Matrix Org",
        "location": {"latitude": at.0, "longitude": at.1},
        "address": {"street": street, "locality": "Matrixville", "region": "UT", "postal_code": "84000", "country": "US"},
        "intake_phone": "+1 801-555-0100",
        "hours": {"time_zone": "UTC", "open_24_7": true, "spans": []},
        "capacity": 10, "beds_available": 3, "status": "open",
        "confidential": confidential, "shared": shared,
    })
}

const P256DH: &str =
    "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";

fn subscription_body() -> Value {
    json!({
        "endpoint": format!("https://push.example.test/matrix/{}", Uuid::new_v4()),
        "keys": {"p256dh": P256DH, "auth": "tBHItJI5svbpez7KI4CCXg"},
    })
}

fn checkin_body(id: &str) -> Value {
    json!({"id": id, "expected_end_at": (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339()})
}

fn new_user_body(email: &str, role: &str) -> Value {
    json!({"email": email, "display_name": "Matrix Person", "password": "correct horse battery", "roles": [role]})
}

impl<'a> Ctx<'a> {
    fn token(&self, role: Role) -> Option<&str> {
        self.tokens.get(&role).map(String::as_str)
    }

    /// Who makes a cell's own record: the caller if their role may, else the advocate.
    fn maker(&self, role: Role, may: &[Role]) -> &str {
        if may.contains(&role) {
            self.token(role).unwrap()
        } else {
            self.token(Role::Advocate).unwrap()
        }
    }

    async fn new(server: &'a TestServer) -> Ctx<'a> {
        let mut tokens = HashMap::new();
        for role in ROLES {
            if let Some(email) = role.login() {
                tokens.insert(role, login_token(server, email).await.0);
            }
        }
        let s = server;
        let (coord2, _) = login_token(s, "coordinator2@demo.fieldline.test").await;
        let (other_advocate, _) = login_token(s, OTHER_ADVOCATE).await;
        let (other_admin, _) = login_token(s, OTHER_ADMIN).await;
        // The other agency's housing manager, made by its admin.
        let other_housing_email = format!("housing-{}@other.fieldline.test", tag());
        setup(
            s,
            &other_admin,
            "POST",
            "/v1/admin/users",
            Some(new_user_body(&other_housing_email, "housing_manager")),
        )
        .await;
        let other_housing = send(
            s,
            None,
            "POST",
            "/v1/auth/login",
            Req::json(json!({"email": other_housing_email, "password": "correct horse battery"})),
        )
        .await
        .json()["access_token"]
            .as_str()
            .expect("other housing manager signs in")
            .to_owned();
        let coordinator_id = s.user_id(COORDINATOR).await;
        let coord2_id = s.user_id("coordinator2@demo.fieldline.test").await;
        let other_advocate_id = s.user_id(OTHER_ADVOCATE).await;
        let admin = tokens[&Role::Admin].clone();
        let advocate = tokens[&Role::Advocate].clone();
        let coordinator = tokens[&Role::Coordinator].clone();
        let housing = tokens[&Role::Housing].clone();

        let mut fixed: HashMap<Target, Resolved> = HashMap::new();
        let plain = |id: String| Resolved {
            primary: id.clone(),
            id,
            ..Default::default()
        };

        // Users: a spare one of the demo agency (renamed and signed out by cells), and the
        // other agency's advocate.
        let spare = setup(
            s,
            &admin,
            "POST",
            "/v1/admin/users",
            Some(new_user_body(
                &format!("spare-{}@demo.fieldline.test", tag()),
                "advocate",
            )),
        )
        .await;
        fixed.insert(
            Target::OwnUser,
            plain(spare["id"].as_str().unwrap().to_owned()),
        );
        fixed.insert(Target::OtherUser, plain(other_advocate_id.to_string()));

        // Contacts, people and plans: own (the advocate's), sealed (coordinator2's, sealed to
        // coordinator2 alone), other agency's.
        for (target, person_target, token) in [
            (Target::OwnContact, Target::OwnPerson, &advocate),
            (Target::SealedContact, Target::SealedPerson, &coord2),
            (Target::OtherContact, Target::OtherPerson, &other_advocate),
        ] {
            let contact = Uuid::new_v4();
            let person = Uuid::new_v4();
            let name = format!("Matrixname {} Quintana", tag());
            setup(
                s,
                token,
                "PUT",
                &format!("/v1/contacts/{contact}"),
                Some(contact_body(person, &name)),
            )
            .await;
            let plan = setup(
                s,
                token,
                "PUT",
                &format!("/v1/persons/{person}/safety-plan"),
                Some(plan_body()),
            )
            .await;
            let plan_id = plan["id"].as_str().unwrap_or_default().to_owned();
            fixed.insert(
                target,
                Resolved {
                    id: contact.to_string(),
                    primary: contact.to_string(),
                    related: vec![person.to_string(), plan_id.clone()],
                    name: name.clone(),
                    ..Default::default()
                },
            );
            fixed.insert(
                person_target,
                Resolved {
                    id: person.to_string(),
                    primary: person.to_string(),
                    related: vec![contact.to_string(), plan_id],
                    version: Some(1),
                    name,
                    ..Default::default()
                },
            );
        }
        let sealed = fixed[&Target::SealedContact].id.clone();
        setup(
            s,
            &admin,
            "PUT",
            &format!("/v1/contacts/{sealed}/access"),
            Some(json!({"sealed": true, "team": [coord2_id]})),
        )
        .await;

        // Alerts: the demo advocate's, a colleague's and the other agency's.
        for (target, token) in [
            (Target::OwnAlert, &advocate),
            (Target::ColleagueAlert, &coord2),
            (Target::OtherAlert, &other_advocate),
        ] {
            let id = Uuid::new_v4().to_string();
            setup(
                s,
                token,
                "POST",
                "/v1/alerts",
                Some(json!({"id": id, "kind": "next_of_kin"})),
            )
            .await;
            fixed.insert(target, plain(id));
        }

        // Schedules.
        for (target, token, user) in [
            (Target::OwnSchedule, &coordinator, coordinator_id),
            (Target::OtherSchedule, &other_admin, other_advocate_id),
        ] {
            let id = Uuid::new_v4().to_string();
            setup(
                s,
                token,
                "PUT",
                &format!("/v1/oncall/schedules/{id}"),
                Some(schedule_body(user)),
            )
            .await;
            fixed.insert(target, plain(id));
        }

        // coordinator2's calendar feed (no cell's caller rotates it).
        let feed = setup(s, &coord2, "POST", "/v1/oncall/me/calendar-feed", None).await;
        let file = feed["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        fixed.insert(Target::OwnFeed, plain(file));

        // Check-ins and push subscriptions of a colleague (coordinator2) and of the other
        // agency.
        for (checkin_target, sub_target, token) in [
            (
                Target::ColleagueCheckin,
                Target::ColleagueSubscription,
                &coord2,
            ),
            (
                Target::OtherCheckin,
                Target::OtherSubscription,
                &other_advocate,
            ),
        ] {
            let checkin = Uuid::new_v4().to_string();
            setup(
                s,
                token,
                "POST",
                "/v1/safety/checkins",
                Some(checkin_body(&checkin)),
            )
            .await;
            fixed.insert(checkin_target, plain(checkin));
            let sub = setup(
                s,
                token,
                "POST",
                "/v1/push/subscriptions",
                Some(subscription_body()),
            )
            .await;
            fixed.insert(sub_target, plain(sub["id"].as_str().unwrap().to_owned()));
        }

        // Directory entries in the matrix's own area.
        for (i, (target, token, confidential, shared)) in [
            (Target::OwnEntry, &housing, false, true),
            (Target::ConfOwn, &housing, true, true),
            (Target::OtherShared, &other_housing, false, true),
            (Target::OtherPrivate, &other_housing, false, false),
            (Target::ConfOther, &other_housing, true, true),
        ]
        .into_iter()
        .enumerate()
        {
            let name = format!("Matrix {target:?} {}", tag());
            let street = format!("{} Hideaway Lane {}", 100 + i, tag());
            let at = (AREA.0 + 0.001 * i as f64, AREA.1 + 0.001 * i as f64);
            let e = setup(
                s,
                token,
                "POST",
                "/v1/directory/entries",
                Some(entry_body(&name, &street, at, confidential, shared)),
            )
            .await;
            fixed.insert(
                target,
                Resolved {
                    id: e["id"].as_str().unwrap().to_owned(),
                    primary: name.clone(),
                    secret: Some(street),
                    version: e["version"].as_i64(),
                    name,
                    point: Some(at),
                    ..Default::default()
                },
            );
        }

        // A retention period, so purging is possible (nothing is old enough to go).
        setup(
            s,
            &admin,
            "PUT",
            "/v1/admin/retention",
            Some(json!({"closed_contact_retention_days": 3650})),
        )
        .await;

        let csv = send(
            s,
            Some(&housing),
            "GET",
            "/v1/directory/export.csv",
            Req::none(),
        )
        .await;
        let csv_header = csv.text.lines().next().unwrap_or_default().to_owned() + "\n";

        Ctx {
            server,
            tokens,
            coord2_id,
            coordinator_id,
            other_advocate,
            other_admin,
            other_advocate_id,
            fixed,
            csv_header,
        }
    }

    /// The record a cell names: a fixed one, or one made for this cell alone.
    async fn resolve(&self, target: Target, role: Role) -> Resolved {
        let s = self.server;
        let fresh = |id: String| Resolved {
            primary: id.clone(),
            id,
            ..Default::default()
        };
        let field = [Role::Advocate, Role::Coordinator];
        match target {
            Target::None => Resolved::default(),
            Target::Unknown => fresh(Uuid::new_v4().to_string()),
            Target::FreshAlert => {
                let id = Uuid::new_v4().to_string();
                let t = self.token(Role::Advocate).unwrap();
                setup(
                    s,
                    t,
                    "POST",
                    "/v1/alerts",
                    Some(json!({"id": id, "kind": "next_of_kin"})),
                )
                .await;
                fresh(id)
            }
            Target::FreshFeed => {
                if let Some(t) = self.token(role) {
                    setup(s, t, "POST", "/v1/oncall/me/calendar-feed", None).await;
                }
                Resolved::default()
            }
            Target::FreshContact => {
                let id = Uuid::new_v4();
                let t = self.token(Role::Advocate).unwrap();
                setup(
                    s,
                    t,
                    "PUT",
                    &format!("/v1/contacts/{id}"),
                    Some(contact_body(Uuid::new_v4(), "Fresh Matrixperson")),
                )
                .await;
                fresh(id.to_string())
            }
            Target::FreshPerson => {
                let person = Uuid::new_v4();
                setup(
                    s,
                    self.maker(role, &field),
                    "PUT",
                    &format!("/v1/contacts/{}", Uuid::new_v4()),
                    Some(contact_body(person, "Fresh Matrixperson")),
                )
                .await;
                fresh(person.to_string())
            }
            Target::FreshEntry => {
                let t = self.token(Role::Housing).unwrap();
                let name = format!("Matrix fresh {}", tag());
                let e = setup(
                    s,
                    t,
                    "POST",
                    "/v1/directory/entries",
                    Some(entry_body(&name, "1 Fresh Street", ELSEWHERE, false, true)),
                )
                .await;
                Resolved {
                    id: e["id"].as_str().unwrap().to_owned(),
                    primary: name,
                    version: e["version"].as_i64(),
                    ..Default::default()
                }
            }
            Target::FreshSubscription => {
                let t = self.maker(
                    role,
                    &[
                        Role::Advocate,
                        Role::Coordinator,
                        Role::Housing,
                        Role::Admin,
                    ],
                );
                let v = setup(
                    s,
                    t,
                    "POST",
                    "/v1/push/subscriptions",
                    Some(subscription_body()),
                )
                .await;
                fresh(v["id"].as_str().unwrap().to_owned())
            }
            Target::FreshCheckin => {
                let id = Uuid::new_v4().to_string();
                setup(
                    s,
                    self.maker(role, &field),
                    "POST",
                    "/v1/safety/checkins",
                    Some(checkin_body(&id)),
                )
                .await;
                fresh(id)
            }
            Target::FreshOverride => {
                let schedule = &self.fixed[&Target::OwnSchedule].id;
                let t = self.token(Role::Coordinator).unwrap();
                let made = send(
                    s,
                    Some(t),
                    "POST",
                    &format!("/v1/oncall/schedules/{schedule}/overrides"),
                    Req::json(json!({"user_id": self.coordinator_id,
                        "start_at": "2026-11-04T00:00:00Z", "end_at": "2026-11-04T12:00:00Z"})),
                )
                .await;
                assert_eq!(made.status, 201, "making an override: {}", made.text);
                fresh(made.json()["override_id"].as_str().unwrap().to_owned())
            }
            Target::OtherPersonInBody => {
                let person = Uuid::new_v4();
                setup(
                    s,
                    &self.other_advocate,
                    "PUT",
                    &format!("/v1/contacts/{}", Uuid::new_v4()),
                    Some(contact_body(person, "Other Matrixperson")),
                )
                .await;
                Resolved {
                    person: Some(person.to_string()),
                    ..fresh(Uuid::new_v4().to_string())
                }
            }
            Target::FreshOtherContact => {
                let id = Uuid::new_v4();
                setup(
                    s,
                    &self.other_advocate,
                    "PUT",
                    &format!("/v1/contacts/{id}"),
                    Some(contact_body(Uuid::new_v4(), "Other Matrixperson")),
                )
                .await;
                fresh(id.to_string())
            }
            Target::FreshOtherAlert => {
                let id = Uuid::new_v4().to_string();
                setup(
                    s,
                    &self.other_advocate,
                    "POST",
                    "/v1/alerts",
                    Some(json!({"id": id, "kind": "next_of_kin"})),
                )
                .await;
                fresh(id)
            }
            Target::FreshOtherSchedule => {
                let id = Uuid::new_v4().to_string();
                setup(
                    s,
                    &self.other_admin,
                    "PUT",
                    &format!("/v1/oncall/schedules/{id}"),
                    Some(schedule_body(self.other_advocate_id)),
                )
                .await;
                fresh(id)
            }
            Target::FreshOtherCheckin => {
                let id = Uuid::new_v4().to_string();
                setup(
                    s,
                    &self.other_advocate,
                    "POST",
                    "/v1/safety/checkins",
                    Some(checkin_body(&id)),
                )
                .await;
                fresh(id)
            }
            Target::FreshSession => match role.login() {
                Some(email) => fresh(login_token(s, email).await.1),
                None => fresh(format!("not-a-refresh-token-{}", tag())),
            },
            other => self
                .fixed
                .get(&other)
                .unwrap_or_else(|| panic!("no fixture for {other:?}"))
                .clone(),
        }
    }

    /// The query, body and headers of one cell's request (authorization does not depend on
    /// them: they are whatever makes the request otherwise acceptable).
    fn request(&self, row: &Row, role: Role, t: &Resolved) -> Req {
        let near = |p: Option<(f64, f64)>| p.unwrap_or(AREA);
        match (row.method, row.path) {
            ("POST", "/v1/auth/login") => Req::json(json!({
                "email": role.login().unwrap_or(ADVOCATE), "password": DEMO_PASSWORD})),
            ("POST", "/v1/auth/refresh") | ("POST", "/v1/auth/logout") => {
                Req::json(json!({"refresh_token": t.id}))
            }
            ("POST", "/v1/auth/password") => Req::json(json!({
                "current_password": DEMO_PASSWORD, "new_password": DEMO_PASSWORD})),
            ("POST", "/v1/admin/users") => Req::json(new_user_body(
                &format!("new-{}@demo.fieldline.test", tag()),
                "advocate",
            )),
            ("PATCH", "/v1/admin/users/{id}") => {
                Req::json(json!({"display_name": format!("Renamed {}", tag())}))
            }
            ("PUT", "/v1/admin/agency") => {
                Req::json(json!({"coordinator_fallback_phone": "+1 801-555-0100"}))
            }
            ("PUT", "/v1/admin/retention") => {
                Req::json(json!({"closed_contact_retention_days": 3650}))
            }
            ("GET", "/v1/contacts") => Req::query("?limit=200"),
            ("PUT", "/v1/contacts/{id}") => {
                let person = t
                    .person
                    .as_deref()
                    .map_or_else(Uuid::new_v4, |p| p.parse().unwrap());
                Req::json(contact_body(person, &format!("Matrixcell {}", tag())))
            }
            ("PUT", "/v1/contacts/{id}/access") => {
                Req::json(json!({"sealed": true, "team": [self.coord2_id]}))
            }
            ("GET", "/v1/persons") => Req::query(format!("?name={}", t.name.replace(' ', "+"))),
            ("GET", "/v1/sync") => Req::query("?limit=500"),
            ("PUT", "/v1/persons/{person_id}/safety-plan") => Req {
                if_match: t.version.map(|v| format!("\"{v}\"")),
                ..Req::json(plan_body())
            },
            ("GET", "/v1/directory/nearby") => {
                let (lat, lon) = near(t.point);
                Req::query(format!(
                    "?latitude={lat}&longitude={lon}&radius_m=20000&limit=100"
                ))
            }
            ("GET", "/v1/directory/within") => Req::query(format!(
                "?west={}&south={}&east={}&north={}&limit=100",
                AREA.1 - 0.5,
                AREA.0 - 0.5,
                AREA.1 + 0.5,
                AREA.0 + 0.5
            )),
            ("GET", "/v1/directory/entries") => Req::query("?limit=500"),
            ("POST", "/v1/directory/entries") => Req::json(entry_body(
                &format!("Matrix new {}", tag()),
                "2 New Street",
                ELSEWHERE,
                false,
                true,
            )),
            ("POST", "/v1/directory/import") => Req {
                body: Body::Csv(self.csv_header.clone()),
                ..Req::none()
            },
            ("PUT", "/v1/directory/entries/{id}") => Req {
                if_match: Some(format!("\"{}\"", t.version.unwrap_or(1))),
                ..Req::json(entry_body(
                    &format!("Matrix changed {}", tag()),
                    "3 Changed Street",
                    ELSEWHERE,
                    false,
                    true,
                ))
            },
            ("DELETE", "/v1/directory/entries/{id}") => Req {
                if_match: Some(format!("\"{}\"", t.version.unwrap_or(1))),
                ..Req::none()
            },
            ("PATCH", "/v1/directory/entries/{id}/availability") => {
                Req::json(json!({"beds_available": 2}))
            }
            ("PUT", "/v1/directory/entries/{id}/exact-location-agencies") => {
                Req::json(json!({"agencies": []}))
            }
            ("POST", "/v1/alerts") => Req::json(json!({"id": t.id, "kind": "next_of_kin"})),
            ("PUT", "/v1/escalation-policies/{kind}")
            | ("PUT", "/v1/escalation-policies/{kind}/{urgency}") => Req::json(json!({
                "name": "Matrix", "levels": [{"delay_minutes": 5, "user_ids": [self.coordinator_id]}]})),
            ("PUT", "/v1/oncall/schedules/{id}") => Req::json(schedule_body(self.coordinator_id)),
            ("GET", "/v1/oncall/schedules/{id}/shifts") => {
                Req::query("?from=2026-10-26T00:00:00Z&to=2026-11-20T00:00:00Z")
            }
            ("POST", "/v1/oncall/schedules/{id}/overrides") => Req::json(json!({
                "user_id": self.coordinator_id,
                "start_at": "2026-11-03T00:00:00Z", "end_at": "2026-11-03T12:00:00Z"})),
            ("POST", "/v1/push/subscriptions") => Req::json(subscription_body()),
            ("PUT", "/v1/safety/duress-code") => Req::json(json!({"code": "matrix-duress"})),
            ("POST", "/v1/safety/checkins") => Req::json(checkin_body(&t.id)),
            ("POST", "/v1/safety/checkins/{id}/extend") => Req::json(json!({
                "expected_end_at": (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339()})),
            ("POST", "/v1/safety/checkins/{id}/location") => Req::json(json!({
                "latitude": 40.2501, "longitude": -111.6492, "precision_m": 15})),
            ("POST", "/v1/safety/checkins/{id}/checkout") => Req::json(json!({})),
            ("POST", "/v1/safety/duress") => Req::json(json!({"id": t.id})),
            _ => Req::none(),
        }
    }
}

fn schedule_body(user: Uuid) -> Value {
    json!({"name": "Matrix nights", "time_zone": "America/Denver", "user_ids": [user],
           "shift_days": 7, "handoff_time": "09:00", "start_date": "2026-10-26"})
}

/// The path with the target's id in it. A calendar feed's file is its secret token with
/// `.ics` (an unknown one too, so it is refused for the token, not the name).
fn fill_path(path: &str, t: &Resolved) -> String {
    let file = if t.id.ends_with(".ics") {
        t.id.clone()
    } else {
        format!("{}.ics", t.id)
    };
    path.replace("{id}", &t.id)
        .replace("{person_id}", &t.id)
        .replace("{file}", &file)
        .replace("{version}", "1")
        .replace("{kind}", "next_of_kin")
        .replace("{urgency}", "high")
}

// ------------------------------------------------------------------------------------------
// Judging answers.

/// The part of an answer that shows records. Sync answers also carry tombstones (an id and
/// `deleted`) for records the reader may not or no longer see, by design: only the changes
/// that deliver a record show it.
fn shown(path: &str, a: &Answer) -> String {
    if path != "/v1/sync" {
        return a.text.clone();
    }
    let v = a.json();
    let delivered: Vec<&Value> = v["changes"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["deleted"] != json!(true)).collect())
        .unwrap_or_default();
    serde_json::to_string(&delivered).unwrap()
}

fn agrees(expect: Expect, a: &Answer, text: &str, t: &Resolved) -> bool {
    let listed = text.contains(&t.primary);
    let none_related = !t.related.iter().any(|r| !r.is_empty() && text.contains(r));
    let secret = t.secret.as_ref().is_some_and(|s| text.contains(s));
    match expect {
        Expect::Allowed => (200..300).contains(&a.status) || [412, 422, 428].contains(&a.status),
        Expect::Listed => a.status == 200 && listed,
        Expect::Hidden => a.status == 200 && !listed && none_related && !secret,
        Expect::Exact => a.status == 200 && listed && secret,
        Expect::Redacted => a.status == 200 && listed && !secret,
        Expect::NotExact => a.status == 200 && !secret,
        Expect::Forbidden => a.status == 403,
        Expect::NotFound => a.status == 404,
        Expect::Unauthorized => a.status == 401,
        Expect::AsUnknown => unreachable!("judged against the Unknown cell"),
    }
}

/// What an answer was, in the table's terms, for the failure message.
fn describe(expect: Expect, a: &Answer, text: &str, t: &Resolved) -> String {
    let mut d = a.status.to_string();
    let about_content = matches!(
        expect,
        Expect::Listed | Expect::Hidden | Expect::Exact | Expect::Redacted | Expect::NotExact
    );
    if a.status == 200 && about_content && !t.primary.is_empty() {
        let listed = text.contains(&t.primary);
        let secret = t.secret.as_ref().is_some_and(|s| text.contains(s));
        d += match (listed, secret) {
            (true, true) => " (listed, exact location)",
            (true, false) if t.secret.is_some() => " (listed, redacted)",
            (true, false) => " (listed)",
            (false, true) => " (exact location)",
            (false, false) if t.related.iter().any(|r| !r.is_empty() && text.contains(r)) => {
                " (not listed, but its person or plan is)"
            }
            (false, false) => " (not listed)",
        };
    }
    if a.status >= 400 {
        let v = a.json();
        if let Some(detail) = v["detail"].as_str().or(v["title"].as_str()) {
            let _ = write!(d, " \"{detail}\"");
        }
    }
    d
}

struct Cell {
    method: &'static str,
    path: &'static str,
    role: Role,
    target: Target,
    expect: Expect,
    got: String,
}

/// The operations of the OpenAPI document: (METHOD, path) → documented statuses.
fn operations(doc: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            if ![
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                continue;
            }
            let statuses = op["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            ops.insert((method.to_uppercase(), path.clone()), statuses);
        }
    }
    ops
}

/// Route paths written in the server's source outside utoipa's `routes!` (which put every
/// route they add into the document): `.route("…"`, `.nest("…"`, `SwaggerUi::new("…")` and
/// its `.url("…"` or `.external_url_unchecked("…"`.
fn routes_in_source(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_in_source(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            "SwaggerUi::new(",
            ".url(",
            ".external_url_unchecked(",
        ] {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(needle) {
                rest = &rest[i + needle.len()..];
                let trimmed = rest.trim_start();
                if let Some(lit) = trimmed.strip_prefix('"')
                    && let Some(end) = lit.find('"')
                {
                    found.insert(lit[..end].to_owned());
                }
            }
        }
    }
}

fn is_problem(a: &Answer) -> bool {
    a.content_type.starts_with("application/problem+json")
        && a.json()["type"].as_str().is_some_and(|t| !t.is_empty())
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn every_operation_answers_every_role_and_scenario_as_the_design_says(db: PgPool) {
    let started = std::time::Instant::now();
    let server = TestServer::start(db).await;
    let doc = send(&server, None, "GET", "/v1/openapi.json", Req::none())
        .await
        .json();
    let ops = operations(&doc);
    let mut failures: Vec<String> = Vec::new();

    // The table and the document name the same operations.
    let mut rows: BTreeMap<(String, String), &Row> = BTreeMap::new();
    for r in MATRIX {
        let key = (r.method.to_owned(), r.path.to_owned());
        if rows.insert(key, r).is_some() {
            failures.push(format!("two rows for {} {}", r.method, r.path));
        }
        let mut targets = BTreeSet::new();
        for (t, expects) in r.cells {
            if !targets.insert(*t) {
                failures.push(format!("{} {}: {t:?} twice", r.method, r.path));
            }
            if expects.contains(&UNK) && !r.cells.iter().any(|(u, _)| *u == Target::Unknown) {
                failures.push(format!(
                    "{} {}: UNK needs an Unknown cell to compare with",
                    r.method, r.path
                ));
            }
        }
    }
    for key in ops.keys() {
        if !rows.contains_key(key) {
            failures.push(format!(
                "{} {} is in the OpenAPI document but has no row in MATRIX: add one",
                key.0, key.1
            ));
        }
    }
    for key in rows.keys() {
        if !ops.contains_key(key) {
            failures.push(format!(
                "MATRIX has a row for {} {}, which is not in the OpenAPI document",
                key.0, key.1
            ));
        }
    }

    // The router against the document: routes in the source outside the document are the
    // known ones; every documented path refuses the methods it does not document.
    let mut in_source = BTreeSet::new();
    routes_in_source(&repo_root().join("api/src"), &mut in_source);
    let doc_paths: BTreeSet<&str> = ops.keys().map(|(_, p)| p.as_str()).collect();
    for p in &in_source {
        if !doc_paths.contains(p.as_str())
            && !NOT_IN_DOCUMENT.contains(&p.as_str())
            && !ON_THEIR_OWN_LISTENER.contains(&p.as_str())
        {
            failures.push(format!(
                "the router serves {p} (in api/src), which is neither in the OpenAPI document nor in NOT_IN_DOCUMENT"
            ));
        }
    }
    for p in NOT_IN_DOCUMENT {
        if !in_source.contains(*p) {
            failures.push(format!(
                "NOT_IN_DOCUMENT lists {p}, which api/src no longer routes: remove it"
            ));
        }
        let probe = p.replace("{*path}", "index.html");
        let a = send(&server, None, "GET", &probe, Req::none()).await;
        if a.status == 404 && is_problem(&a) {
            failures.push(format!("GET {probe} answers the router's fallback 404"));
        }
    }
    for p in ON_THEIR_OWN_LISTENER {
        if !in_source.contains(*p) {
            failures.push(format!(
                "ON_THEIR_OWN_LISTENER lists {p}, which api/src no longer routes: remove it"
            ));
        }
        let a = send(&server, None, "GET", p, Req::none()).await;
        if !(a.status == 404 && is_problem(&a)) {
            failures.push(format!(
                "GET {p} answers {} on the API's address; it belongs on its own listener",
                a.status
            ));
        }
    }
    let fallback = send(&server, None, "GET", "/v1/no-such-route", Req::none()).await;
    assert!(
        fallback.status == 404 && is_problem(&fallback),
        "the router's fallback is a 404 problem"
    );
    for path in &doc_paths {
        let filled = fill_path(
            path,
            &Resolved {
                id: Uuid::new_v4().to_string(),
                ..Default::default()
            },
        );
        for method in ["GET", "PUT", "POST", "PATCH", "DELETE"] {
            if ops.contains_key(&(method.to_owned(), (*path).to_owned())) {
                continue;
            }
            let a = send(&server, None, method, &filled, Req::none()).await;
            if a.status != 405 || !is_problem(&a) {
                failures.push(format!(
                    "{method} {path} is not in the OpenAPI document but answers {} (not the router's 405 problem)",
                    a.status
                ));
            }
        }
    }

    // The cells.
    let ctx = Ctx::new(&server).await;
    let mut order: Vec<&Row> = MATRIX.iter().filter(|r| !r.last).collect();
    order.extend(MATRIX.iter().filter(|r| r.last));
    let mut results = Vec::new();
    let mut content_refused: Vec<String> = Vec::new();
    let mut statuses: HashMap<(&str, &str, Role, Target), u16> = HashMap::new();
    let mut not_problems: Vec<String> = Vec::new();
    let mut undocumented: BTreeMap<(String, String, u16), Vec<String>> = BTreeMap::new();
    let mut cells = 0;
    for r in order {
        let documented = ops.get(&(r.method.to_owned(), r.path.to_owned()));
        for (target, expects) in r.cells {
            for (role, expect) in ROLES.into_iter().zip(expects.iter().copied()) {
                let t = ctx.resolve(*target, role).await;
                let req = ctx.request(r, role, &t);
                let url = format!("{}{}", fill_path(r.path, &t), req.query);
                let a = send(&server, ctx.token(role), r.method, &url, req).await;
                cells += 1;
                let cell = format!("{} {} as {role:?}, {target:?}", r.method, r.path);
                if [401, 403, 404].contains(&a.status) && !is_problem(&a) {
                    not_problems.push(format!(
                        "{cell}: {} with content-type {:?}: {}",
                        a.status, a.content_type, a.text
                    ));
                }
                if documented.is_some_and(|d| !d.contains(&a.status.to_string())) {
                    undocumented
                        .entry((r.method.to_owned(), r.path.to_owned(), a.status))
                        .or_default()
                        .push(format!("{role:?}/{target:?}"));
                }
                let text = shown(r.path, &a);
                let status_and_got = (a.status, describe(expect, &a, &text, &t));
                statuses.insert((r.method, r.path, role, *target), a.status);
                let ok = expect == Expect::AsUnknown || agrees(expect, &a, &text, &t);
                if expect == Expect::Allowed && ok && !(200..300).contains(&a.status) {
                    content_refused.push(format!("{cell}: {}", describe(expect, &a, &text, &t)));
                }
                results.push((r.method, r.path, role, *target, expect, ok, status_and_got));
            }
        }
    }
    // AsUnknown cells answer as the same role's Unknown cell of the row.
    let mut disagreements: Vec<Cell> = Vec::new();
    for (method, path, role, target, expect, ok, (status, got)) in results {
        let ok = if expect == Expect::AsUnknown {
            statuses.get(&(method, path, role, Target::Unknown)) == Some(&status)
        } else {
            ok
        };
        if !ok {
            let got = if expect == Expect::AsUnknown {
                let unknown = statuses[&(method, path, role, Target::Unknown)];
                format!("{got}, where an unknown id answers {unknown}")
            } else {
                got
            };
            disagreements.push(Cell {
                method,
                path,
                role,
                target,
                expect,
                got,
            });
        }
    }

    // Report and judge.
    let mut report = String::new();
    let known: BTreeSet<(&str, &str, Role, Target)> = KNOWN_OPEN.iter().copied().collect();
    let mut unexpected = 0;
    let _ = writeln!(
        report,
        "{cells} cells over {} operations in {:.1?}",
        MATRIX.len(),
        started.elapsed()
    );
    let _ = writeln!(
        report,
        "\nDisagreements with the design (operation, role, scenario: expected, got):"
    );
    for c in &disagreements {
        let tolerated = known.contains(&(c.method, c.path, c.role, c.target));
        if !tolerated {
            unexpected += 1;
        }
        let _ = writeln!(
            report,
            "  {} {} {} as {:?}, {:?} ({}): expected {:?}, got {}",
            if tolerated { "known" } else { "NEW  " },
            c.method,
            c.path,
            c.role,
            c.target,
            c.target.scenario(),
            c.expect,
            c.got
        );
    }
    if unexpected > 0 {
        failures.push(format!(
            "{unexpected} cells disagree with the design (listed above as NEW)"
        ));
    }
    for k in KNOWN_OPEN {
        if !disagreements
            .iter()
            .any(|c| (c.method, c.path, c.role, c.target) == *k)
        {
            failures.push(format!(
                "KNOWN_OPEN {k:?} now agrees with the design (or names no cell): remove it"
            ));
        }
    }
    let _ = writeln!(
        report,
        "\nAllowed cells whose request was refused for its content or precondition (authorization passed):"
    );
    for c in &content_refused {
        let _ = writeln!(report, "  {c}");
    }
    let _ = writeln!(
        report,
        "\nStatuses answered but not documented for the operation:"
    );
    let known_undoc: BTreeSet<(&str, &str, u16)> = KNOWN_UNDOCUMENTED.iter().copied().collect();
    for ((m, p, s), cells) in &undocumented {
        let tolerated = known_undoc.contains(&(m.as_str(), p.as_str(), *s));
        if !tolerated {
            failures.push(format!(
                "{m} {p} answered {s}, which its OpenAPI operation does not document"
            ));
        }
        let _ = writeln!(
            report,
            "  {} {m} {p}: {s} ({})",
            if tolerated { "known" } else { "NEW  " },
            cells.join(", ")
        );
    }
    for (m, p, s) in KNOWN_UNDOCUMENTED {
        let still = undocumented.contains_key(&(m.to_string(), p.to_string(), *s));
        if !still {
            failures.push(format!(
                "KNOWN_UNDOCUMENTED ({m} {p} {s}) is documented now or no longer answered: remove it"
            ));
        }
    }
    // The other way round: a 401 or 403 the document states for a bearer-secured operation
    // must be one some cell answers (every role and no token are asked of every operation),
    // so the document says no more than the server does. (Sign-in's 401 is a wrong password,
    // which no cell sends.)
    for ((m, p), documented) in &ops {
        if !doc["paths"][p][m.to_lowercase()]["security"].is_array() {
            continue;
        }
        for status in [401u16, 403] {
            let answered = statuses
                .iter()
                .any(|((sm, sp, _, _), s)| *sm == m.as_str() && *sp == p.as_str() && *s == status);
            if documented.contains(&status.to_string()) && !answered {
                failures.push(format!(
                    "{m} {p} documents {status}, which no role or scenario is answered"
                ));
            }
        }
    }
    for n in &not_problems {
        failures.push(format!("not an application/problem+json with a type: {n}"));
    }
    // Paste-ready lists of today's gaps, for whoever updates the tolerance lists.
    let _ = writeln!(report, "\nKNOWN_OPEN as today:");
    for c in &disagreements {
        let _ = writeln!(
            report,
            "    (\"{}\", \"{}\", Role::{:?}, Target::{:?}),",
            c.method, c.path, c.role, c.target
        );
    }
    let _ = writeln!(report, "\nKNOWN_UNDOCUMENTED as today:");
    for (m, p, s) in undocumented.keys() {
        let _ = writeln!(report, "    (\"{m}\", \"{p}\", {s}),");
    }
    assert!(
        failures.is_empty(),
        "{report}\nThe authorization matrix fails:\n  {}",
        failures.join("\n  ")
    );
    // Passing: the tolerated gaps stay visible with --nocapture.
    eprintln!("{report}");
}
