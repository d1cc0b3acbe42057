//! `/metrics` for operators (issue #17): served on a listener of its own and never on the
//! API's, the figures an operator watches are there after real traffic (requests by route
//! template, alerts raised, delivered, acknowledged and escalated, push attempts by outcome,
//! directory searches, worker items, queue depths and lags, pool use), no label carries an id
//! or personal data, and the Grafana dashboard in `docs/` asks only for metrics that exist.

use fieldline_tests::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// What a client typed in this test that must never appear in a metric.
const PERSONAL: &[&str] = &["Rosalind", "Client Quartz", "801-555", "Quartz Lane"];

/// One sample line: name, labels, value.
type Sample = (String, BTreeMap<String, String>, String);

/// Parses the Prometheus text format's sample lines (the exporter writes label values with
/// `\\`, `\"` and `\n` escaped).
fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, rest) = match line.find('{') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => {
                let (n, v) = line.split_once(' ').expect("name value");
                out.push((n.to_owned(), BTreeMap::new(), v.to_owned()));
                continue;
            }
        };
        let mut labels = BTreeMap::new();
        let mut chars = rest.chars().peekable();
        loop {
            let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
            assert_eq!(chars.next(), Some('"'), "{line}");
            let mut value = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.push(chars.next().expect("escaped")),
                    '"' => break,
                    c => value.push(c),
                }
            }
            labels.insert(key.trim_start_matches(',').to_owned(), value);
            match chars.next() {
                Some(',') => continue,
                Some('}') => break,
                other => panic!("{line}: {other:?}"),
            }
        }
        let value: String = chars.collect();
        out.push((name.to_owned(), labels, value.trim().to_owned()));
    }
    out
}

