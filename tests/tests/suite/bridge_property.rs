//! A property test of the phone core against the real server: two phones (two users of the demo
//! agency, an advocate and a coordinator; or one advocate on two phones) make random
//! interleavings of contact creates, contact edits, safety-plan saves and alerts with no signal,
//! then come back one after the other (in an order drawn from the seed) through the
//! fault-injecting proxy (answers lost after commit, resets, answers cut short, a captive
//! portal, refusals, delays, drawn from the case's seed) and sync until quiet; conflicts are
//! settled and synced again until there are none. Several such rounds make a case. A small
//! reference model of versions and writers says what the server must hold.
//!
//! **The app in this test** edits a record as the phone shows it and passes as `base_version`
//! the version in the phone's cache (`None` for a contact the phone made and never synced, or
//! a person with no cached plan). A conflict is settled by **keep mine**.
//!
//! **The rule the model keeps** (the server's, see `put_contact` and `put_plan`): a phone's
//! changes to one record go out in the order they were made, each on top of the one before it
//! (a change queued behind an accepted change of the same record is based on the version that
//! change made). A change applies when its base is the record's current version, when it
//! creates the record, or (contacts only) when it has no base and the current version is the
//! same user's; otherwise it is a conflict showing the server's version, and the record's
//! later changes on that phone wait behind it. Keep mine sends it again on top of the version
//! shown. Replays (a change the server already has) change nothing.
//!
//! Asserted after every phase: the outbox holds exactly the conflicts the model predicts (with
//! the server's version), each a real one (the two sides differ; the server's side was written
//! by the other phone); nothing is ever rejected. At the end of a case: each record on the
//! server (version, content, writer) and in both phones' caches is the model's; no duplicates
//! (rows per table, counted against the model); every alert raised is on the server exactly
//! once, and its phone was told it landed exactly once.
//!
//! Deterministic: fixed seeds; the operations and ids are a function of the seed; a fault is a
//! function of the seed, the request and how often it was seen before (see `fault_proxy`), and
//! the properties hold whichever faults a request meets. A failure prints the seed, the mode and the
//! sequence of operations and phases (`FIELDLINE_PROPERTY_TRACE=1` prints it for every case).

use fieldline_bridge::{AlertOutcome, FieldlineError, OutboxState};
use fieldline_tests::fault_proxy::{Fault, FaultProxy};
use fieldline_tests::phone::{Phone, fast_options, unreachable_url};
use fieldline_tests::*;
use fieldline_wire::plans::SafetyPlanContent;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Cases per mode, rounds per case, offline operations per round.
const SEEDS: [u64; 6] = [1, 2, 3, 4, 5, 6];
const ROUNDS: usize = 4;
const OPS_PER_ROUND: usize = 10;

/// The faults between phone and server, per mille of requests (the rest pass).
const MIX: [(Fault, u32); 6] = [
    (Fault::DropAfterCommit, 200),
    (Fault::ResetBeforeForward, 80),
    (Fault::Truncate, 80),
    (Fault::CaptivePortal, 50),
    (Fault::Refuse, 40),
    (Fault::Delay(20), 80),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Phone 0 is the advocate's, phone 1 the coordinator's.
    TwoUsers,
    /// Both phones are the advocate's.
    SameUser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Contact,
    Plan,
}

const PHONE: [&str; 2] = ["A", "B"];

/// What a case did so far, for the failure message.
#[derive(Clone, Default)]
struct Trace(Arc<Mutex<Vec<String>>>);

impl Trace {
    fn log(&self, line: impl Into<String>) {
        self.0.lock().unwrap().push(line.into());
    }
    fn text(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .join("\n  ")
    }
}

/// A version on the server: which change made it and on which phone.
#[derive(Debug, Clone)]
struct Written {
    version: i64,
    tag: String,
    phone: usize,
}

/// A change in a phone's outbox, as the model knows it.
#[derive(Debug, Clone)]
struct Change {
    mutation_id: String,
    kind: Kind,
    /// The contact's id, or the person's for a plan.
    record: Uuid,
    base: Option<i64>,
    tag: String,
    /// Shown as a conflict with this server version.
    conflict: Option<i64>,
}

struct Model {
    /// The user of each phone.
    users: [Uuid; 2],
    records: BTreeMap<(Kind, Uuid), Written>,
    outbox: [Vec<Change>; 2],
}

