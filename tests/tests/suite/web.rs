//! The web app (`web/`): its files as the server serves them, its types against the server's,
//! and the stale flag in real headless Chromium (the long browser flows are in `browser.rs`).
//!
//! Needs `web/dist` built, `web/node_modules` installed and Chromium at `/usr/bin/chromium`
//! (or `FIELDLINE_CHROMIUM`): `scripts/test` provides all three.

use fieldline_tests::*;
use sqlx::PgPool;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The app flags stale availability by the server's `FIELDLINE_DIRECTORY_STALE_HOURS`, not by
/// a threshold of its own: with 2 hours, places last updated 3 to 20 hours ago are flagged.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_app_flags_stale_by_the_servers_threshold(db: PgPool) {
    let web = repo_root().join("web");
    assert!(
        web.join("dist/index.html").exists(),
        "web/dist is not built: run scripts/test"
    );
    let server = TestServer::start_with(db, &[("FIELDLINE_DIRECTORY_STALE_HOURS", "2")]).await;
    // The demo's closed place, last updated long ago: not stale (nobody keeps a closed place's
    // beds current), for the server and the app alike.
    let closed = sqlx::query(
        "UPDATE directory_entries SET availability_updated_at = now() - interval '30 hours'
          WHERE status = 'closed'",
    )
    .execute(&server.db)
    .await
    .unwrap();
    assert!(closed.rows_affected() >= 1);
    let passed = run_browser(&server, None, "stale").await;
    for flow in [
        "housing manager sees stale by the server's threshold",
        "advocate sees stale by the server's threshold",
    ] {
        assert!(passed.iter().any(|p| p == flow), "flow not run: {flow}");
    }
}

/// Runs `web/tests/e2e.mjs` (the given scenario) against the server; fails the test if a flow
/// fails. Returns the names of the flows that passed.
pub(super) async fn run_browser(
    server: &TestServer,
    receiver: Option<&PushReceiver>,
    scenario: &str,
) -> Vec<String> {
    let chromium =
        std::env::var("FIELDLINE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut command = tokio::process::Command::new("node");
    command
        .arg("tests/e2e.mjs")
        .current_dir(repo_root().join("web"))
        .env("FIELDLINE_BASE_URL", &server.base_url)
        .env("FIELDLINE_E2E_SCENARIO", scenario)
        .env("FIELDLINE_CHROMIUM", chromium)
        .env("FIELDLINE_DEMO_PASSWORD", DEMO_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(r) = receiver {
        command.env("FIELDLINE_PUSH_RECEIVER", &r.origin);
    }
    let mut child = command.spawn().expect("running node (web/tests/e2e.mjs)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut passed = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(300), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            println!("{line}");
            if let Some(name) = line.strip_prefix("ok ") {
                passed.push(name.to_owned());
            }
        }
        child.wait().await.unwrap()
    })
    .await
    .expect("the browser tests did not finish within 5 minutes");
    assert!(
        outcome.success(),
        "browser tests failed; passed: {passed:?}"
    );
    passed
}

