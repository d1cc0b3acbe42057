//! Safety plans: versions guarded by If-Match, history, sealing at rest, discreet exports,
//! audit, sync, roles and agencies.

use fieldline_tests::*;
use fieldline_wire::plans::{EmergencyContact, SafetyPlanContent};
use fieldline_wire::problem::types;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const SIGN: &str = "He hides the car keys when he starts drinking";
const CODE_WORD: &str = "periwinkle umbrella";

fn plan() -> SafetyPlanContent {
    let mut c = SafetyPlanContent {
        warning_signs: vec![SIGN.into(), "Checks my phone at night".into()],
        safe_places: vec!["Neighbour in 4B".into()],
        code_word: Some(CODE_WORD.into()),
        emergency_contacts: vec![EmergencyContact {
            name: "Rosa".into(),
            phone: "801-555-0123".into(),
            relationship: Some("sister".into()),
        }],
        children: vec!["Kids know to go to the neighbour".into()],
        technology: vec!["Turn off location sharing".into()],
        work_or_school: vec!["Tell the front desk".into()],
        support_and_self_care: vec!["Tuesday group".into()],
        ..Default::default()
    };
    c.leaving.go_bag = vec!["Spare keys".into(), "Medication".into()];
    c.leaving.documents = vec!["Birth certificates".into()];
    c.leaving.plan = vec!["Leave while he is at work".into()];
    c
}

fn plan_url(server: &TestServer, person: Uuid, rest: &str) -> String {
    server.url(&format!("/v1/persons/{person}/safety-plan{rest}"))
}

struct Answer {
    status: u16,
    etag: Option<String>,
    body: Value,
}

async fn save(
    server: &TestServer,
    token: &str,
    person: Uuid,
    body: &Value,
    if_match: Option<&str>,
) -> Answer {
    let mut req = raw()
        .put(plan_url(server, person, ""))
        .bearer_auth(token)
        .json(body);
    if let Some(m) = if_match {
        req = req.header("if-match", m);
    }
    let res = req.send().await.unwrap();
    Answer {
        status: res.status().as_u16(),
        etag: res
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: res.json().await.unwrap_or(Value::Null),
    }
}