impl Model {
    /// Phone `p` delivers its outbox in order, per the rule in the module's documentation.
    fn flush(&mut self, p: usize, trace: &Trace) {
        let mut held = BTreeSet::new();
        let mut on_top: BTreeMap<(Kind, Uuid), i64> = BTreeMap::new();
        let mut kept = Vec::new();
        for mut c in std::mem::take(&mut self.outbox[p]) {
            let key = (c.kind, c.record);
            if let Some(v) = on_top.get(&key) {
                c.base = Some(*v);
            }
            if c.conflict.is_some() || held.contains(&key) {
                held.insert(key);
                kept.push(c);
                continue;
            }
            let current = self.records.get(&key).cloned();
            let applies = match &current {
                None => c.base.is_none(),
                Some(w) if c.base == Some(w.version) => true,
                Some(w) => {
                    c.kind == Kind::Contact
                        && c.base.is_none()
                        && self.users[w.phone] == self.users[p]
                }
            };
            if applies {
                let version = current.map_or(1, |w| w.version + 1);
                on_top.insert(key, version);
                trace.log(format!(
                    "    model: {} {:?} {} v{version} ({})",
                    PHONE[p],
                    c.kind,
                    short(c.record),
                    c.tag
                ));
                self.records.insert(
                    key,
                    Written {
                        version,
                        tag: c.tag.clone(),
                        phone: p,
                    },
                );
            } else {
                let w = current.expect("a conflict is with an existing record");
                trace.log(format!(
                    "    model: {} {:?} {} conflict ({} on base {:?}, server v{} by {})",
                    PHONE[p],
                    c.kind,
                    short(c.record),
                    c.tag,
                    c.base,
                    w.version,
                    PHONE[w.phone]
                ));
                c.conflict = Some(w.version);
                held.insert(key);
                kept.push(c);
            }
        }
        self.outbox[p] = kept;
    }

    /// Keep mine: each conflict goes again on top of the version it was shown.
    fn keep_mine(&mut self, p: usize) {
        for c in &mut self.outbox[p] {
            if let Some(v) = c.conflict.take() {
                c.base = Some(v);
            }
        }
    }
}

fn short(id: Uuid) -> String {
    id.to_string()[..8].to_owned()
}

/// A fixed id per seed and number.
fn id(seed: u64, n: u64) -> Uuid {
    uuid::Builder::from_random_bytes(
        ((u128::from(seed) << 64) | u128::from(n) | (0x9A0B << 40)).to_le_bytes(),
    )
    .into_uuid()
}

fn contact_json(person: Uuid, n: u64, tag: &str) -> String {
    let mut c = open_contact(person, &format!("Client {n}"));
    c.occurred_at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    c.notes = Some(tag.into());
    serde_json::to_string(&c).unwrap()
}

fn plan_json(tag: &str) -> String {
    serde_json::to_string(&SafetyPlanContent {
        warning_signs: vec![tag.into()],
        ..SafetyPlanContent::default()
    })
    .unwrap()
}

/// The change's tag in a request body (mine) or a server document (theirs).
fn tag_of(kind: Kind, json: &str) -> Option<String> {
    let v: Value = serde_json::from_str(json).ok()?;
    let t = match kind {
        Kind::Contact => &v["notes"],
        Kind::Plan => v
            .get("content")
            .map_or(&v["warning_signs"][0], |c| &c["warning_signs"][0]),
    };
    t.as_str().map(str::to_owned)
}

const TABLES: [&str; 6] = [
    "contacts",
    "persons",
    "contact_changes",
    "safety_plans",
    "safety_plan_versions",
    "alerts",
];

async fn counts(db: &PgPool) -> BTreeMap<&'static str, i64> {
    let row: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM persons),
                (SELECT count(*) FROM contact_changes), (SELECT count(*) FROM safety_plans),
                (SELECT count(*) FROM safety_plan_versions), (SELECT count(*) FROM alerts)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let n = [row.0, row.1, row.2, row.3, row.4, row.5];
    TABLES.iter().copied().zip(n).collect()
}

struct Case {
    seed: u64,
    mode: Mode,
    server: Arc<TestServer>,
    trace: Trace,
}

