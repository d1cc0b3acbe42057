//! The `fieldline` binary refuses bad configuration with one line naming the variable.

use std::process::Command;

fn fieldline(env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("fieldline-cli-{}", uuid::Uuid::new_v4()));
    let out = Command::new(env!("CARGO_BIN_EXE_fieldline"))
        .args(args)
        .env_clear()
        .env("FIELDLINE_DATA_DIR", &dir)
        .envs(env.iter().copied())
        .output()
        .expect("run fieldline");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_setting_stops_the_server_with_one_line_naming_it() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "DATABASE_URL"),
        (
            &[
                ("DATABASE_URL", "postgres://x@127.0.0.1:1/x"),
                ("FIELDLINE_BIND", "everywhere"),
            ],
            "FIELDLINE_BIND",
        ),
        (
            &[
                ("DATABASE_URL", "postgres://x@127.0.0.1:1/x"),
                ("FIELDLINE_ACCESS_TOKEN_TTL_SECS", "forever"),
            ],
            "FIELDLINE_ACCESS_TOKEN_TTL_SECS",
        ),
        (
            &[
                ("DATABASE_URL", "postgres://x@127.0.0.1:1/x"),
                ("FIELDLINE_ENV", "production"),
            ],
            "FIELDLINE_JWT_SIGNING_KEY_FILE",
        ),
    ];
    for (env, var) in cases {
        let (code, stderr) = fieldline(env, &["serve"]);
        assert_eq!(code, 2, "{var}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("fieldline: configuration error: {var}: ")),
            "{stderr}"
        );
    }
}

#[test]
fn gen_keys_writes_production_keys_once() {
    let dir = std::env::temp_dir().join(format!("fieldline-keys-{}", uuid::Uuid::new_v4()));
    let d = dir.to_str().unwrap();
    let (code, stderr) = fieldline(&[], &["gen-keys", d]);
    assert_eq!(code, 0, "{stderr}");
    for f in [
        "jwt-ed25519.pem",
        "jwt-ed25519.pub.pem",
        "vapid-p256.pem",
        "data-keys",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(!text.contains("development"), "{f}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    let (code, stderr) = fieldline(&[], &["gen-keys", d]);
    assert_eq!(code, 2);
    assert!(stderr.contains("refusing to overwrite"), "{stderr}");
}

/// The URL of the test's own database: the admin URL with its database name replaced.
fn url_of(db: &sqlx::PgPool) -> String {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (scripts/test sets it)");
    let base = admin.rsplit_once('/').expect("a postgres URL").0;
    format!(
        "{base}/{}",
        db.connect_options()
            .get_database()
            .expect("a database name")
    )
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn production_refuses_to_start_with_demo_users(db: sqlx::PgPool) {
    fieldline_api::demo::seed(&db).await.unwrap();
    let keys = std::env::temp_dir().join(format!("fieldline-keys-{}", uuid::Uuid::new_v4()));
    fieldline_api::keygen::write_production_keys(&keys).unwrap();
    let production: Vec<(&'static str, String)> = vec![
        ("DATABASE_URL", url_of(&db)),
        ("FIELDLINE_ENV", "production".into()),
        ("FIELDLINE_BIND", "127.0.0.1:0".into()),
        (
            "FIELDLINE_JWT_SIGNING_KEY_FILE",
            keys.join("jwt-ed25519.pem").display().to_string(),
        ),
        (
            "FIELDLINE_VAPID_PRIVATE_KEY_FILE",
            keys.join("vapid-p256.pem").display().to_string(),
        ),
        (
            "FIELDLINE_DATA_KEYS_FILE",
            keys.join("data-keys").display().to_string(),
        ),
        ("FIELDLINE_VAPID_SUBJECT", "mailto:it@agency.example".into()),
    ];
    // If the refusal were broken, `serve` would run on: give up after a minute.
    let run = |args: &'static [&'static str]| {
        let env = production.clone();
        let child = tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fieldline(&env, args)
        });
        async move {
            tokio::time::timeout(std::time::Duration::from_secs(60), child)
                .await
                .expect("fieldline did not exit")
        }
    };
    let (code, stderr) = run(&["serve"]).await.unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("demo agencies exist"), "{stderr}");
    let (code, stderr) = run(&["seed-demo"]).await.unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("development only"), "{stderr}");
}