async fn get(token: &str, url: String) -> Answer {
    let res = raw().get(url).bearer_auth(token).send().await.unwrap();
    Answer {
        status: res.status().as_u16(),
        etag: res
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: res.json().await.unwrap_or(Value::Null),
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn every_save_is_a_version_guarded_by_if_match(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let p = server.new_person(&t).await;
    let advocate = server.user_id(ADVOCATE).await;

    // No plan yet.
    assert_eq!(get(&t, plan_url(&server, p, "")).await.status, 404);

    let v1 = json!(plan());
    let first = save(&server, &t, p, &v1, None).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.etag.as_deref(), Some("\"1\""));
    assert_eq!(first.body["version"], 1);
    assert_eq!(first.body["person_id"], p.to_string());
    assert_eq!(first.body["saved_by"], advocate.to_string());
    assert_eq!(first.body["content"], v1);

    let current = get(&t, plan_url(&server, p, "")).await;
    assert_eq!(
        (current.status, current.etag.as_deref()),
        (200, Some("\"1\""))
    );
    assert_eq!(current.body, first.body);

    // A coordinator edits version 1.
    let c = server.token(COORDINATOR).await;
    let mut edited = plan();
    edited.safe_places.push("Library on 5th".into());
    let v2 = json!(edited);
    let second = save(&server, &c, p, &v2, Some("\"1\"")).await;
    assert_eq!(
        (second.status, second.etag.as_deref()),
        (200, Some("\"2\""))
    );
    assert_eq!(second.body["version"], 2);
    assert_eq!(second.body["content"], v2);

    // Someone still holding version 1 is told the current version.
    let mut stale = plan();
    stale.children.clear();
    let s = save(&server, &t, p, &json!(stale), Some("\"1\"")).await;
    assert_eq!(
        (
            s.status,
            s.body["type"].as_str(),
            s.body["current_version"].as_i64()
        ),
        (412, Some(types::PRECONDITION_FAILED), Some(2))
    );
    assert_eq!(s.etag.as_deref(), Some("\"2\""));
    // Without If-Match a later save is refused; a malformed one is a bad request.
    let s = save(&server, &t, p, &json!(stale), None).await;
    assert_problem!(s.status, s.body, 428, types::PRECONDITION_REQUIRED);
    let s = save(&server, &t, p, &json!(stale), Some("two")).await;
    assert_eq!(s.status, 400);

    // A phone replaying the save whose answer it lost gets that version back, nothing new.
    let replay = save(&server, &c, p, &v2, Some("\"1\"")).await;
    assert_eq!(
        (replay.status, replay.body["version"].as_i64()),
        (200, Some(2))
    );
    assert_eq!(replay.body, second.body);
    // The same content from someone else is not a replay.
    assert_eq!(save(&server, &t, p, &v2, Some("\"1\"")).await.status, 412);

    let third = save(&server, &t, p, &json!(stale), Some("\"2\"")).await;
    assert_eq!((third.status, third.etag.as_deref()), (200, Some("\"3\"")));

    // History: every version in order; old versions read back exactly as saved.
    let history = get(&t, plan_url(&server, p, "/versions")).await;
    assert_eq!(history.status, 200);
    let versions: Vec<(i64, String)> = history.body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["saved_by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let coordinator = server.user_id(COORDINATOR).await.to_string();
    assert_eq!(
        versions,
        vec![
            (1, advocate.to_string()),
            (2, coordinator),
            (3, advocate.to_string())
        ]
    );
    assert!(history.body["versions"][0].get("content").is_none());
    let old = get(&t, plan_url(&server, p, "/versions/1")).await;
    assert_eq!((old.status, &old.body), (200, &first.body));
    let old = get(&t, plan_url(&server, p, "/versions/2")).await;
    assert_eq!(old.body, second.body);
    for missing in ["/versions/4", "/versions/0", "/versions/-1", "/versions/x"] {
        assert_eq!(
            get(&t, plan_url(&server, p, missing)).await.status,
            404,
            "{missing}"
        );
    }
    assert_eq!(get(&t, plan_url(&server, p, "")).await.body["version"], 3);

    // The versions are in the database as saved: one plan, three versions, kept.
    assert_eq!(count(&db, "SELECT count(*) FROM safety_plans").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM safety_plan_versions").await,
        3
    );
    let delete = sqlx::query("DELETE FROM safety_plan_versions")
        .execute(&db)
        .await;
    assert!(delete.is_err(), "versions cannot be deleted");
    // Phones sync one change per save.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_changes WHERE record_type = 'safety_plan'"
        )
        .await,
        3
    );
    let synced: Vec<Uuid> =
        sqlx::query_scalar("SELECT record_id FROM sync_changes WHERE record_type = 'safety_plan'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(synced.iter().all(|id| id.to_string() == first.body["id"]));
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn two_editors_of_the_same_version_cannot_both_win(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let c = server.token(COORDINATOR).await;
    let p = server.new_person(&t).await;

    // Two first saves at once: one creates the plan, the other must reload.
    let firsts = [(t.clone(), "first phone"), (c.clone(), "second phone")].map(|(tok, item)| {
        let url = plan_url(&server, p, "");
        let mut body = plan();
        body.safe_places = vec![item.into()];
        tokio::spawn(async move {
            raw()
                .put(url)
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for f in firsts {
        statuses.push(f.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, vec![201, 428]);

    // Two phones that both read version 1 save at the same time.
    for round in 0..3 {
        let base = format!("\"{}\"", round + 1);
        let sends = [(t.clone(), "edit A"), (c.clone(), "edit B")].map(|(tok, item)| {
            let url = plan_url(&server, p, "");
            let mut body = plan();
            body.warning_signs = vec![format!("{item} {round}")];
            let base = base.clone();
            tokio::spawn(async move {
                let res = raw()
                    .put(url)
                    .bearer_auth(tok)
                    .header("if-match", base)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        });
        let mut answers = Vec::new();
        for s in sends {
            answers.push(s.await.unwrap());
        }
        answers.sort_by_key(|(s, _)| *s);
        assert_eq!(answers[0].0, 200, "{answers:?}");
        assert_eq!(answers[0].1["version"], round + 2);
        assert_eq!(answers[1].0, 412, "{answers:?}");
        assert_eq!(answers[1].1["current_version"], round + 2);
    }
    assert_eq!(
        count(&db, "SELECT count(*) FROM safety_plan_versions").await,
        4
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn plan_content_is_sealed_at_rest_and_kept_out_of_the_audit_log(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let p = server.new_person(&t).await;
    let first = save(&server, &t, p, &json!(plan()), None).await;
    let plan_id = first.body["id"].as_str().unwrap().to_owned();
    save(&server, &t, p, &json!(plan()), Some("\"1\"")).await;
    get(&t, plan_url(&server, p, "")).await;
    get(&t, plan_url(&server, p, "/versions")).await;
    get(&t, plan_url(&server, p, "/versions/1")).await;
    for export in ["/export.txt", "/export.html"] {
        let res = raw()
            .get(plan_url(&server, p, export))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    let dump: String = sqlx::query_scalar(
        "SELECT string_agg(t, ' ') FROM (
             SELECT row_to_json(v)::text AS t FROM safety_plan_versions v
             UNION ALL SELECT encode(content_sealed, 'escape') FROM safety_plan_versions
             UNION ALL SELECT row_to_json(p)::text FROM safety_plans p
             UNION ALL SELECT row_to_json(a)::text FROM audit_log a) x",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    for secret in [
        SIGN,
        "car keys",
        CODE_WORD,
        "periwinkle",
        "801-555-0123",
        "Rosa",
    ] {
        assert!(!dump.contains(secret), "{secret} stored in plaintext");
    }

    // Each read, export and save is audited against the plan, without its text.
    let admin = server.login(ADMIN).await;
    let page = admin
        .audit_log(&format!("record_id={plan_id}"))
        .await
        .unwrap();
    let mut seen: Vec<(String, Value)> = page
        .entries
        .iter()
        .map(|e| {
            assert_eq!(e.record_type, "safety_plan");
            (e.action.clone(), e.details.clone())
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
    assert_eq!(
        seen,
        vec![
            (
                "safety_plan.export".into(),
                json!({"format": "html", "version": 2})
            ),
            (
                "safety_plan.export".into(),
                json!({"format": "txt", "version": 2})
            ),
            (
                "safety_plan.read".into(),
                json!({"count": 2, "history": true})
            ),
            ("safety_plan.read".into(), json!({"version": 1})),
            ("safety_plan.read".into(), json!({"version": 2})),
            ("safety_plan.save".into(), json!({"version": 1})),
            ("safety_plan.save".into(), json!({"version": 2})),
        ]
    );
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn exports_are_discreet_and_escaped(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let p = server.new_person(&t).await;
    let mut content = plan();
    content
        .safe_places
        .push("<script>alert('x')</script> & <b>\"bold\"</b>".into());
    content
        .technology
        .push("Check https://example.org/tracker".into());
    let saved = save(&server, &t, p, &json!(content), None).await;
    assert_eq!(saved.status, 201);

    let fetch = |path: &'static str| {
        let url = plan_url(&server, p, path);
        let t = t.clone();
        async move {
            let res = raw().get(url).bearer_auth(t).send().await.unwrap();
            let h = |n: &str| {
                res.headers()
                    .get(n)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default()
            };
            let headers = (
                res.status().as_u16(),
                h("content-type"),
                h("content-disposition"),
                h("cache-control"),
            );
            (headers, res.text().await.unwrap())
        }
    };

    let ((status, ctype, disposition, cache), text) = fetch("/export.txt").await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "text/plain; charset=utf-8");
    assert_eq!(disposition, "attachment; filename=\"plan.txt\"");
    assert_eq!(cache, "no-store");
    assert!(text.starts_with("My plan\n"));
    for item in [
        SIGN,
        CODE_WORD,
        "Rosa (sister): 801-555-0123",
        "Birth certificates",
        "Spare keys",
        "Leave while he is at work",
        "Tuesday group",
    ] {
        assert!(text.contains(item), "{item} missing from the text export");
    }

    let ((status, ctype, disposition, cache), html) = fetch("/export.html").await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "text/html; charset=utf-8");
    assert_eq!(disposition, "attachment; filename=\"plan.html\"");
    assert_eq!(cache, "no-store");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>My plan</title>"));
    assert!(html.contains(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;&quot;bold&quot;&lt;/b&gt;"
    ));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains(SIGN) && html.contains(CODE_WORD));
    // The victim's own text may hold an address; nothing of ours may (the one in an item is
    // checked escaped as text, not as a link).
    let ours = html.replace("Check https://example.org/tracker", "");
    for leak in [
        "Demo County",
        "Victim Services",
        "Fieldline",
        "fieldline",
        "http://",
        "https://",
        "src=",
        "href=",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!ours.contains(leak), "the HTML export contains {leak}");
        assert!(
            !text
                .replace("Check https://example.org/tracker", "")
                .contains(leak),
            "the text export contains {leak}"
        );
    }
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn other_agencies_get_404_and_other_roles_403(db: PgPool) {
    let server = TestServer::start(db).await;
    let t = server.token(ADVOCATE).await;
    let p = server.new_person(&t).await;
    assert_eq!(save(&server, &t, p, &json!(plan()), None).await.status, 201);

    let paths = [
        "",
        "/versions",
        "/versions/1",
        "/export.txt",
        "/export.html",
    ];
    let statuses = |tok: String| {
        let urls: Vec<String> = paths.iter().map(|x| plan_url(&server, p, x)).collect();
        let put_url = plan_url(&server, p, "");
        async move {
            let mut out = Vec::new();
            for u in urls {
                out.push(
                    raw()
                        .get(u)
                        .bearer_auth(&tok)
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16(),
                );
            }
            for if_match in [None, Some("\"1\"")] {
                let mut req = raw().put(&put_url).bearer_auth(&tok).json(&plan());
                if let Some(m) = if_match {
                    req = req.header("if-match", m);
                }
                out.push(req.send().await.unwrap().status().as_u16());
            }
            out
        }
    };
    let other = server.token(OTHER_ADVOCATE).await;
    assert_eq!(statuses(other.clone()).await, vec![404; 7]);
    for email in [HOUSING, ADMIN, OTHER_ADMIN] {
        assert_eq!(
            statuses(server.token(email).await).await,
            vec![403; 7],
            "{email}"
        );
    }
    // Another agency's advocate cannot create a plan for our person either, nor for a person
    // that does not exist.
    let ghost = Uuid::new_v4();
    assert_eq!(
        save(&server, &other, ghost, &json!(plan()), None)
            .await
            .status,
        404
    );
    assert_eq!(
        save(&server, &t, ghost, &json!(plan()), None).await.status,
        404
    );
    // Our plan is untouched.
    let current = get(&t, plan_url(&server, p, "")).await;
    assert_eq!(current.body["version"], 1);
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn bad_plans_get_field_errors(db: PgPool) {
    let server = TestServer::start(db.clone()).await;
    let t = server.token(ADVOCATE).await;
    let p = server.new_person(&t).await;
    let mut bad = plan();
    bad.warning_signs.push("x".repeat(501));
    bad.safe_places.push("   ".into());
    bad.code_word = Some(format!("{CODE_WORD} {}", "y".repeat(100)));
    bad.leaving.documents = vec!["passport".into(); 51];
    bad.emergency_contacts.push(EmergencyContact {
        name: "".into(),
        phone: "1".repeat(41),
        relationship: None,
    });
    let s = save(&server, &t, p, &json!(bad), None).await;
    assert_problem!(s.status, s.body, 422, types::VALIDATION);
    let mut pointers: Vec<&str> = s.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        vec![
            "/code_word",
            "/emergency_contacts/1/name",
            "/emergency_contacts/1/phone",
            "/leaving/documents",
            "/safe_places/1",
            "/warning_signs/2",
        ]
    );
    assert!(!s.body.to_string().contains(CODE_WORD));

    // Unknown fields and wrong types point at themselves too.
    let s = save(
        &server,
        &t,
        p,
        &json!({"warning_signs": ["ok"], "leaving": {"go_bag": [], "car": []}}),
        None,
    )
    .await;
    assert_field_error!(s.status, s.body, "/leaving/car");
    let s = save(&server, &t, p, &json!({"children": "two"}), None).await;
    assert_field_error!(s.status, s.body, "/children");
    assert_eq!(count(&db, "SELECT count(*) FROM safety_plans").await, 0);

    // An empty plan is a plan: every section may be left out.
    let s = save(&server, &t, p, &json!({}), None).await;
    assert_eq!(s.status, 201);
    assert_eq!(s.body["content"], json!(SafetyPlanContent::default()));
}