/// `/app`: the page, its hashed assets, the service worker and the manifest with the right
/// types and caching; client-side paths get the page; missing files are 404; API answers
/// with personal data are never cached.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn app_files_are_served_with_types_and_cache_headers(db: PgPool) {
    assert!(
        repo_root().join("web/dist/index.html").exists(),
        "web/dist is not built: run scripts/test"
    );
    let server = TestServer::start(db).await;
    let get = |path: &str| raw().get(server.url(path)).send();

    let res = raw().get(server.url("/app")).send().await.unwrap();
    assert_eq!(res.url().path(), "/app/", "/app redirects to /app/");

    let page = get("/app/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page loads its script");
    assert!(script.starts_with("/app/assets/app-") && script.ends_with(".js"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from other origins"
    );

    let js = get(script).await.unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    // A browser that takes gzip gets the build's gzip copy of the script (what the compressed
    // sizes in docs/web-app.md count); one that refuses it gets the file as is.
    let plain = raw()
        .get(server.url(script))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let gz = raw()
        .get(server.url(script))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["vary"], "accept-encoding");
    assert_eq!(
        gz.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let gz_etag = gz.headers()["etag"].to_str().unwrap().to_owned();
    let packed = gz.bytes().await.unwrap();
    assert_eq!(&packed[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(packed.len() * 2 < plain.len());
    let refused = raw()
        .get(server.url(script))
        .header("accept-encoding", "gzip;q=0, identity")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    assert_ne!(refused.headers()["etag"].to_str().unwrap(), gz_etag);
    assert_eq!(refused.bytes().await.unwrap(), plain);

    // The place search's gazetteer: not referenced by the page, fetched when used.
    let places = std::fs::read_dir(repo_root().join("web/dist/assets"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("places-") && n.ends_with(".txt"))
        .expect("the gazetteer asset");
    assert!(!html.contains(&places), "not part of the first load");
    let res = get(&format!("/app/assets/{places}")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let text = res.text().await.unwrap();
    assert!(text.starts_with("# GeoNames postal codes (CC BY 4.0)"));
    assert!(text.lines().count() > 30_000, "the US ZIP codes");

    let sw = get("/app/sw.js").await.unwrap();
    assert_eq!(
        sw.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(sw.headers()["cache-control"], "no-cache");
    assert_eq!(sw.headers()["service-worker-allowed"], "/app/");
    // Revalidating an unchanged file costs a 304.
    let etag = sw.headers()["etag"].to_str().unwrap().to_owned();
    let again = raw()
        .get(server.url("/app/sw.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);

    let manifest = get("/app/manifest.webmanifest").await.unwrap();
    assert_eq!(
        manifest.headers()["content-type"],
        "application/manifest+json"
    );
    let manifest: serde_json::Value = manifest.json().await.unwrap();
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().unwrap() {
        let res = get(icon["src"].as_str().unwrap()).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
    }

    // A reload on a client-side path still gets the page; a missing file does not.
    let spa = get("/app/some/screen").await.unwrap();
    assert_eq!(spa.status(), 200);
    assert_eq!(spa.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(get("/app/assets/nope.js").await.unwrap().status(), 404);
    for sneaky in [
        "/app/..%2f..%2fCargo.toml",
        "/app/assets/..%2f..%2fpackage.json",
    ] {
        let res = get(sneaky).await.unwrap();
        assert_eq!(res.status(), 404, "{sneaky}");
    }

    // The document the web app's types are generated from is the one the server serves.
    let served: serde_json::Value = get("/v1/openapi.json").await.unwrap().json().await.unwrap();
    assert_eq!(served, fieldline_api::openapi());

    // The API next to it: personal data is never stored by a browser or a proxy.
    let token = server.login(ADVOCATE).await.session().unwrap().access_token;
    let contacts = raw()
        .get(server.url("/v1/contacts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(contacts.status(), 200);
    assert_eq!(contacts.headers()["cache-control"], "no-store");
}

/// The web app's DASH checklist is the server's: the same labels in the same order (the
/// server scores answers by position) and the same instrument version.
#[test]
fn the_apps_dash_questions_are_the_servers() {
    use fieldline_api::contacts::screening::{DASH_QUESTIONS, DASH_VERSION};
    let src = std::fs::read_to_string(repo_root().join("web/src/screens/instruments.ts"))
        .expect("web/src/screens/instruments.ts");
    let list = src
        .split("export const DASH_QUESTIONS = [")
        .nth(1)
        .and_then(|s| s.split("];").next())
        .expect("DASH_QUESTIONS in instruments.ts");
    let labels: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"'))
        .map(|l| l.trim_end_matches(',').trim_matches('"'))
        .collect();
    assert_eq!(labels, DASH_QUESTIONS);
    assert!(src.contains(&format!("DASH_VERSION = \"{DASH_VERSION}\"")));
}

/// The web app's API types (`web/src/api-types.ts`) are what openapi-typescript makes of the
/// server's own OpenAPI document, so a server change that breaks the app fails here and then
/// in `npm run typecheck`. With `FIELDLINE_UPDATE_API_TYPES=1` the file is rewritten instead.
#[test]
fn the_apps_api_types_are_the_servers() {
    let web = repo_root().join("web");
    let tool = web.join("tools/api-types");
    assert!(
        tool.join("node_modules/openapi-typescript").exists(),
        "web/tools/api-types is not installed: run scripts/test (or `npm ci` there)"
    );
    let dir = std::env::temp_dir().join(format!("fieldline-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("openapi.json");
    std::fs::write(&doc, fieldline_api::openapi().to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg(tool.join("gen.mjs"))
        .arg(&doc)
        .output()
        .expect("running node (web/tools/api-types/gen.mjs)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "gen.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = web.join("src/api-types.ts");
    if std::env::var_os("FIELDLINE_UPDATE_API_TYPES").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some((n, (have, want))) = checked_in
        .lines()
        .chain(std::iter::repeat(""))
        .zip(generated.lines().chain(std::iter::repeat("")))
        .take(checked_in.lines().count().max(generated.lines().count()))
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "web/src/api-types.ts is not what the server's OpenAPI document gives (line {}: \
             {have:?}, the document gives {want:?}): regenerate it with \
             `FIELDLINE_UPDATE_API_TYPES=1 scripts/test -- --test suite web::the_apps_api_types`, then fix what \
             `npm run typecheck` (in web/) reports",
            n + 1
        );
    }
}
