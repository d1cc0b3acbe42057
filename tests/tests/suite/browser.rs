//! The web app (`web/`) in real headless Chromium against the real server and PostGIS: the
//! browser flows in `web/tests/e2e.mjs`, driven with playwright-core, in three tests (the
//! coordinator and housing manager, the advocate, no signal or no server) that run beside each
//! other. Each starts the server as `fieldline serve` runs it (HTTP, push delivery worker,
//! escalation worker) and the push-receiver peer, then runs its scenario with `node` and fails
//! if any flow fails.
//!
//! A module of their own, named to sort early: libtest starts tests in name order, and these
//! are the suite's longest (15 to 25 s each), so they start among the first and the short tests
//! fill the end instead of waiting cores (issue #17).
//!
//! Needs `web/dist` built, `web/node_modules` installed and Chromium at `/usr/bin/chromium`
//! (or `FIELDLINE_CHROMIUM`): `scripts/test` provides all three.

use super::web::run_browser;
use fieldline_tests::*;
use sqlx::PgPool;

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn flows_of_the_coordinator_and_the_housing_manager(db: PgPool) {
    browser_flows(
        db,
        "coordinator-housing",
        &[
            "coordinator enables alerts and gets the notification",
            "coordinator acknowledges in the app",
            "coordinator resolves from the notification button",
            "coordinator acknowledges and calls the raiser in 2 taps from the push",
            "coordinator resolves a duress alert with a closing note",
            "coordinator sees colleagues on call by name",
            "coordinator sees times with their zone, numbers and the week",
            "coordinator covers tonight once, and can undo it",
            "housing manager's table lists every page of the agency's places",
            "housing manager updates availability",
            "housing manager resolves an edit conflict",
            "housing manager sets what advocates filter on, with problems at their fields",
            "housing manager sees the bad import row",
        ],
    )
    .await;
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn flows_of_the_advocate(db: PgPool) {
    browser_flows(
        db,
        "advocate",
        &[
            "messages in plain words, numbers as typed",
            "advocate searches near a typed ZIP code or town",
            "advocate records a contact offline",
            "advocate sees each problem at its field, in plain words",
            "advocate runs the LAP screen",
            "advocate runs the DASH checklist",
            "advocate sees every alert they raised, its state and who acknowledged it",
            "advocate finds a plan by pseudonym, keeps unsaved edits and hands over a discreet copy",
            "quick exit",
            "reopening after a quick exit asks for the password",
            "advocate raises duress from any screen in 2 taps, with numbers to call offline",
            "advocate's duress without signal is queued and sent once when the connection returns",
            "advocate sets a duress code in the app and a check-in sends the location",
        ],
    )
    .await;
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn flows_without_signal_or_server(db: PgPool) {
    browser_flows(
        db,
        "resilience",
        &[
            "the outbox's backoff rule",
            "advocate reopening after the idle limit is signed out, the queue kept sealed",
            "the queued contact is sent after signing in again",
            "advocate's outbox survives a captive portal and a lost answer",
            "advocate's outbox waits out a busy server and says why",
        ],
    )
    .await;
}

/// Runs one scenario of `web/tests/e2e.mjs` against a server of its own, with the push worker,
/// the escalation worker and the push receiver, and checks that each of `flows` ran.
async fn browser_flows(db: PgPool, scenario: &str, flows: &[&str]) {
    let web = repo_root().join("web");
    assert!(
        web.join("dist/index.html").exists(),
        "web/dist is not built: run scripts/test (or `npm ci && npm run build` in web/)"
    );
    let mut server = TestServer::start(db).await;
    server.start_push_worker();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let escalation = tokio::spawn(fieldline_api::jobs::run_escalation(
        server.db.clone(),
        server.config.data_keys.clone(),
        server.config.worker_poll,
        async move {
            let _ = stopped.await;
        },
    ));
    let receiver = PushReceiver::start().await;
    let passed = run_browser(&server, Some(&receiver), scenario).await;
    let _ = stop.send(());
    let _ = escalation.await;
    for flow in flows {
        assert!(passed.iter().any(|p| p == flow), "flow not run: {flow}");
    }
}