impl Case {
    /// Syncs phone `p` until one sync succeeds (its outbox delivered or waiting on conflicts):
    /// every failure must be `Offline`, nothing may be rejected.
    async fn sync_until_quiet(&self, phone: &Phone, p: usize) {
        for attempt in 0..400 {
            match phone.bridge.sync().await {
                Ok(report) => {
                    assert_eq!(report.rejected, 0, "phone {}: {report:?}", PHONE[p]);
                    self.trace.log(format!(
                        "  sync {} ok after {attempt} offline: {report:?}",
                        PHONE[p]
                    ));
                    return;
                }
                Err(FieldlineError::Offline) => {}
                Err(e) => panic!("phone {}: sync: {e:?}", PHONE[p]),
            }
            for item in phone.bridge.outbox().unwrap() {
                assert_ne!(
                    item.state,
                    OutboxState::Rejected,
                    "phone {}: {} {} rejected: {:?}",
                    PHONE[p],
                    item.kind,
                    item.record_id,
                    item.last_error
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("phone {}: sync never succeeded", PHONE[p]);
    }

    /// The phone's outbox (contacts and plans) is the model's: same changes, same conflicts,
    /// and each conflict a real one.
    fn check_outbox(&self, model: &Model, phone: &Phone, p: usize) {
        let actual: Vec<_> = phone
            .bridge
            .outbox()
            .unwrap()
            .into_iter()
            .filter(|i| i.kind == "contact" || i.kind == "safety_plan")
            .collect();
        let got: Vec<(String, OutboxState, Option<i64>)> = actual
            .iter()
            .map(|i| (i.mutation_id.clone(), i.state, i.server_version))
            .collect();
        let want: Vec<(String, OutboxState, Option<i64>)> = model.outbox[p]
            .iter()
            .map(|c| {
                let state = match c.conflict {
                    Some(_) => OutboxState::Conflict,
                    None => OutboxState::Pending,
                };
                (c.mutation_id.clone(), state, c.conflict)
            })
            .collect();
        assert_eq!(
            got, want,
            "phone {}: outbox (id, state, server version)",
            PHONE[p]
        );
        for (item, c) in actual.iter().zip(&model.outbox[p]) {
            if item.state != OutboxState::Conflict {
                continue;
            }
            let mine = tag_of(c.kind, &item.mine_json);
            let theirs = item.server_json.as_deref().and_then(|s| tag_of(c.kind, s));
            assert!(
                theirs.is_some(),
                "phone {}: conflict {} shown without the server's side: {item:?}",
                PHONE[p],
                c.tag
            );
            assert_ne!(mine, theirs, "a conflict whose two sides are the same");
            let w = &model.records[&(c.kind, c.record)];
            assert_eq!(theirs.as_deref(), Some(w.tag.as_str()), "the server's side");
            assert_ne!(w.phone, p, "a conflict with the phone's own change");
        }
    }

    /// Phone `p` comes online, syncs until quiet, and goes offline again.
    async fn phase(&self, model: &mut Model, phone: &Phone, p: usize, proxy: &FaultProxy) {
        phone.bridge.set_server_url(proxy.url.clone()).unwrap();
        self.sync_until_quiet(phone, p).await;
        model.flush(p, &self.trace);
        self.check_outbox(model, phone, p);
        phone
            .bridge
            .set_server_url(unreachable_url().await)
            .unwrap();
    }

    /// Both phones sync until their caches hold the model's versions.
    async fn catch_up(&self, model: &Model, phones: &[Phone; 2], proxy: &FaultProxy) {
        for (p, phone) in phones.iter().enumerate() {
            phone.bridge.set_server_url(proxy.url.clone()).unwrap();
            let mut last = String::new();
            let mut ok = false;
            for _ in 0..100 {
                self.sync_until_quiet(phone, p).await;
                last = cache_differences(model, phone);
                if last.is_empty() {
                    ok = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert!(ok, "phone {}: its cache never caught up: {last}", PHONE[p]);
        }
    }
}

fn cache_differences(model: &Model, phone: &Phone) -> String {
    let mut out = Vec::new();
    for ((kind, record), w) in &model.records {
        let cached = match kind {
            Kind::Contact => phone.bridge.cached_contact(record.to_string()).unwrap(),
            Kind::Plan => phone.bridge.cached_safety_plan(record.to_string()).unwrap(),
        };
        let got = cached.map(|c| (c.version, tag_of(*kind, &c.json)));
        let want = Some((Some(w.version), Some(w.tag.clone())));
        if got != want {
            out.push(format!(
                "{kind:?} {}: cached {got:?}, model {want:?}",
                short(*record)
            ));
        }
    }
    out.join("; ")
}

/// One case: `ROUNDS` rounds of offline operations on both phones, each followed by both
/// phones syncing (in an order drawn from the seed) and conflicts settled.
async fn run_case(case: Arc<Case>) -> usize {
    let (seed, mode, server, trace) = (case.seed, case.mode, &case.server, &case.trace);
    let db = &server.db;
    let before = counts(db).await;
    let proxy = FaultProxy::start(server.addr).await;
    let users = match mode {
        Mode::TwoUsers => [ADVOCATE, COORDINATOR],
        Mode::SameUser => [ADVOCATE, ADVOCATE],
    };
    let mut phones = [
        Phone::install_with(&proxy.url, fast_options()),
        Phone::install_with(&proxy.url, fast_options()),
    ];
    for (phone, user) in phones.iter().zip(users) {
        phone.login(user).await;
    }
    let mut model = Model {
        users: [
            server.user_id(users[0]).await,
            server.user_id(users[1]).await,
        ],
        records: BTreeMap::new(),
        outbox: [Vec::new(), Vec::new()],
    };
    proxy.random(seed, "/v1/", &MIX);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut next_id = 0u64;
    // Contacts each phone knows (made there, or synced to it), with their person and number.
    let mut known: [BTreeSet<Uuid>; 2] = Default::default();
    let mut person_of: BTreeMap<Uuid, (Uuid, u64)> = BTreeMap::new();
    let mut alerts: [Vec<String>; 2] = Default::default();

    for round in 1..=ROUNDS {
        let offline = unreachable_url().await;
        for phone in &phones {
            phone.bridge.set_server_url(offline.clone()).unwrap();
        }
        for op in 0..OPS_PER_ROUND {
            let p = rng.gen_range(0..2);
            let phone = &phones[p];
            let tag = format!("r{round}.{op}.{}", PHONE[p]);
            // Creates mostly in the first round; later, most changes go to a few records both
            // phones know, so that they meet.
            let roll = rng.gen_range(0..100);
            let kind = match (known[p].is_empty(), round) {
                (true, _) => roll % 25,
                (false, 1) => roll,
                (false, _) => 18 + roll * 82 / 100,
            };
            let pick = |rng: &mut StdRng, known: &BTreeSet<Uuid>| {
                let hot = known.len().min(3);
                let n = if rng.gen_bool(0.75) {
                    rng.gen_range(0..hot)
                } else {
                    rng.gen_range(0..known.len())
                };
                *known.iter().nth(n).expect("a known contact")
            };
            if kind < 25 {
                let n = next_id;
                next_id += 2;
                let (contact, person) = (id(seed, n), id(seed, n + 1));
                let q = phone
                    .bridge
                    .save_contact(
                        Some(contact.to_string()),
                        contact_json(person, n, &tag),
                        None,
                    )
                    .await
                    .unwrap();
                trace.log(format!(
                    "r{round} {} create contact {} (person {}) {tag}",
                    PHONE[p],
                    short(contact),
                    short(person)
                ));
                known[p].insert(contact);
                person_of.insert(contact, (person, n));
                model.outbox[p].push(Change {
                    mutation_id: q.mutation_id,
                    kind: Kind::Contact,
                    record: contact,
                    base: None,
                    tag,
                    conflict: None,
                });
            } else if kind < 60 {
                let contact = pick(&mut rng, &known[p]);
                let (person, n) = person_of[&contact];
                let base = phone
                    .bridge
                    .cached_contact(contact.to_string())
                    .unwrap()
                    .and_then(|c| c.version);
                let q = phone
                    .bridge
                    .save_contact(
                        Some(contact.to_string()),
                        contact_json(person, n, &tag),
                        base,
                    )
                    .await
                    .unwrap();
                trace.log(format!(
                    "r{round} {} edit contact {} base {base:?} {tag}",
                    PHONE[p],
                    short(contact)
                ));
                model.outbox[p].push(Change {
                    mutation_id: q.mutation_id,
                    kind: Kind::Contact,
                    record: contact,
                    base,
                    tag,
                    conflict: None,
                });
            } else if kind < 85 {
                let (person, _) = person_of[&pick(&mut rng, &known[p])];
                let base = phone
                    .bridge
                    .cached_safety_plan(person.to_string())
                    .unwrap()
                    .and_then(|c| c.version);
                let q = phone
                    .bridge
                    .save_safety_plan(person.to_string(), plan_json(&tag), base)
                    .await
                    .unwrap();
                trace.log(format!(
                    "r{round} {} save plan of {} base {base:?} {tag}",
                    PHONE[p],
                    short(person)
                ));
                model.outbox[p].push(Change {
                    mutation_id: q.mutation_id,
                    kind: Kind::Plan,
                    record: person,
                    base,
                    tag,
                    conflict: None,
                });
            } else {
                let outcome = phone
                    .bridge
                    .raise_alert("high_risk".into(), Some(tag.clone()), None)
                    .await
                    .unwrap();
                let AlertOutcome::NotDelivered { alert_id, .. } = outcome else {
                    panic!("an alert with no signal: {outcome:?}");
                };
                trace.log(format!("r{round} {} alert {alert_id} {tag}", PHONE[p]));
                alerts[p].push(alert_id);
            }
        }

        // Back in signal, one phone after the other; then conflicts, kept mine, until none.
        let first = rng.gen_range(0..2);
        let order = [first, 1 - first];
        for p in order {
            trace.log(format!("r{round} phase {}", PHONE[p]));
            case.phase(&mut model, &phones[p], p, &proxy).await;
        }
        for settle in 0.. {
            assert!(settle < 6, "conflicts never settled");
            let mut any = false;
            for p in order {
                let conflicts: Vec<_> = phones[p]
                    .bridge
                    .outbox()
                    .unwrap()
                    .into_iter()
                    .filter(|i| i.state == OutboxState::Conflict)
                    .collect();
                if conflicts.is_empty() {
                    continue;
                }
                any = true;
                phones[p].bridge.set_server_url(proxy.url.clone()).unwrap();
                for item in &conflicts {
                    trace.log(format!(
                        "r{round} {} keeps mine over v{:?}: {} {}",
                        PHONE[p],
                        item.server_version,
                        item.kind,
                        &item.record_id[..8]
                    ));
                    phones[p]
                        .bridge
                        .resolve_conflict(item.mutation_id.clone(), true)
                        .await
                        .unwrap();
                }
                model.keep_mine(p);
                case.phase(&mut model, &phones[p], p, &proxy).await;
            }
            if !any {
                break;
            }
        }
        for p in 0..2 {
            assert!(model.outbox[p].is_empty(), "model outbox {}", PHONE[p]);
            known[p].extend(
                model
                    .records
                    .keys()
                    .filter(|(k, _)| *k == Kind::Contact)
                    .map(|(_, id)| *id),
            );
        }
        trace.log(format!("r{round} catch up"));
        case.catch_up(&model, &phones, &proxy).await;
    }

    // Every alert: on the server once, its phone told once.
    for (p, phone) in phones.iter_mut().enumerate() {
        phone.bridge.set_server_url(proxy.url.clone()).unwrap();
        for _ in 0..400 {
            if phone.bridge.outbox().unwrap().is_empty() {
                break;
            }
            let _ = phone.bridge.sync().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            phone.bridge.outbox().unwrap().is_empty(),
            "{} outbox",
            PHONE[p]
        );
        let mut told = Vec::new();
        while told.len() < alerts[p].len() {
            let next = tokio::time::timeout(Duration::from_secs(30), phone.delivered.recv())
                .await
                .expect("an alert was never reported delivered")
                .expect("observer");
            told.push(next);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        while let Ok(extra) = phone.delivered.try_recv() {
            told.push(extra);
        }
        let mut raised = alerts[p].clone();
        raised.sort();
        told.sort();
        assert_eq!(
            told, raised,
            "phone {}: alerts reported delivered",
            PHONE[p]
        );
        let ids: Vec<Uuid> = raised.iter().map(|a| a.parse().unwrap()).collect();
        let on_server: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_one(db)
            .await
            .unwrap();
        assert_eq!(on_server, ids.len() as i64, "phone {}: alerts", PHONE[p]);
    }

    // The server holds the model's last writes, by the model's writers.
    let reader = server.login(ADVOCATE).await;
    for ((kind, record), w) in &model.records {
        let (version, tag, by) = match kind {
            Kind::Contact => {
                let c = reader.contact(*record).await.unwrap();
                let by: Uuid = sqlx::query_scalar(
                    "SELECT coalesce(updated_by, advocate_id) FROM contacts WHERE id = $1",
                )
                .bind(record)
                .fetch_one(db)
                .await
                .unwrap();
                (c.version, c.notes, by)
            }
            Kind::Plan => {
                let s = reader.safety_plan(*record).await.unwrap();
                (
                    s.version,
                    s.content.warning_signs.first().cloned(),
                    s.saved_by,
                )
            }
        };
        assert_eq!(
            (version, tag.as_deref(), by),
            (w.version, Some(w.tag.as_str()), model.users[w.phone]),
            "{kind:?} {record} on the server"
        );
    }

    // No duplicates: each table grew by what the model made.
    let after = counts(db).await;
    let sum = |k: Kind| -> i64 {
        model
            .records
            .iter()
            .filter(|((kind, _), _)| *kind == k)
            .map(|(_, w)| w.version)
            .sum()
    };
    let contacts = model
        .records
        .keys()
        .filter(|(k, _)| *k == Kind::Contact)
        .count() as i64;
    let plans = model
        .records
        .keys()
        .filter(|(k, _)| *k == Kind::Plan)
        .count() as i64;
    let raised = (alerts[0].len() + alerts[1].len()) as i64;
    let want = BTreeMap::from([
        ("contacts", contacts),
        ("persons", contacts),
        ("contact_changes", sum(Kind::Contact)),
        ("safety_plans", plans),
        ("safety_plan_versions", sum(Kind::Plan)),
        ("alerts", raised),
    ]);
    let grew: BTreeMap<&str, i64> = TABLES.iter().map(|t| (*t, after[t] - before[t])).collect();
    assert_eq!(grew, want, "rows added per table");

    let log = proxy.log();
    let tally = |f: Fault| log.iter().filter(|s| s.fault == f).count();
    let conflicts = trace
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("keeps mine"))
        .count();
    eprintln!(
        "seed {seed} {mode:?}: {contacts} contacts ({} versions), {plans} plans ({} versions), \
         {raised} alerts, {conflicts} conflicts kept mine; {} requests: {} answers lost after \
         commit, {} cut short, {} reset, {} refused, {} portal, {} delayed",
        sum(Kind::Contact),
        sum(Kind::Plan),
        log.len(),
        tally(Fault::DropAfterCommit),
        tally(Fault::Truncate),
        tally(Fault::ResetBeforeForward),
        tally(Fault::Refuse),
        tally(Fault::CaptivePortal),
        log.iter()
            .filter(|s| matches!(s.fault, Fault::Delay(_)))
            .count(),
    );
    if std::env::var_os("FIELDLINE_PROPERTY_TRACE").is_some() {
        eprintln!("  {}", trace.text());
    }
    conflicts
}

async fn run(db: PgPool, mode: Mode) {
    let server = Arc::new(TestServer::start(db).await);
    let mut conflicts = 0;
    for seed in SEEDS {
        let case = Arc::new(Case {
            seed,
            mode,
            server: server.clone(),
            trace: Trace::default(),
        });
        match tokio::spawn(run_case(case.clone())).await {
            Ok(n) => conflicts += n,
            Err(e) => {
                let why = e
                    .try_into_panic()
                    .ok()
                    .and_then(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    })
                    .unwrap_or_else(|| "cancelled".into());
                panic!(
                    "seed {seed}, {mode:?} failed: {why}\noperations and phases:\n  {}",
                    case.trace.text()
                );
            }
        }
    }
    assert!(conflicts > 0, "the seeds make no conflict: choose others");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn two_advocates_offline_on_two_phones_converge_to_the_last_writes(db: PgPool) {
    run(db, Mode::TwoUsers).await;
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn one_advocate_offline_on_two_phones_converges_to_the_last_writes(db: PgPool) {
    run(db, Mode::SameUser).await;
}
