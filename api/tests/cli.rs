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
    for f in ["jwt-ed25519.pem", "jwt-ed25519.pub.pem", "vapid-p256.pem"] {
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