fn has(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> bool {
    samples.iter().any(|(n, l, _)| {
        n == name
            && labels
                .iter()
                .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
    })
}

/// Every metric name `api/src/measure.rs` declares (the one place they are named).
fn declared_names() -> BTreeSet<String> {
    let source = std::fs::read_to_string(repo_root().join("api/src/measure.rs")).unwrap();
    source
        .split('"')
        .filter(|s| s.starts_with("fieldline_") && !s.contains(' '))
        .map(str::to_owned)
        .collect()
}

/// A histogram's series carry `_bucket`, `_sum` and `_count` after the metric's name.
fn family(name: &str) -> &str {
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn metrics_show_what_operators_watch_and_no_label_carries_personal_data(db: PgPool) {
    let receiver = PushReceiver::start().await;
    let mut server = TestServer::start(db).await;
    let metrics = server.serve_metrics().await;
    let advocate = server.token(ADVOCATE).await;
    let coordinator = server.token(COORDINATOR).await;

    // The coordinator's phone.
    let sub = receiver.subscribe().await;
    let (s, _) = server
        .post(
            &coordinator,
            "/v1/push/subscriptions",
            json!({"endpoint": sub["endpoint"], "expirationTime": null, "keys": sub["keys"]}),
        )
        .await;
    assert_eq!(s, 201);

    // A contact whose screening scores high becomes an alert through the worker, which
    // pushes it to the coordinator on call, who acknowledges it.
    let contact = Uuid::new_v4();
    let (s, v) = server.put(&advocate, &format!("/v1/contacts/{contact}"), json!({
        "occurred_at": chrono::Utc::now(), "setting": "on_scene", "incident_type": "domestic_violence",
        "person": {"id": Uuid::new_v4(), "pseudonym": "Client Quartz", "name": "Rosalind Example",
                   "phone": "801-555-0199", "address": "12 Quartz Lane"},
        "notes": "Rosalind said her partner has a gun", "status": "open",
        "screenings": [high_risk_screening()]
    })).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(server.escalate().await, 1);
    server.push_worker().run_once().await.unwrap();
    let (s, alerts) = server.get(&coordinator, "/v1/alerts").await;
    assert_eq!(s, 200);
    let alert = alerts["alerts"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|a| a["id"].as_str())
        .expect("the high-risk alert")
        .to_owned();
    let (s, v) = server
        .post_empty(&coordinator, &format!("/v1/alerts/{alert}/acknowledge"))
        .await;
    assert_eq!(s, 200, "{v}");

    // A second alert that nobody answers escalates.
    let (s, v) = server.post(&advocate, "/v1/alerts", json!({"id": Uuid::new_v4(), "kind": "advocate_safety", "details": "Rosalind at 12 Quartz Lane"}))
    .await;
    assert_eq!(s, 201, "{v}");
    server.time_passes().await;
    server.escalate().await;

    // A search, a read of an unknown contact (404), a made-up path with a name in it.
    let (s, _) = server
        .get(
            &advocate,
            "/v1/directory/nearby?latitude=40.2338&longitude=-111.6585&radius_m=25000",
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = server
        .get(&advocate, &format!("/v1/contacts/{}", Uuid::new_v4()))
        .await;
    assert_eq!(s, 404);
    let (s, _) = server.get(&advocate, "/v1/people/Rosalind").await;
    assert_eq!(s, 404);

    // Not on the API's address.
    assert_eq!(
        raw()
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let res = raw()
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = res.text().await.unwrap();
    let all = samples(&text);

    // What an operator watches. (The recorder is the process's: other tests' servers may
    // have added to it, never taken away.)
    for (name, labels) in [
        (
            "fieldline_http_request_duration_seconds_count",
            vec![
                ("route", "/v1/contacts/{id}"),
                ("method", "PUT"),
                ("status", "201"),
            ],
        ),
        (
            "fieldline_http_request_duration_seconds_count",
            vec![("route", "/v1/contacts/{id}"), ("status", "404")],
        ),
        (
            "fieldline_http_request_duration_seconds_count",
            vec![("route", "unmatched"), ("status", "404")],
        ),
        (
            "fieldline_alerts_raised_total",
            vec![("kind", "high_risk"), ("urgency", "high")],
        ),
        (
            "fieldline_alerts_raised_total",
            vec![("kind", "advocate_safety")],
        ),
        (
            "fieldline_alert_escalations_total",
            vec![("kind", "advocate_safety")],
        ),
        (
            "fieldline_alert_delivery_seconds_count",
            vec![("kind", "high_risk")],
        ),
        (
            "fieldline_alert_acknowledge_seconds_count",
            vec![("kind", "high_risk")],
        ),
        ("fieldline_push_attempts_total", vec![("outcome", "sent")]),
        (
            "fieldline_directory_searches_total",
            vec![("kind", "nearby")],
        ),
        (
            "fieldline_worker_items_total",
            vec![("job", "alert_request"), ("outcome", "done")],
        ),
        ("fieldline_queue_depth", vec![("queue", "push_deliveries")]),
        (
            "fieldline_queue_lag_seconds",
            vec![("queue", "alert_escalations")],
        ),
        ("fieldline_queue_depth", vec![("queue", "checkins_overdue")]),
        ("fieldline_queue_depth", vec![("queue", "worker_parked")]),
        (
            "fieldline_db_pool_connections",
            vec![("pool", "main"), ("state", "max")],
        ),
        (
            "fieldline_db_pool_connections",
            vec![("pool", "search"), ("state", "in_use")],
        ),
    ] {
        assert!(
            has(&all, name, &labels),
            "{name} {labels:?} missing from:\n{text}"
        );
    }

    // No label carries an id, an e-mail address, a path asked for or anything typed.
    let uuid = |s: &str| {
        s.split(|c: char| !c.is_ascii_hexdigit() && c != '-')
            .any(|w| Uuid::parse_str(w).is_ok())
    };
    let document: Value = raw()
        .get(server.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let templates: BTreeSet<&str> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .chain([
            "unmatched",
            "/app",
            "/app/",
            "/app/{*path}",
            "/docs",
            "/docs/",
            "/docs/{*rest}",
            "/v1/openapi.json",
        ])
        .collect();
    let declared = declared_names();
    for (name, labels, _) in &all {
        assert!(
            declared.contains(family(name)),
            "{name} is not declared in api/src/measure.rs"
        );
        for (key, value) in labels {
            assert!(!uuid(value), "{name} {key}={value}: an id in a label");
            assert!(!value.contains('@'), "{name} {key}={value}");
            for p in PERSONAL {
                assert!(!value.contains(p), "{name} {key}={value}: personal data");
            }
            if key == "route" {
                assert!(
                    templates.contains(value.as_str()),
                    "{name}: route {value} is not a route template"
                );
            } else {
                assert!(
                    value.len() <= 24
                        && value
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '+'),
                    "{name} {key}={value}: not a value from a closed set"
                );
            }
        }
    }
    eprintln!(
        "{} series, {} metric families; every label from a closed set",
        all.len(),
        all.iter()
            .map(|(n, ..)| family(n))
            .collect::<BTreeSet<_>>()
            .len()
    );
}

/// The dashboard in `docs/grafana-dashboard.json` asks only for metrics `measure.rs` declares,
/// and covers each of them.
#[test]
fn the_grafana_dashboard_asks_for_declared_metrics() {
    let text = std::fs::read_to_string(repo_root().join("docs/grafana-dashboard.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let mut exprs = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(e)) = m.get("expr") {
                    out.push(e.clone());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&dashboard, &mut exprs);
    assert!(!exprs.is_empty(), "the dashboard has no queries");
    let declared = declared_names();
    let mut asked = BTreeSet::new();
    for e in &exprs {
        for word in e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("fieldline_") {
                assert!(
                    declared.contains(family(word)),
                    "the dashboard asks for {word}, which measure.rs does not declare"
                );
                asked.insert(family(word).to_owned());
            }
        }
    }
    let unwatched: Vec<_> = declared.difference(&asked).collect();
    assert!(unwatched.is_empty(), "not on the dashboard: {unwatched:?}");
}
