// Generated from the server's OpenAPI document (/v1/openapi.json) by openapi-typescript 7.13.0.
// Do not edit: regenerate with `FIELDLINE_UPDATE_API_TYPES=1 scripts/test -- --test suite web::the_apps_api_types`
// or, with a built server, `fieldline openapi | node web/tools/api-types/gen.mjs > web/src/api-types.ts`.

export type paths = {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up. Says nothing about the database: use it for restarts, not for routing. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Ready for traffic: the database answers within two seconds and every migration this build
         *     knows has been applied.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/agency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change your agency's settings: the coordinator line phones offer when an alert cannot be
         *     delivered, and the emergency number offered with it. Phones pick them up at their next
         *     sign-in or sync.
         */
        put: operations["update_agency"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your agency's audit log, filtered by record, by acting user, or by action. */
        get: operations["read_audit_log"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The agency's retention of closed contacts. */
        get: operations["get_policy"];
        /** Set how long closed contacts are kept. */
        put: operations["set_policy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/retention/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove closed contacts past the agency's retention, keeping only counts. Idempotent: a
         *     second run finds nothing more. Audited with the counts.
         */
        post: operations["purge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everyone in your agency. */
        get: operations["list_users"];
        put?: never;
        /** Add a person to your agency with an initial password. */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One person in your agency. */
        get: operations["get_user"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a person's name, roles, grants or work phone, or disable them (which ends their
         *     sessions).
         *     Nobody gives themselves a role or grant they do not hold (design, "Confidential
         *     locations"): on your own id, adding one is 422; another admin has to do it. Every change of
         *     roles or grants is audited with what was added and removed.
         */
        patch: operations["update_user"];
        trace?: never;
    };
    "/v1/admin/users/{id}/revoke-sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End every session of a person at once: a lost or stolen phone. Their access tokens stop
         *     working immediately.
         */
        post: operations["revoke_sessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/worker-failures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your agency's background items that failed (at most 500, most recent first): those waiting
         *     for a retry and those parked after their last attempt. Admins, like the audit log.
         */
        get: operations["list_failures"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Alerts, most urgent first: triggered before acknowledged, high urgency first, oldest first.
         *     Coordinators see the agency's; others the ones they raised (so they know someone is coming).
         */
        get: operations["list_alerts"];
        put?: never;
        /**
         * Raise an alert (advocates and coordinators). It reaches the first level of the kind's
         *     escalation policy at once. Sending the same id again returns the same alert; an open
         *     alert with the same `dedup_key` is joined instead of opening another: its timeline names
         *     who joined, and the joiner follows it as its raiser does. Ids are your agency's own: an id
         *     another agency's alert has is answered exactly as an unknown one (a new alert, 201).
         */
        post: operations["raise_alert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alert with its timeline: every notification, escalation and answer, with who and when. */
        get: operations["get_alert"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/{id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Acknowledge: "I have it." Stops escalation until the acknowledgement times out. Only from
         *     `triggered`, so an old notification's button cannot act twice; acknowledging again what you
         *     already acknowledged is not an error.
         */
        post: operations["acknowledge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resolve: nothing more to do. Coordinators, or the advocate who raised it (a false alarm).
         *     The body is optional: a closing note for the record (a notification's button sends none).
         */
        post: operations["resolve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with e-mail and password.
         * @description Unknown addresses and wrong passwords get the same answer. Every attempt counts against
         *     the account and the client address before its password is checked; after a few failures
         *     the account (and, separately, the client address) is locked out for a while, and the
         *     answer is then 429 with `Retry-After`. So is a burst larger than the server checks at once.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session a refresh token belongs to (this device signs out). */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change your own password. Every other session of yours ends.
         * @description A wrong current password counts as a failed sign-in (429 with `Retry-After` once locked).
         */
        post: operations["change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for a new access token and a new refresh token.
         * @description The presented token stops working. Presenting it again (after its short retry grace)
         *     ends the whole session: someone else has a copy.
         */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The agency's contacts you may see, most recently changed first, a page at a time (follow
         *     `next_cursor`): pseudonyms and codes only, no personal fields. Audited. A record changed
         *     while you page moves to the front and may be missed: to hold every change, use `/v1/sync`.
         */
        get: operations["list_contacts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One contact, with its person, screenings, referrals and follow-ups. Audited. */
        get: operations["get_contact"];
        /**
         * Record a contact, made with an id the phone chose, or change one.
         * @description Each change carries its own id as `Idempotency-Key` (a phone's outbox sends its change id;
         *     without one the server keys the change by a hash of the request). A change seen before is
         *     a replay: 200 with the record as it is now, nothing changed, never a conflict. A new change
         *     to an existing record is applied when it names the current version in `If-Match`, or, with
         *     no `If-Match`, when the record's current version is the writer's own (an edit made on a
         *     phone before its create was delivered); otherwise 412 with `current_version`.
         *
         *     A new contact's person is created when new; an existing person is linked as they are (a
         *     create never rewrites a person), and only when you may see them. A change with `If-Match`
         *     also updates the person. A screening that scores high raises a `high_risk` alert in the
         *     same transaction, unless it carries `no_alert_reason`. Ids are your agency's own: an id
         *     another agency holds is answered exactly as an unknown one (a new contact, 201), and so is
         *     a person id another agency holds (a new person of yours). A sealed record you are not on
         *     the team of, or an existing person you may not see, is 404.
         */
        put: operations["put_contact"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{id}/access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Restrict a record to a team (sealed records for high-profile or staff-related cases), or
         *     lift the restriction. Admins only; the record's advocate always keeps access.
         */
        put: operations["set_access"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/entries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your agency's own places (not other agencies' shared ones), by name then id, a page at a
         *     time: pass `next_after` back as `after` until it is absent. For housing managers keeping
         *     them and admins overseeing them; confidential ones are redacted for readers without the
         *     grant, as everywhere.
         */
        get: operations["list_entries"];
        put?: never;
        /** Add a place (housing managers). Answers with its `ETag`. */
        post: operations["create_entry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/entries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One place. Send its `ETag` back as `If-Match` when changing it. */
        get: operations["get_entry"];
        /** Replace a place's details (housing managers of the owning agency). Needs `If-Match`. */
        put: operations["replace_entry"];
        post?: never;
        /** Retire a place: it leaves searches but its history stays. Needs `If-Match`. */
        delete: operations["retire_entry"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/entries/{id}/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * The one-tap update from a phone: beds available and/or status. `If-Match` is optional
         *     (counts change often and the latest count wins); the time of the update is recorded
         *     even when nothing changed, so "still 3 beds" clears the stale flag.
         */
        patch: operations["update_availability"];
        trace?: never;
    };
    "/v1/directory/entries/{id}/exact-location-agencies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The other agencies that may see this place's exact location (housing managers of the
         *     owning agency).
         */
        get: operations["get_agencies"];
        /**
         * Name the other agencies whose holders of `view_confidential_locations` may see this
         *     confidential place's street and exact point (housing managers of the owning agency). The
         *     list replaces the previous one; `[]` names none. Audited with what was added and removed.
         */
        put: operations["put_agencies"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/entries/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who changed a place, when, and what (location fields are named, never shown). */
        get: operations["entry_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The whole directory you can see as CSV (UTF-8, header row; columns as documented for
         *     import). Confidential places are included only for readers who may see their exact
         *     location: holders of `view_confidential_locations`, for their own agency's places and for
         *     those whose owner names their agency.
         */
        get: operations["export_csv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/export.hsds.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The whole directory you can see as Open Referral HSDS 3.0: one page (as the HSDS API's
         *     `GET /organizations?full_service=true`) of organizations, each with its services, their
         *     service-at-locations, locations, addresses, phones and schedules. Fieldline's own fields
         *     (kind, beds, confidentiality, …) are service attributes of the taxonomy `fieldline`.
         *     Confidential places are included only for readers who may see their exact location, as in
         *     the CSV export.
         */
        get: operations["export_hsds"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add or update places from a file (housing managers): `text/csv` (columns as in the CSV
         *     export; `external_id` required) or HSDS 3.0 JSON as `application/json` (an organization,
         *     service or service-at-location, a list of them, or a page with `contents`). All or
         *     nothing: if any row is wrong the answer is 422 listing every problem and nothing is
         *     written. Rows whose `external_id` your agency already has update that entry.
         */
        post: operations["import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/nearby": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Places near a point, nearest first, with distance and how old their availability is.
         * @description Confidential places are included for everyone; readers without the
         *     `view_confidential_locations` grant get them without street address or point, with the
         *     distance rounded to the kilometre (and searched and ordered by a point snapped to ~1 km).
         */
        get: operations["nearby"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/stale": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your agency's places whose availability has not been updated recently, oldest first. */
        get: operations["stale_entries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory/within": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Places inside a map's rectangle (`west`, `south`, `east`, `north` in degrees), by name. */
        get: operations["within"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escalation-policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The agency's escalation policies, one per alert kind (kinds without one reach every
         *     coordinator).
         */
        get: operations["list_policies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escalation-policies/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the escalation path for one kind of alert, for any urgency without a path of its own.
         *     Alerts already running keep the path they started with.
         */
        put: operations["put_policy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escalation-policies/{kind}/{urgency}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the escalation path for one kind of alert at one urgency (e.g. next-of-kin raised as
         *     high). It wins over the kind's path for any urgency. Alerts already running keep theirs.
         */
        put: operations["put_urgency_policy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, their agency, roles and effective grants. */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/calendar/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The calendar feed (`text/calendar`): the holder's shifts from a month ago to half a year
         *     ahead. No sign-in: the secret URL is the credential. The token is looked up by its hash,
         *     so a wrong token costs the same as a right one and nothing about it leaks through timing;
         *     unknown, rotated and revoked tokens all answer 404.
         */
        get: operations["feed"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/me/calendar-feed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether I have a calendar feed URL, and since when. */
        get: operations["feed_status"];
        put?: never;
        /**
         * A new secret calendar URL for my shifts. Any earlier URL stops working at once, so this
         *     is also how a leaked URL is rotated. The token is shown only here.
         */
        post: operations["create_feed"];
        /** Revoke my calendar URL. */
        delete: operations["revoke_feed"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/me/shifts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My coming on-call shifts across the agency's schedules, overrides included: whatever
         *     overlaps `[from, from + days)`, each with its full start and end.
         */
        get: operations["my_shifts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/overrides/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Take an override back ("undo"): the schedule is as it was without it. */
        delete: operations["delete_override"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The agency's schedules. */
        get: operations["list_schedules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Create or replace a schedule (coordinators, admins), under an id the client chose. Ids are
         *     your agency's own: an id another agency's schedule has creates yours, as an unknown one does.
         */
        put: operations["put_schedule"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/schedules/{id}/on-call": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is on call now, or at `at`. */
        get: operations["who_is_on_call"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/schedules/{id}/overrides": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** "I'll cover tonight": someone takes the schedule from `start_at` to `end_at`. */
        post: operations["add_override"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oncall/schedules/{id}/shifts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The shifts and overrides in a window (a calendar view; "who is on next"). */
        get: operations["shifts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Find people in your agency you may see (a person known only through records sealed to
         *     others is not found) by name, through keyed hashes of the name's words (no plaintext
         *     is searched or stored). Audited, without the name searched for.
         */
        get: operations["find_persons"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons/{person_id}/safety-plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The person's current plan, with its version as `ETag`. Audited. */
        get: operations["get_plan"];
        /**
         * Save the person's plan as a new version. The first save needs no `If-Match` (or
         *     `If-Match: "0"`) and answers 201 with version 1; every later save must send the version it
         *     edited as `If-Match` (428 without, 412 with `current_version` if someone saved since) and
         *     answers 200 with the next version. A phone replaying a save whose answer it lost (same
         *     content, same person saving, same `If-Match`) gets the version that save made, 200.
         */
        put: operations["put_plan"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons/{person_id}/safety-plan/export.html": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The current plan as a self-contained printable page (inline CSS, no scripts, nothing
         *     loaded, no agency name), to print or hand over. Audited.
         */
        get: operations["export_html"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons/{person_id}/safety-plan/export.txt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The current plan as plain text, to hand over: no agency name, neutral file name. Audited. */
        get: operations["export_text"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons/{person_id}/safety-plan/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every saved version, oldest first: who saved it and when, without content. Audited. */
        get: operations["list_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/persons/{person_id}/safety-plan/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One saved version, as it was saved. Audited. */
        get: operations["get_version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/push/parked": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pushes of your agency that were given up on, newest first (admins): a device that is gone,
         *     a push service that refused, an endpoint that is not a public address, or a delivery that
         *     kept failing. Ids and reasons only.
         */
        get: operations["parked"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/push/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your registered devices. */
        get: operations["list_subscriptions"];
        put?: never;
        /**
         * Register this device for pushes (the browser's `PushSubscription.toJSON()`).
         * @description Registering your endpoint again updates its keys. An endpoint registered by a colleague
         *     (a shared phone) moves to you, and what was still queued for them on it is cancelled; the
         *     move is in the audit log. An endpoint registered in another agency is not moved: 409.
         *     Each person may register a limited number of devices (409 beyond it: remove one first).
         */
        post: operations["subscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/push/subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop pushes to one of your devices. Its queued messages are cancelled. */
        delete: operations["unsubscribe"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/push/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test notification to all your devices ("does this phone get alerts?"). A few per
         *     person per window (429 with `Retry-After` beyond that).
         */
        post: operations["send_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/push/vapid-public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`. */
        get: operations["vapid_public_key"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/checkins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a check-in for a scene (idempotent by id). Ids are your agency's own: an id another
         *     agency's check-in has is answered exactly as an unknown one (a new check-in).
         */
        post: operations["start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/checkins/{id}/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check out. With the advocate's duress code, the answer is exactly that of an ordinary
         *     check-out, and an advocate-safety alert is raised at the highest urgency.
         */
        post: operations["checkout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/checkins/{id}/extend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Push the expected end later (or earlier) while the check-in is active. */
        post: operations["extend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/checkins/{id}/location": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Where the phone is now; kept sealed and shown to a coordinator only with an alert. */
        post: operations["report_location"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/duress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Duress: raise an advocate-safety alert now (idempotent by id). Ids are your agency's own:
         *     an id another agency's alert has raises yours all the same, and so does an id a colleague
         *     raised under: duress is never swallowed.
         */
        post: operations["duress"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/safety/duress-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set (or change) your duress code. */
        put: operations["set_duress_code"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Changes since `cursor`: contacts (with their screenings, referrals and follow-ups), people
         *     and safety plans you may see; tombstones for those deleted or no longer visible to you.
         *     Audited (which records were sent, not their contents).
         */
        get: operations["sync"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /**
         * @description A postal address. `street` is the part a confidential entry never shows to those without
         *     the `view_confidential_locations` grant; `locality` and `region` are its coarse area.
         */
        Address: {
            /** @description ISO 3166-1 alpha-2, e.g. `US`. */
            country?: string;
            locality?: string;
            postal_code?: string;
            region?: string;
            street?: string;
        };
        /** @description `PUT /v1/admin/agency`: the agency's settings an admin may change. */
        AgencySettings: {
            /**
             * @description The coordinator line phones offer when an alert cannot be delivered (3 to 40
             *     characters: digits, spaces, `+`, `-`, `(`, `)`, `.`); `null` removes it.
             */
            coordinator_fallback_phone?: string | null;
            distance_unit?: components["schemas"]["DistanceUnit"] | null;
            /**
             * @description The emergency number phones offer with the coordinator line when a duress alert cannot
             *     be sent (e.g. `911`; same characters, at least 3 digits). Absent: unchanged; `""`
             *     removes it.
             */
            emergency_number?: string | null;
        };
        AgencySummary: {
            /** @description The coordinator line a phone offers when an alert cannot reach the server. */
            coordinator_fallback_phone?: string | null;
            /** @description The unit screens show distances in (the API gives metres). */
            distance_unit?: components["schemas"]["DistanceUnit"];
            /** @description The emergency number a phone offers with it (e.g. `911`), if the agency set one. */
            emergency_number?: string | null;
            /** Format: uuid */
            id: string;
            name: string;
            /** @description IANA time zone, e.g. `America/Denver`. */
            time_zone: string;
        };
        Alert: {
            /** Format: date-time */
            acknowledged_at?: string | null;
            /** Format: uuid */
            acknowledged_by?: string | null;
            /** @description Who acknowledged it, by display name: the advocate who raised it sees who has it. */
            acknowledged_by_name?: string | null;
            /** Format: uuid */
            contact_id?: string | null;
            /** Format: date-time */
            created_at: string;
            details?: string | null;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["AlertKind"];
            /**
             * Format: int32
             * @description The escalation level now being notified (0 = first), and how many times the whole
             *     path has repeated.
             */
            level: number;
            /** Format: int32 */
            loop_count: number;
            /** Format: date-time */
            next_escalation_at?: string | null;
            /** Format: uuid */
            raised_by?: string | null;
            /** @description Who raised it, by display name (staff, never victim data). */
            raised_by_name?: string | null;
            /**
             * @description The raiser's work phone, for a coordinator to call them back: shown to those who
             *     respond to alerts, and to the raiser. `null` when none is on file.
             */
            raised_by_phone?: string | null;
            /** @description What was written when it was resolved (sealed at rest, never pushed). */
            resolution_note?: string | null;
            /** Format: date-time */
            resolved_at?: string | null;
            /** Format: uuid */
            resolved_by?: string | null;
            resolved_by_name?: string | null;
            state: components["schemas"]["AlertState"];
            /** @description Oldest first. Empty in lists. */
            timeline: components["schemas"]["AlertEvent"][];
            /** @description `high` or `normal`. */
            urgency: string;
        };
        AlertEvent: {
            /**
             * @description The actor's display name (staff, never victim data), so a timeline reads
             *     "acknowledged by Casey".
             */
            actor_name?: string | null;
            /** Format: uuid */
            actor_user_id?: string | null;
            /** Format: date-time */
            at: string;
            details: unknown;
            /**
             * @description `triggered`, `notified`, `escalated`, `acknowledged`, `ack_timeout`, `resolved`,
             *     `deduplicated`, `exhausted`.
             */
            kind: string;
            /** Format: int32 */
            level?: number | null;
            /** Format: int32 */
            loop_count?: number | null;
        };
        /** @enum {string} */
        AlertKind: "next_of_kin" | "high_risk" | "advocate_safety";
        AlertList: {
            alerts: components["schemas"]["Alert"][];
        };
        /** @enum {string} */
        AlertState: "triggered" | "acknowledged" | "resolved";
        /**
         * @description How urgent an alert is: `high` goes out with Web Push `Urgency: high`. High-risk and
         *     advocate-safety alerts are always high; a next-of-kin alert may be raised as high.
         * @enum {string}
         */
        AlertUrgency: "high" | "normal";
        /**
         * @description One answer on a yes/no instrument. "Not answered" is recorded as such and never counts
         *     as yes.
         * @enum {string}
         */
        Answer: "yes" | "no" | "not_answered";
        /**
         * @description One line of the audit log. `details` never holds personal data: it names what changed,
         *     not the values.
         */
        AuditEntry: {
            action: string;
            /** Format: uuid */
            actor_user_id?: string | null;
            /** Format: date-time */
            at: string;
            details: unknown;
            /** Format: int64 */
            id: number;
            record_id?: string | null;
            record_type: string;
            request_id?: string | null;
        };
        AuditPage: {
            entries: components["schemas"]["AuditEntry"][];
            /**
             * Format: int64
             * @description Pass as `before` to read older entries; absent on the last page.
             */
            next_before?: number | null;
        };
        /** @description `PATCH /v1/directory/entries/{id}/availability`: the one-tap update from a phone. */
        AvailabilityUpdate: {
            /** Format: int32 */
            beds_available?: number | null;
            status?: components["schemas"]["EntryStatus"] | null;
        };
        /**
         * @description `POST /v1/oncall/me/calendar-feed`: a new secret feed URL (any older one stops working).
         *     The token is shown once; only its hash is stored.
         */
        CalendarFeed: {
            /** Format: date-time */
            created_at: string;
            /** @description Path of the feed under the API's origin, e.g. `/v1/oncall/calendar/<token>.ics`. */
            path: string;
        };
        /** @description `GET /v1/oncall/me/calendar-feed`: whether a feed URL exists (never the URL itself). */
        CalendarFeedStatus: {
            active: boolean;
            /** Format: date-time */
            created_at?: string | null;
        };
        /**
         * @description `POST /v1/auth/password`: the signed-in user changes their own password. Every other
         *     session of theirs ends.
         */
        ChangePasswordRequest: {
            current_password: string;
            new_password: components["schemas"]["NewPassword"];
        };
        Checkin: {
            /** Format: date-time */
            checked_out_at?: string | null;
            /** Format: date-time */
            expected_end_at: string;
            /** Format: int32 */
            grace_minutes: number;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            started_at: string;
            /** @description `active`, `checked_out` or `overdue`. */
            state: string;
        };
        /** @description `POST /v1/safety/checkins/{id}/checkout`. */
        Checkout: {
            /**
             * @description The advocate's code as typed on the check-out screen. Their duress code checks out
             *     visibly like any other and raises an alert silently.
             */
            code?: string | null;
        };
        /**
         * @description A code such as `domestic_violence` or `food`: lower-case letters, digits and underscores,
         *     1 to 50 of them. Only the document's name for such strings.
         */
        Code: string;
        /** @description Whom the victim agreed we may share with, and until when. */
        Consent: {
            share_with: string[];
            /** Format: date */
            until?: string | null;
        };
        /** @description A contact as the API returns it. */
        Contact: {
            /** Format: uuid */
            advocate_id: string;
            /** Format: uuid */
            agency_id: string;
            consent?: components["schemas"]["Consent"] | null;
            /** Format: date-time */
            created_at: string;
            follow_ups: components["schemas"]["FollowUp"][];
            /** Format: uuid */
            id: string;
            incident_type: string;
            location?: components["schemas"]["IncidentLocation"] | null;
            needs: string[];
            notes?: string | null;
            /** Format: date-time */
            occurred_at: string;
            person: components["schemas"]["Person"];
            referrals: components["schemas"]["Referral"][];
            safe_contact?: components["schemas"]["SafeContact"] | null;
            screenings: components["schemas"]["Screening"][];
            sealed: boolean;
            services: string[];
            setting: components["schemas"]["Setting"];
            status: components["schemas"]["ContactStatus"];
            /** Format: date-time */
            updated_at: string;
            /** Format: int64 */
            version: number;
        };
        /** @description `PUT /v1/contacts/{id}/access` (admins): restrict a record to a team. */
        ContactAccess: {
            sealed: boolean;
            /** @description Who may see a sealed record besides the advocate who made it. */
            team?: string[];
        };
        /** @description `PUT /v1/contacts/{id}`: the whole record as the phone has it. */
        ContactInput: {
            consent?: components["schemas"]["Consent"] | null;
            follow_ups?: components["schemas"]["FollowUp"][];
            /** @description e.g. `domestic_violence`, `sexual_assault`, `homicide`, `stalking`. */
            incident_type: string;
            location?: components["schemas"]["IncidentLocation"] | null;
            needs?: components["schemas"]["Code"][];
            notes?: string | null;
            /** Format: date-time */
            occurred_at: string;
            person: components["schemas"]["Person"];
            referrals?: components["schemas"]["Referral"][];
            safe_contact?: components["schemas"]["SafeContact"] | null;
            /** @description New screenings; ones already recorded (by id) are left as they are. */
            screenings?: components["schemas"]["ScreeningSubmission"][];
            services?: components["schemas"]["Code"][];
            setting: components["schemas"]["Setting"];
            status: components["schemas"]["ContactStatus"];
        };
        ContactList: {
            contacts: components["schemas"]["ContactSummary"][];
            /** @description Pass as `cursor` for the next page; absent on the last one. */
            next_cursor?: string | null;
        };
        /** @enum {string} */
        ContactStatus: "open" | "follow_up" | "closed";
        /** @description A line in a list of contacts: no personal fields, only the pseudonym. */
        ContactSummary: {
            /** Format: uuid */
            advocate_id: string;
            high_risk: boolean;
            /** Format: uuid */
            id: string;
            incident_type: string;
            /** Format: date-time */
            occurred_at: string;
            /** Format: uuid */
            person_id: string;
            pseudonym: string;
            sealed: boolean;
            setting: components["schemas"]["Setting"];
            status: components["schemas"]["ContactStatus"];
            /** Format: date-time */
            updated_at: string;
        };
        /** @description WGS 84 coordinates in degrees. */
        Coordinates: {
            /** Format: double */
            latitude: number;
            /** Format: double */
            longitude: number;
        };
        /**
         * @description Kilometres, or miles (US agencies).
         * @enum {string}
         */
        DistanceUnit: "km" | "mi";
        /** @description `POST /v1/safety/duress`: raise an advocate-safety alert now. */
        Duress: {
            /**
             * Format: uuid
             * @description Chosen by the phone, so a retried button press raises one alert.
             */
            id: string;
            location?: components["schemas"]["LocationReport"] | null;
        };
        /** @description `PUT /v1/safety/duress-code`. */
        DuressCode: {
            /** @description 4 to 32 characters. */
            code: string;
        };
        /** @description Who an entry takes. Empty `genders` means anyone; ages are inclusive, in years. */
        Eligibility: {
            accepts_children?: boolean;
            accepts_pets?: boolean;
            /** @description e.g. `women`, `men`, `nonbinary`, `transgender`; empty = any. */
            genders?: string[];
            /** @description ISO 639-1 codes of languages staff speak, e.g. `en`, `es`. */
            languages?: string[];
            /** Format: int32 */
            max_age?: number | null;
            /** Format: int32 */
            min_age?: number | null;
            notes?: string;
            wheelchair_accessible?: boolean;
        };
        /**
         * Format: email
         * @description An e-mail address used as a login name: trimmed, lower-cased, one `@` with text on both
         *     sides, a dot in the domain, at most 254 bytes (RFC 5321's path limit).
         */
        Email: string;
        EmergencyContact: {
            name: string;
            phone: string;
            relationship?: string | null;
        };
        /**
         * @description An entry as the reader may see it. For a confidential entry and a reader without the
         *     grant, `location` and `address.street` are absent, `distance_m` is rounded to the
         *     kilometre and `redacted` is true.
         */
        Entry: {
            address: components["schemas"]["Address"];
            /**
             * Format: int64
             * @description Seconds since availability was last updated (`null` if never).
             */
            availability_age_s?: number | null;
            /** Format: date-time */
            availability_updated_at?: string | null;
            /** Format: int32 */
            beds_available?: number | null;
            /** Format: int32 */
            capacity?: number | null;
            confidential: boolean;
            description: string;
            /**
             * Format: double
             * @description Set by location searches: metres from the search point.
             */
            distance_m?: number | null;
            eligibility: components["schemas"]["Eligibility"];
            external_id?: string | null;
            hours: components["schemas"]["Hours"];
            /** Format: uuid */
            id: string;
            intake_phone: string;
            kind: components["schemas"]["EntryKind"];
            location?: components["schemas"]["Coordinates"] | null;
            name: string;
            /** @description Set by searches: whether intake is open at the time searched for. */
            open_now?: boolean | null;
            organization: string;
            /** Format: uuid */
            owner_agency_id: string;
            /** @description True when confidential details were removed for this reader. */
            redacted: boolean;
            retired: boolean;
            service_area: string;
            shared: boolean;
            status: components["schemas"]["EntryStatus"];
            /** Format: int64 */
            version: number;
            website?: string | null;
        };
        /**
         * @description What housing staff write: `POST /v1/directory/entries` and `PUT /v1/directory/entries/{id}`
         *     (with `If-Match`). The same shape is one row of a bulk import.
         */
        EntryInput: {
            address?: components["schemas"]["Address"];
            /** Format: int32 */
            beds_available?: number | null;
            /** Format: int32 */
            capacity?: number | null;
            confidential?: boolean;
            description?: string;
            eligibility?: components["schemas"]["Eligibility"];
            /** @description The id in the system the entry was imported from; re-importing updates by it. */
            external_id?: string | null;
            hours: components["schemas"]["Hours"];
            intake_phone: string;
            kind: components["schemas"]["EntryKind"];
            location: components["schemas"]["Coordinates"];
            name: string;
            organization?: string;
            service_area?: string;
            /** @description Visible to every agency (a shelter serves many); `false` keeps it to the owner agency. */
            shared?: boolean;
            status: components["schemas"]["EntryStatus"];
            website?: string | null;
        };
        /**
         * @description What kind of place an entry is.
         * @enum {string}
         */
        EntryKind: "shelter" | "dv_shelter" | "safe_house" | "emergency_housing" | "transitional_housing" | "hotel_voucher";
        EntryList: {
            entries: components["schemas"]["Entry"][];
            /**
             * Format: int64
             * @description Availability not updated for longer than this many seconds (or never) is stale: the
             *     server's `FIELDLINE_DIRECTORY_STALE_HOURS`, so every screen flags the same places.
             *     Absent from servers older than this field: their default, 24 hours.
             */
            stale_after_s?: number;
        };
        /** @description `GET /v1/directory/entries`: one page of the caller's agency's own places, by name then id. */
        EntryPage: {
            entries: components["schemas"]["Entry"][];
            /** @description Pass as `after` to read the next page; absent on the last page. Opaque. */
            next_after?: string | null;
            /**
             * Format: int64
             * @description As in `EntryList`: availability older than this many seconds (or never given) is stale.
             */
            stale_after_s?: number;
        };
        /**
         * @description Whether an entry takes people now.
         * @enum {string}
         */
        EntryStatus: "open" | "full" | "temporarily_closed" | "closed";
        EscalationLevel: {
            /**
             * Format: int32
             * @description Minutes to wait at this level before notifying the next.
             */
            delay_minutes: number;
            /** @description On-call schedules: whoever is on call when the level is notified. */
            schedule_ids?: string[];
            user_ids?: string[];
        };
        EscalationPolicy: {
            /** Format: int32 */
            ack_timeout_minutes: number;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["AlertKind"];
            levels: components["schemas"]["EscalationLevel"][];
            name: string;
            /** Format: int32 */
            repeat_count: number;
            urgency?: components["schemas"]["AlertUrgency"] | null;
            /** Format: int64 */
            version: number;
        };
        /**
         * @description `PUT /v1/escalation-policies/{kind}` (the kind's path for any urgency) or
         *     `PUT /v1/escalation-policies/{kind}/{urgency}` (for that urgency only, tried first).
         */
        EscalationPolicyInput: {
            /** Format: int32 */
            ack_timeout_minutes?: number;
            levels: components["schemas"]["EscalationLevel"][];
            name: string;
            /** Format: int32 */
            repeat_count?: number;
        };
        EscalationPolicyList: {
            policies: components["schemas"]["EscalationPolicy"][];
        };
        /**
         * @description `GET`/`PUT /v1/directory/entries/{id}/exact-location-agencies`: the other agencies whose
         *     holders of `view_confidential_locations` may see this confidential place's street and exact
         *     point. Kept by the owning agency's housing managers; the owner's own holders always may.
         *     Naming an agency shows it nothing it could not find already: only shared places are seen
         *     outside their agency. Each read of the exact location by a named agency is audited, for
         *     both agencies.
         */
        ExactLocationAgencies: {
            /** @description Agency ids, at most 100, not the owner's own; answered sorted, without repeats. */
            agencies: string[];
        };
        /** @description `POST /v1/safety/checkins/{id}/extend`. */
        ExtendCheckin: {
            /** Format: date-time */
            expected_end_at: string;
        };
        /**
         * @description One invalid field: `pointer` is an RFC 6901 JSON Pointer into the request body (or the
         *     name of a query parameter), `message` says what is wrong without echoing the value.
         */
        FieldError: {
            message: string;
            pointer: string;
        };
        FollowUp: {
            /** Format: uuid */
            assignee_id?: string | null;
            done?: boolean;
            /** Format: date */
            due_on: string;
            /** Format: uuid */
            id: string;
            task: string;
        };
        /**
         * @description A permission an admin gives a person beyond what their roles carry.
         * @enum {string}
         */
        Grant: "view_confidential_locations";
        /** @description When intake answers. `open_24_7` overrides `spans`. */
        Hours: {
            open_24_7?: boolean;
            spans?: components["schemas"]["OpeningSpan"][];
            /** @description IANA time zone the spans are in, e.g. `America/Denver`. */
            time_zone: string;
        };
        /**
         * @description `POST /v1/directory/import`: what an import did. Rows whose `external_id` the agency already
         *     had updated those entries; the others created new ones.
         */
        ImportSummary: {
            /** Format: int64 */
            created: number;
            /** Format: int64 */
            updated: number;
        };
        /** @description Where it happened, as precisely as the advocate chose to record it. */
        IncidentLocation: {
            /** Format: double */
            latitude: number;
            /** Format: double */
            longitude: number;
            /**
             * Format: uint32
             * @description Metres: 10 for a GPS fix, 1000 for "somewhere in this neighbourhood".
             */
            precision_m: number;
        };
        /** @enum {string} */
        Instrument: "lap" | "dash";
        Judgement: {
            level: components["schemas"]["RiskLevel"];
            reason: string;
        };
        /**
         * @description Lethality Screen outcomes.
         * @enum {string}
         */
        LapOutcome: "screened_in_protocol" | "screened_in_belief" | "not_screened_in";
        /** @description Getting out: what to pack, which papers to take, and how. */
        Leaving: {
            /** @default [] */
            documents: components["schemas"]["PlanItem"][];
            /** @default [] */
            go_bag: components["schemas"]["PlanItem"][];
            /** @default [] */
            plan: components["schemas"]["PlanItem"][];
        };
        /**
         * @description `POST /v1/safety/checkins/{id}/location`: where the phone is now (kept sealed, shown to the
         *     coordinator only if an alert is raised).
         */
        LocationReport: {
            /** Format: double */
            latitude: number;
            /** Format: double */
            longitude: number;
            /** Format: uint32 */
            precision_m: number;
        };
        /**
         * @description Which kind of client signs in (see [`LoginRequest::client`]).
         * @enum {string}
         */
        LoginClient: "web";
        /**
         * @description `POST /v1/auth/login`. The e-mail is not validated beyond being text: an unknown or
         *     malformed address must get the same answer as a wrong password.
         */
        LoginRequest: {
            client?: components["schemas"]["LoginClient"] | null;
            email: string;
            password: string;
        };
        /** @description `POST /v1/auth/logout`: ends the session the refresh token belongs to. */
        LogoutRequest: {
            refresh_token: string;
        };
        /** @description The signed-in user, as `GET /v1/me` shows them. */
        Me: {
            agency: components["schemas"]["AgencySummary"];
            display_name: string;
            email: components["schemas"]["Email"];
            /** @description Effective grants: those given explicitly plus those the roles carry. */
            grants: components["schemas"]["Grant"][];
            /** Format: uuid */
            id: string;
            roles: components["schemas"]["Role"][];
        };
        /**
         * @description One stretch of time the signed-in person is on call on one schedule: a rotation shift with
         *     any overrides by others cut out, or an override they took.
         */
        MyShift: {
            /** Format: date-time */
            end: string;
            /** @description True when an override, not the rotation, puts this person on call. */
            overridden: boolean;
            /** Format: uuid */
            schedule_id: string;
            schedule_name: string;
            /** Format: date-time */
            start: string;
            /** @description Stable for the same stretch across requests; the calendar feed's `UID`. */
            uid: string;
        };
        /** @description `GET /v1/oncall/me/shifts`. */
        MyShiftList: {
            shifts: components["schemas"]["MyShift"][];
        };
        /**
         * Format: password
         * @description A password someone is choosing. NIST SP 800-63B: length matters, composition rules do not;
         *     at least 12 characters, at most 256 so hashing cannot be used to burn CPU.
         */
        NewPassword: string;
        /** @description `POST /v1/push/subscriptions`: exactly `PushSubscription.toJSON()`. */
        NewSubscription: {
            endpoint: string;
            /**
             * Format: double
             * @description Browsers send it; always ignored (the push service tells us when it expires).
             */
            expirationTime?: number | null;
            keys: components["schemas"]["SubscriptionKeys"];
        };
        /** @description `POST /v1/admin/users`: a new person in the admin's own agency. */
        NewUser: {
            display_name: string;
            email: components["schemas"]["Email"];
            grants?: components["schemas"]["Grant"][];
            /** @description Initial password, handed to the person out of band. */
            password: components["schemas"]["NewPassword"];
            roles: components["schemas"]["Role"][];
        };
        /** @description Who is on call at an instant, and from when to when. */
        OnCall: {
            /** @description The person's display name (staff, never victim data), so screens show a name. */
            display_name?: string | null;
            /** Format: date-time */
            end?: string | null;
            /** @description True when an override, not the rotation, puts this person on call. */
            overridden: boolean;
            /** @description Their work phone, if on file: how to reach whoever is on call. */
            phone?: string | null;
            /** Format: date-time */
            start?: string | null;
            /** Format: uuid */
            user_id?: string | null;
        };
        /**
         * @description One opening span in the entry's local time. `day` is ISO (1 = Monday … 7 = Sunday);
         *     `opens`/`closes` are `HH:MM`; `closes` may be `24:00`, and a span whose `closes` is
         *     earlier than `opens` runs past midnight into the next day.
         */
        OpeningSpan: {
            closes: string;
            /** Format: uint8 */
            day: number;
            opens: string;
        };
        /** @description `POST /v1/oncall/schedules/{id}/overrides`: "I'll cover from T1 to T2". */
        OverrideInput: {
            /** Format: date-time */
            end_at: string;
            /** Format: date-time */
            start_at: string;
            /** Format: uuid */
            user_id: string;
        };
        /**
         * @description A delivery the push worker gave up on (`GET /v1/push/parked`, admins): ids and the reason
         *     only, never the endpoint or the message.
         */
        ParkedPush: {
            /**
             * Format: uuid
             * @description The alert it notified of, if any.
             */
            alert_id?: string | null;
            /** Format: int32 */
            attempts: number;
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: int32
             * @description The push service's last HTTP status, if it answered.
             */
            last_status?: number | null;
            /** @description Why it was given up: `gone: …`, `rejected: HTTP 400`, `blocked: …`, `gave up after …`. */
            reason: string;
            /**
             * Format: uuid
             * @description The device, while it is still registered.
             */
            subscription_id?: string | null;
            /**
             * Format: uuid
             * @description Whose device it is, while it is still registered.
             */
            user_id?: string | null;
        };
        ParkedPushList: {
            /** @description Newest first, at most 200. */
            parked: components["schemas"]["ParkedPush"][];
        };
        /**
         * @description The person helped, within the agency. Only `pseudonym` appears in lists; the rest is
         *     sealed at rest and shown only on the record itself.
         */
        Person: {
            address?: string | null;
            /**
             * Format: uuid
             * @description Chosen by the phone, so a person can be created offline.
             */
            id: string;
            name?: string | null;
            phone?: string | null;
            pseudonym: string;
        };
        PersonMatch: {
            /** Format: uuid */
            id: string;
            pseudonym: string;
        };
        PersonMatches: {
            persons: components["schemas"]["PersonMatch"][];
        };
        /**
         * @description One item of a plan's list: 1 to 500 characters, not only spaces, no control characters but
         *     tabs and line breaks. Only the document's name for such strings.
         */
        PlanItem: string;
        /**
         * @description `application/problem+json`. `type` is a stable URN per kind of problem: clients branch on
         *     it, never on `title` or `detail`, which are for people and may change.
         */
        Problem: {
            /**
             * Format: int64
             * @description Present on `precondition-failed` problems: the version the server holds now.
             */
            current_version?: number | null;
            detail?: string | null;
            /** @description One entry per invalid field, for validation problems. */
            errors?: components["schemas"]["FieldError"][];
            /** @description The request id of the failing request, to quote when asking for help. */
            instance?: string | null;
            /** Format: uint16 */
            status: number;
            title: string;
            type: string;
        };
        /** @description What `POST /v1/admin/retention/purge` removed. Only counts stay, for reports. */
        PurgeReport: {
            /** Format: int64 */
            contacts_purged: number;
            /** Format: int64 */
            persons_purged: number;
        };
        /** @description `POST /v1/alerts`. */
        RaiseAlert: {
            /** Format: uuid */
            contact_id?: string | null;
            /** @description Alerts raised with the same key while one is open join it. */
            dedup_key?: string | null;
            /** @description Free text for the coordinator (sealed at rest, never pushed). */
            details?: string | null;
            /**
             * Format: uuid
             * @description Chosen by the phone: sending it again joins the same alert.
             */
            id: string;
            kind: components["schemas"]["AlertKind"];
            urgency?: components["schemas"]["AlertUrgency"] | null;
        };
        Referral: {
            /**
             * Format: uuid
             * @description A place in the directory, or
             */
            directory_entry_id?: string | null;
            /** @description a free-text referral (sealed at rest). */
            free_text?: string | null;
            /** Format: uuid */
            id: string;
        };
        /** @description `POST /v1/auth/refresh`. */
        RefreshRequest: {
            refresh_token: string;
        };
        /** @description `POST /v1/alerts/{id}/resolve`: the body is optional (a notification's button sends none). */
        ResolveAlert: {
            /**
             * @description A closing note for the record: what happened, what was done (sealed at rest, never
             *     pushed).
             */
            note?: string | null;
        };
        /** @description `GET`/`PUT /v1/admin/retention`. */
        RetentionPolicy: {
            /**
             * Format: int32
             * @description Days a closed contact is kept after it was closed (30 to 36500); `null` keeps them.
             */
            closed_contact_retention_days?: number | null;
        };
        /** @description Answer to `POST /v1/admin/users/{id}/revoke-sessions`. */
        RevokedSessions: {
            /** Format: int64 */
            revoked: number;
        };
        /**
         * @description DASH risk levels, in increasing order.
         * @enum {string}
         */
        RiskLevel: "standard" | "medium" | "high";
        /**
         * @description What a person does at an agency. A user has one or more.
         * @enum {string}
         */
        Role: "advocate" | "coordinator" | "housing_manager" | "admin";
        /** @description How to reach the victim without putting them at risk. */
        SafeContact: {
            no_voicemail?: boolean;
            safe_phone?: string | null;
            safe_times?: string | null;
        };
        /**
         * @description One version of a person's plan. `ETag` is its version; send it as `If-Match` to save the
         *     next one.
         */
        SafetyPlan: {
            content: components["schemas"]["SafetyPlanContent"];
            /**
             * Format: uuid
             * @description The plan's id (what `/v1/sync` reports as a `safety_plan` change).
             */
            id: string;
            /** Format: uuid */
            person_id: string;
            /** Format: date-time */
            saved_at: string;
            /** Format: uuid */
            saved_by: string;
            /** Format: int64 */
            version: number;
        };
        /**
         * @description The plan itself: each section a list of items the victim chose. Every field may be left
         *     out (empty). Sealed at rest as one value.
         */
        SafetyPlanContent: {
            /** @default [] */
            children: components["schemas"]["PlanItem"][];
            /**
             * @description A word agreed with trusted people that means "call for help".
             * @default null
             */
            code_word: string | null;
            /** @default [] */
            emergency_contacts: components["schemas"]["EmergencyContact"][];
            /**
             * @default {
             *       "documents": [],
             *       "go_bag": [],
             *       "plan": []
             *     }
             */
            leaving: components["schemas"]["Leaving"];
            /**
             * @description Where to go in an emergency.
             * @default []
             */
            safe_places: components["schemas"]["PlanItem"][];
            /** @default [] */
            support_and_self_care: components["schemas"]["PlanItem"][];
            /**
             * @description Phone, accounts, location sharing, trackers.
             * @default []
             */
            technology: components["schemas"]["PlanItem"][];
            /**
             * @description Signs that things are about to get dangerous.
             * @default []
             */
            warning_signs: components["schemas"]["PlanItem"][];
            /** @default [] */
            work_or_school: components["schemas"]["PlanItem"][];
        };
        /** @description Every saved version, oldest first. */
        SafetyPlanHistory: {
            versions: components["schemas"]["SafetyPlanVersionSummary"][];
        };
        SafetyPlanVersionSummary: {
            /** Format: date-time */
            saved_at: string;
            /** Format: uuid */
            saved_by: string;
            /** Format: int64 */
            version: number;
        };
        Schedule: {
            /** Format: uuid */
            id: string;
            /**
             * @description As set (not flattened: `ScheduleInput` refuses unknown fields, which serde cannot
             *     combine with `flatten`).
             */
            schedule: components["schemas"]["ScheduleInput"];
            /** Format: int64 */
            version: number;
        };
        /**
         * @description `PUT /v1/oncall/schedules/{id}`: a rotation of people handing off every `shift_days` days at
         *     `handoff_time` (wall-clock time in `time_zone`), from `start_date`.
         */
        ScheduleInput: {
            /** @description `HH:MM`. */
            handoff_time: string;
            name: string;
            /**
             * Format: int32
             * @description 1 for daily hand-offs, 7 for weekly.
             */
            shift_days: number;
            /** Format: date */
            start_date: string;
            time_zone: string;
            user_ids: string[];
        };
        ScheduleList: {
            schedules: components["schemas"]["Schedule"][];
        };
        /** @description A screening as recorded: the answers and the server's result. */
        Screening: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            created_by: string;
            /** Format: uuid */
            id: string;
            input: components["schemas"]["ScreeningInput"];
            result: components["schemas"]["ScreeningResult"];
        };
        /** @description What the advocate submits. `answers` in the instrument's question order. */
        ScreeningInput: {
            answers: components["schemas"]["Answer"][];
            instrument: components["schemas"]["Instrument"];
            /**
             * @description Why no `high_risk` alert should be raised for a high result (e.g. "victim in police
             *     protection, coordinator already informed"). Without it a high result raises one.
             */
            no_alert_reason?: string | null;
            professional_judgement?: components["schemas"]["Judgement"] | null;
            /**
             * @description LAP: the advocate screens in by belief although the protocol does not; the reason is
             *     required.
             */
            screen_in_by_belief?: string | null;
        };
        /** @description The server's scoring, stored with the instrument's version. */
        ScreeningResult: {
            /** @description A `high_risk` alert is owed: high, and no reason recorded for not raising one. */
            alert_required: boolean;
            /** @description Screened in (LAP) or high (DASH). */
            high_risk: boolean;
            instrument: components["schemas"]["Instrument"];
            /** @description Which version of the scoring rules produced this, e.g. `lap-md-2`. */
            instrument_version: string;
            lap_outcome?: components["schemas"]["LapOutcome"] | null;
            risk_level?: components["schemas"]["RiskLevel"] | null;
            scored_level?: components["schemas"]["RiskLevel"] | null;
            /**
             * Format: uint32
             * @description Number of "yes" answers (LAP: among questions 4 to 11).
             */
            yes_count: number;
        };
        /** @description A screening to record with the contact, with the phone's id so a replay adds nothing. */
        ScreeningSubmission: {
            /** Format: uuid */
            id: string;
            screening: components["schemas"]["ScreeningInput"];
        };
        /** @enum {string} */
        Setting: "on_scene" | "hospital" | "phone" | "court" | "office" | "other";
        ShiftList: {
            overrides: components["schemas"]["ShiftView"][];
            /**
             * @description The rotation's shifts in the window; overrides are listed apart and win where they
             *     overlap.
             */
            shifts: components["schemas"]["ShiftView"][];
        };
        ShiftView: {
            /** @description The person's display name (staff, never victim data); empty from older servers. */
            display_name?: string;
            /** Format: date-time */
            end: string;
            /**
             * Format: uuid
             * @description An override's id (to take it back: `DELETE /v1/oncall/overrides/{id}`); `null` for a
             *     rotation shift.
             */
            override_id?: string | null;
            /** @description Their work phone, if on file. */
            phone?: string | null;
            /** Format: date-time */
            start: string;
            /** Format: uuid */
            user_id: string;
        };
        /** @description `POST /v1/safety/checkins`. */
        StartCheckin: {
            /** Format: date-time */
            expected_end_at: string;
            /**
             * Format: int32
             * @description Minutes after `expected_end_at` before a missing check-out raises an alert (0 to 120).
             */
            grace_minutes?: number;
            /**
             * Format: uuid
             * @description Chosen by the phone.
             */
            id: string;
        };
        Status: {
            status: string;
        };
        Subscription: {
            /** Format: date-time */
            created_at: string;
            endpoint: string;
            /** Format: uuid */
            id: string;
        };
        SubscriptionKeys: {
            auth: string;
            p256dh: string;
        };
        SubscriptionList: {
            subscriptions: components["schemas"]["Subscription"][];
        };
        /**
         * @description One changed record. `deleted` (a tombstone) means: drop it from the device, because it was
         *     deleted, purged, or is no longer visible to this user (e.g. sealed to a team).
         */
        SyncChange: {
            contact?: components["schemas"]["Contact"] | null;
            deleted: boolean;
            /** Format: uuid */
            id: string;
            person?: components["schemas"]["Person"] | null;
            /** @description `contact`, `person` or `safety_plan`. */
            record_type: string;
            /** @description The current safety plan (`SafetyPlan` of the plans API) of the person `id`. */
            safety_plan?: unknown;
        };
        SyncPage: {
            changes: components["schemas"]["SyncChange"][];
            /** @description Opaque; send it back as `cursor` next time. */
            cursor: string;
            /** @description More changes are waiting: ask again at once with the new cursor. */
            more: boolean;
        };
        /** @description Answer to `POST /v1/push/test`. */
        TestPushQueued: {
            /**
             * Format: int64
             * @description How many of your devices it was queued for.
             */
            deliveries: number;
        };
        /**
         * @description Answer to login and refresh. The refresh token is shown once: the server keeps only its
         *     hash, and each use replaces it.
         */
        TokenResponse: {
            access_token: string;
            /**
             * @description Web sessions only: 32 random bytes (base64url) that stay the same for this user across
             *     sign-ins. The web app keeps it in memory only and derives from it the key that unwraps
             *     its offline queue's key, so the browser's storage alone does not reveal the queue.
             */
            device_key?: string | null;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            /** Format: date-time */
            refresh_expires_at: string;
            refresh_token: string;
            /** @description Always `Bearer`. */
            token_type: string;
            user: components["schemas"]["Me"];
        };
        User: {
            /** Format: date-time */
            created_at: string;
            disabled: boolean;
            display_name: string;
            email: components["schemas"]["Email"];
            /** @description Grants given explicitly (role defaults are not listed here). */
            grants: components["schemas"]["Grant"][];
            /** Format: uuid */
            id: string;
            /** @description Work phone, if on file. */
            phone?: string | null;
            roles: components["schemas"]["Role"][];
            /** Format: date-time */
            updated_at: string;
        };
        UserList: {
            users: components["schemas"]["User"][];
        };
        /** @description `PATCH /v1/admin/users/{id}`: absent fields stay as they are. */
        UserUpdate: {
            /** @description `true` disables sign-in and ends every session; `false` re-enables. */
            disabled?: boolean | null;
            display_name?: string | null;
            grants?: components["schemas"]["Grant"][] | null;
            /**
             * @description Their work phone, which colleagues see on alerts they raise and on call (3 to 40
             *     characters: digits, spaces, `+`, `-`, `(`, `)`, `.`, at least 3 digits); `""` removes it.
             */
            phone?: string | null;
            roles?: components["schemas"]["Role"][] | null;
        };
        /** @description `GET /v1/push/vapid-public-key`: pass `public_key` as `applicationServerKey`. */
        VapidPublicKey: {
            /** @description The uncompressed P-256 point, base64url without padding. */
            public_key: string;
        };
        /**
         * @description A background item (a missed check-out, an alert request, an escalation) that failed: it
         *     is retried with backoff, and parked after its last attempt, for an admin to look into.
         */
        WorkerFailure: {
            /** Format: int32 */
            attempts: number;
            /** Format: date-time */
            first_failed_at: string;
            /**
             * Format: uuid
             * @description The check-in, alert request or alert.
             */
            item_id: string;
            /** @description `checkin_overdue`, `alert_request` or `alert_escalation`. */
            job: string;
            /** @description What failed (error class, constraint, table; never data). */
            last_error: string;
            /** Format: date-time */
            last_failed_at: string;
            /**
             * Format: date-time
             * @description When it is tried again; absent once parked.
             */
            next_attempt_at?: string | null;
            /**
             * Format: date-time
             * @description When it was parked: no more attempts.
             */
            parked_at?: string | null;
        };
        /** @description `GET /v1/admin/worker-failures`. */
        WorkerFailureList: {
            failures: components["schemas"]["WorkerFailure"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_agency: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgencySettings"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgencySettings"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    read_audit_log: {
        parameters: {
            query?: {
                /** @description e.g. `user`, `session`, `contact`. */
                record_type?: string;
                record_id?: string;
                /** @description Entries where this user acted. */
                actor_user_id?: string;
                /** @description e.g. `user.update`. */
                action?: string;
                /** @description Only entries older than this id (from `next_before`). */
                before?: number;
                /** @description 1 to 500, default 100. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_policy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetentionPolicy"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    set_policy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RetentionPolicy"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetentionPolicy"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    purge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PurgeReport"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserList"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUser"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the server is hashing as many secrets as it may at once: try again after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid, or you gave yourself a role or grant */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revoke_sessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedSessions"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_failures: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkerFailureList"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_alerts: {
        parameters: {
            query?: {
                /** @description `triggered`, `acknowledged` or `resolved`; default: all open (not resolved). */
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertList"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    raise_alert: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RaiseAlert"];
            };
        };
        responses: {
            /** @description replayed or joined */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alert"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alert"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the id is an alert of your agency you may not follow (a colleague's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_alert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alert"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    acknowledge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alert"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    resolve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ResolveAlert"] | null;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alert"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unknown address or wrong password (one answer for both) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Locked out, or too many sign-ins at once: try again after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LogoutRequest"];
            };
        };
        responses: {
            /** @description Signed out (also when the token was unknown) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    change_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordRequest"];
            };
        };
        responses: {
            /** @description Changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Wrong current password, or the new one is not acceptable */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Locked out, or too many password checks at once: try again after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_contacts: {
        parameters: {
            query?: {
                /** @description `open`, `follow_up` or `closed`. */
                status?: string;
                person_id?: string;
                /** @description Only records this advocate made. */
                advocate_id?: string;
                /** @description 1 to 200, default 50. */
                limit?: number;
                /** @description From the previous page's `next_cursor`. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactList"];
                };
            };
            /** @description a parameter is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_contact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Contact"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_contact: {
        parameters: {
            query?: never;
            header?: {
                /** @description the version changed */
                "If-Match"?: string;
                /** @description the change's own id, 1 to 64 visible ASCII characters (a UUID) */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description chosen by the phone */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ContactInput"];
            };
        };
        responses: {
            /** @description changed, or already recorded (a replay) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Contact"];
                };
            };
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Contact"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a record sealed to a team you are not on, or a person of your agency you may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a referral, follow-up or screening id is in use by another contact of your agency (ids of other agencies never collide) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Failed */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` is required */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    set_access: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ContactAccess"];
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_entries: {
        parameters: {
            query?: {
                /** @description 1 to 500, default 100. */
                limit?: number;
                /** @description Where the previous page ended: its `next_after`. */
                after?: string;
                /** @description Also list retired places (default false). */
                include_retired?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryPage"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_entry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EntryInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_entry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replace_entry: {
        parameters: {
            query?: never;
            header: {
                /** @description the ETag you read */
                "If-Match": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EntryInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such place of your agency */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description changed since you read it; `current_version` given */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Required */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retire_entry: {
        parameters: {
            query?: never;
            header: {
                "If-Match": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Retired */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such place of your agency */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Failed */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` is required */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_availability: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AvailabilityUpdate"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such place of your agency */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_agencies: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExactLocationAgencies"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description not a housing manager, or another agency's shared place */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_agencies: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExactLocationAgencies"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExactLocationAgencies"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description not a housing manager, or another agency's shared place */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `errors` names each id that is not another agency, or too many */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    entry_history: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_csv: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One row per live entry, ordered by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your exports for this hour are used up (`FIELDLINE_EXPORTS_PER_HOUR`) */
            429: {
                headers: {
                    /** @description seconds until the next export is allowed */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_hsds: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HSDS 3.0 page of fully nested organizations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your exports for this hour are used up (`FIELDLINE_EXPORTS_PER_HOUR`) */
            429: {
                headers: {
                    /** @description seconds until the next export is allowed */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    import: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The file, at most 10 MiB */
        requestBody: {
            content: {
                "application/json": unknown;
                "text/csv": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportSummary"];
                };
            };
            /** @description the JSON is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `errors` names each bad row: `/rows/{line}/{column}` for CSV, a JSON pointer for HSDS; or the file has more than 10,000 places */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your imports for this hour are used up (`FIELDLINE_IMPORTS_PER_HOUR`) */
            429: {
                headers: {
                    /** @description seconds until the next import is allowed */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    nearby: {
        parameters: {
            query?: {
                /** @description `nearby`: the search point. */
                latitude?: number;
                longitude?: number;
                /** @description `nearby`: metres, more than 0 and at most 200000; default 25000. */
                radius_m?: number;
                /** @description `within`: the rectangle; `west > east` crosses the antimeridian. */
                west?: number;
                south?: number;
                east?: number;
                north?: number;
                /** @description `nearby`: 1 to 100, default 25; `within`: 1 to 1000, default 200. */
                limit?: number;
                /** @description `json` (default) or `geojson`. */
                format?: string;
                /** @description Comma-separated kinds, e.g. `dv_shelter,safe_house`. */
                kind?: string;
                /** @description Only places whose intake is open now (or at `open_at`). */
                open_now?: boolean;
                /** @description The time `open_now` refers to (RFC 3339); default now. */
                open_at?: string;
                /** @description Only open places with a free bed (or unknown bed counts, like hotel vouchers). */
                has_beds?: boolean;
                accepts_children?: boolean;
                accepts_pets?: boolean;
                wheelchair_accessible?: boolean;
                /** @description ISO 639-1 code a staff member speaks, e.g. `es`. */
                language?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JSON, or an RFC 7946 FeatureCollection with format=geojson */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your searches for this minute are used up (`FIELDLINE_SEARCHES_PER_MINUTE`) */
            429: {
                headers: {
                    /** @description seconds until the next search is allowed */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stale_entries: {
        parameters: {
            query?: {
                /** @description Not updated for this many hours (default `FIELDLINE_DIRECTORY_STALE_HOURS`, 24). */
                hours?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    within: {
        parameters: {
            query?: {
                /** @description `nearby`: the search point. */
                latitude?: number;
                longitude?: number;
                /** @description `nearby`: metres, more than 0 and at most 200000; default 25000. */
                radius_m?: number;
                /** @description `within`: the rectangle; `west > east` crosses the antimeridian. */
                west?: number;
                south?: number;
                east?: number;
                north?: number;
                /** @description `nearby`: 1 to 100, default 25; `within`: 1 to 1000, default 200. */
                limit?: number;
                /** @description `json` (default) or `geojson`. */
                format?: string;
                /** @description Comma-separated kinds, e.g. `dv_shelter,safe_house`. */
                kind?: string;
                /** @description Only places whose intake is open now (or at `open_at`). */
                open_now?: boolean;
                /** @description The time `open_now` refers to (RFC 3339); default now. */
                open_at?: string;
                /** @description Only open places with a free bed (or unknown bed counts, like hotel vouchers). */
                has_beds?: boolean;
                accepts_children?: boolean;
                accepts_pets?: boolean;
                wheelchair_accessible?: boolean;
                /** @description ISO 639-1 code a staff member speaks, e.g. `es`. */
                language?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JSON, or an RFC 7946 FeatureCollection with format=geojson */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your searches for this minute are used up (`FIELDLINE_SEARCHES_PER_MINUTE`) */
            429: {
                headers: {
                    /** @description seconds until the next search is allowed */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_policies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EscalationPolicyList"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_policy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kind: components["schemas"]["AlertKind"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EscalationPolicyInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EscalationPolicy"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record, or not one you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_urgency_policy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kind: components["schemas"]["AlertKind"];
                urgency: components["schemas"]["AlertUrgency"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EscalationPolicyInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EscalationPolicy"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record, or not one you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    feed: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description `<token>.ics` */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/calendar": string;
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    feed_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CalendarFeedStatus"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_feed: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CalendarFeed"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revoke_feed: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    my_shifts: {
        parameters: {
            query?: {
                /** @description RFC 3339; default now. */
                from?: string;
                /** @description How many days from `from` (1 to 183, default 14). */
                days?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyShiftList"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_override: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Taken back */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_schedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleList"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record, or not one you may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    who_is_on_call: {
        parameters: {
            query?: {
                /** @description RFC 3339; default now. */
                at?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OnCall"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    add_override: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OverrideInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShiftView"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shifts: {
        parameters: {
            query: {
                from: string;
                /** @description At most 62 days after `from`. */
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShiftList"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    find_persons: {
        parameters: {
            query: {
                /**
                 * @description One or more words of the name; every word must match a word of the person's name
                 *     (case and common accents ignored). At most 200 characters, at least one a letter or digit.
                 */
                name: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonMatches"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_plan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                person_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyPlan"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_plan: {
        parameters: {
            query?: never;
            header?: {
                /** @description the version edited; required once the plan exists */
                "If-Match"?: string;
            };
            path: {
                person_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SafetyPlanContent"];
            };
        };
        responses: {
            /** @description new version saved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyPlan"];
                };
            };
            /** @description first version saved */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyPlan"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Failed */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Required */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_html: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                person_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html; charset=utf-8": string;
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_text: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                person_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; charset=utf-8": string;
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                person_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyPlanHistory"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                person_id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyPlan"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    parked: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Parked deliveries, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ParkedPushList"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_subscriptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionList"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    subscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewSubscription"];
            };
        };
        responses: {
            /** @description Registered (or updated) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many devices, or the endpoint is registered in another agency */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an https endpoint of a public push service, or bad keys */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    unsubscribe: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    send_test: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued for each of your devices */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestPushQueued"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many test pushes: try again after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    vapid_public_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VapidPublicKey"];
                };
            };
        };
    };
    start: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartCheckin"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Checkin"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the id is another advocate's check-in in your agency */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    checkout: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Checkout"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Checkin"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    extend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExtendCheckin"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Checkin"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the check-in is not active */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    report_location: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LocationReport"];
            };
        };
        responses: {
            /** @description Kept */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no such record of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    duress: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Duress"];
            };
        };
        responses: {
            /** @description Raised */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a field is invalid: see `errors` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    set_duress_code: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DuressCode"];
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the server is hashing as many secrets as it may at once: try again after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    sync: {
        parameters: {
            query?: {
                /** @description From the previous page; absent for a first sync. */
                cursor?: string;
                /** @description Changes per page, 1 to 500, default 200. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SyncPage"];
                };
            };
            /** @description a parameter or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid session: sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description your roles do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
