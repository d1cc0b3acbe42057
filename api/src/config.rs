//! Configuration from environment variables, validated once at start. A bad value stops the
//! server with one line naming the variable; nothing is re-read later.
//!
//! Every variable, its default and its meaning is listed in `docs/operations.md`
//! ("Configuration"); keep the two in step.

use crate::auth::keys::JwtKeys;
use crate::encryption::DataKeys;
use crate::push::vapid::VapidKeys;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: String,
    pub bind: SocketAddr,
    /// Where `/metrics` is served for Prometheus (`FIELDLINE_METRICS_BIND`); none: not at all.
    /// A listener of its own, so the API's address never shows it.
    pub metrics_bind: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub jwt: JwtKeys,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub session_max_age: Duration,
    pub refresh_reuse_grace: Duration,
    pub vapid: VapidKeys,
    pub vapid_subject: String,
    /// Keys sealing victims' personal fields.
    pub data_keys: DataKeys,
    pub login: LoginLimits,
    /// Bounds the password hashes this instance runs at once, and how many more may wait
    /// (`FIELDLINE_PASSWORD_HASH_CONCURRENCY`, `FIELDLINE_PASSWORD_HASH_QUEUE`).
    pub password_gate: crate::auth::password::Gate,
    /// Per-person budgets for searches, exports and imports (`FIELDLINE_SEARCHES_PER_MINUTE`,
    /// `FIELDLINE_EXPORTS_PER_HOUR`, `FIELDLINE_IMPORTS_PER_HOUR`; 0 for no limit).
    pub budgets: crate::http::budget::Budgets,
    pub trust_forwarded_for: bool,
    pub max_body_bytes: usize,
    pub db_max_connections: u32,
    /// Connections for directory searches, besides `db_max_connections` (`db::SearchPool`).
    pub db_search_connections: u32,
    pub auto_migrate: bool,
    pub request_timeout: Duration,
    /// Directory entries whose availability is older than this are listed as stale.
    pub directory_stale_after: Duration,
    pub push: PushSettings,
    /// Background workers (push delivery, escalation) are woken by `NOTIFY`; they also look
    /// for due work this often (retries, expired leases, escalations falling due).
    pub worker_poll: Duration,
}

/// How Web Push deliveries are made.
#[derive(Debug, Clone, Copy)]
pub struct PushSettings {
    /// Accept `http://` push endpoints on loopback addresses (a local test receiver).
    pub allow_http_loopback: bool,
    /// One push request may take this long before it counts as failed and is retried.
    pub timeout: Duration,
    /// First retry delay; each further one doubles, up to five minutes.
    pub retry_base: Duration,
    /// After this many attempts a delivery is given up as failed.
    pub max_attempts: i32,
    /// How long a worker's claim on a delivery stands; a claim not finished by then (the
    /// instance died) is taken over by another worker. Never shorter than `timeout` plus a
    /// second, so a send still in flight is not taken over.
    pub lease: Duration,
    /// Devices one person may register (`FIELDLINE_PUSH_MAX_DEVICES`).
    pub max_devices: i64,
    /// Test pushes one person may ask for per `test_window` (`FIELDLINE_PUSH_TEST_LIMIT`).
    pub test_limit: i32,
    pub test_window: Duration,
}

/// Never prints the database URL: it carries a password.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// Failed sign-ins allowed before a lockout, and how lockouts grow.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub max_failures_per_account: i32,
    pub max_failures_per_ip: i32,
    pub window: Duration,
    pub lockout_base: Duration,
    pub lockout_max: Duration,
}

/// The variable that is wrong and why, printed as one line.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `get`, so tests can configure a server without touching the
    /// process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let v = Vars { get: &get };
        let environment = environment(&v)?;
        let production = environment == Environment::Production;
        let database_url = v.required("DATABASE_URL")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(err("DATABASE_URL", "must be a postgres:// URL"));
        }
        let (bind, metrics_bind) = listeners(&v)?;
        let data_dir = PathBuf::from(
            v.opt("FIELDLINE_DATA_DIR")
                .unwrap_or_else(|| ".data".into()),
        );
        let Keys {
            jwt,
            vapid,
            data_keys,
        } = keys(&v, production, &data_dir)?;
        let vapid_subject = vapid_subject(&v, production)?;
        Ok(Config {
            environment,
            database_url,
            bind,
            metrics_bind,
            data_dir,
            jwt,
            jwt_issuer: v
                .opt("FIELDLINE_JWT_ISSUER")
                .unwrap_or_else(|| "fieldline".into()),
            jwt_audience: v
                .opt("FIELDLINE_JWT_AUDIENCE")
                .unwrap_or_else(|| "fieldline-api".into()),
            access_token_ttl: v.secs("FIELDLINE_ACCESS_TOKEN_TTL_SECS", 900, 30, 3600)?,
            refresh_token_ttl: v.secs(
                "FIELDLINE_REFRESH_TOKEN_TTL_SECS",
                14 * 86_400,
                300,
                90 * 86_400,
            )?,
            session_max_age: v.secs(
                "FIELDLINE_SESSION_MAX_AGE_SECS",
                90 * 86_400,
                300,
                365 * 86_400,
            )?,
            refresh_reuse_grace: v.secs("FIELDLINE_REFRESH_REUSE_GRACE_SECS", 30, 0, 300)?,
            vapid,
            vapid_subject,
            data_keys,
            login: login_limits(&v)?,
            password_gate: password_gate(&v)?,
            budgets: budgets(&v)?,
            trust_forwarded_for: v.bool("FIELDLINE_TRUST_FORWARDED_FOR", false)?,
            max_body_bytes: v.int("FIELDLINE_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20)? as usize,
            db_max_connections: v.int("FIELDLINE_DB_MAX_CONNECTIONS", 20, 1, 1000)? as u32,
            db_search_connections: v.int("FIELDLINE_DB_SEARCH_CONNECTIONS", 8, 1, 1000)? as u32,
            auto_migrate: v.bool("FIELDLINE_AUTO_MIGRATE", true)?,
            request_timeout: v.secs("FIELDLINE_REQUEST_TIMEOUT_SECS", 30, 1, 600)?,
            directory_stale_after: Duration::from_secs(
                3600 * v.int("FIELDLINE_DIRECTORY_STALE_HOURS", 24, 1, 24 * 90)?,
            ),
            push: push_settings(&v, production)?,
            worker_poll: Duration::from_millis(v.int(
                "FIELDLINE_WORKER_POLL_MS",
                1000,
                10,
                60_000,
            )?),
        })
    }
}

fn environment(v: &Vars) -> Result<Environment, ConfigError> {
    match v.opt("FIELDLINE_ENV").as_deref() {
        None | Some("development") => Ok(Environment::Development),
        Some("production") => Ok(Environment::Production),
        Some(_) => Err(err(
            "FIELDLINE_ENV",
            "must be `development` or `production`",
        )),
    }
}

/// The API's address and the optional metrics listener, which must be another one.
fn listeners(v: &Vars) -> Result<(SocketAddr, Option<SocketAddr>), ConfigError> {
    let bind = v
        .opt("FIELDLINE_BIND")
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
        .map_err(|_| {
            err(
                "FIELDLINE_BIND",
                "must be an address:port such as 127.0.0.1:8080",
            )
        })?;
    let metrics_bind = v
        .opt("FIELDLINE_METRICS_BIND")
        .map(|a| {
            a.parse::<SocketAddr>().map_err(|_| {
                err(
                    "FIELDLINE_METRICS_BIND",
                    "must be an address:port such as 127.0.0.1:9464",
                )
            })
        })
        .transpose()?;
    if metrics_bind == Some(bind) {
        return Err(err(
            "FIELDLINE_METRICS_BIND",
            "must differ from FIELDLINE_BIND: metrics get a listener of their own",
        ));
    }
    Ok((bind, metrics_bind))
}

struct Keys {
    jwt: JwtKeys,
    vapid: VapidKeys,
    data_keys: DataKeys,
}

/// Keys: generated into the data folder for development, never in production, where a
/// development key is refused.
fn keys(v: &Vars, production: bool, data_dir: &Path) -> Result<Keys, ConfigError> {
    let jwt_key_file = key_path(
        v,
        "FIELDLINE_JWT_SIGNING_KEY_FILE",
        production,
        data_dir,
        "dev-jwt-ed25519.pem",
    )?;
    let verify_files: Vec<PathBuf> = v
        .opt("FIELDLINE_JWT_VERIFY_KEY_FILES")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    let jwt = JwtKeys::load(&jwt_key_file.0, &verify_files, jwt_key_file.1)
        .map_err(|e| err("FIELDLINE_JWT_SIGNING_KEY_FILE", format!("{e:#}")))?;
    let vapid_file = key_path(
        v,
        "FIELDLINE_VAPID_PRIVATE_KEY_FILE",
        production,
        data_dir,
        "dev-vapid-p256.pem",
    )?;
    let vapid = VapidKeys::load(&vapid_file.0, vapid_file.1)
        .map_err(|e| err("FIELDLINE_VAPID_PRIVATE_KEY_FILE", format!("{e:#}")))?;
    let data_file = key_path(
        v,
        "FIELDLINE_DATA_KEYS_FILE",
        production,
        data_dir,
        "dev-data-keys",
    )?;
    let data_keys = DataKeys::load(&data_file.0, data_file.1)
        .map_err(|e| err("FIELDLINE_DATA_KEYS_FILE", format!("{e:#}")))?;
    if production {
        let dev_key = [
            ("FIELDLINE_JWT_SIGNING_KEY_FILE", jwt.is_dev_key()),
            ("FIELDLINE_VAPID_PRIVATE_KEY_FILE", vapid.is_dev_key()),
            ("FIELDLINE_DATA_KEYS_FILE", data_keys.is_dev_key()),
        ]
        .into_iter()
        .find(|(_, dev)| *dev);
        if let Some((var, _)) = dev_key {
            return Err(err(
                var,
                "is a development key; generate production keys with `fieldline gen-keys`",
            ));
        }
    }
    Ok(Keys {
        jwt,
        vapid,
        data_keys,
    })
}

/// The contact push services may reach the sender at (RFC 8292): required in production.
fn vapid_subject(v: &Vars, production: bool) -> Result<String, ConfigError> {
    let subject = match v.opt("FIELDLINE_VAPID_SUBJECT") {
        Some(s) => s,
        None if production => {
            return Err(err(
                "FIELDLINE_VAPID_SUBJECT",
                "is required in production (mailto: or https: contact for push services)",
            ));
        }
        None => "mailto:fieldline-dev@example.org".into(),
    };
    let subject_ok = (subject.starts_with("mailto:") && subject.contains('@'))
        || subject.starts_with("https://");
    if !subject_ok {
        return Err(err(
            "FIELDLINE_VAPID_SUBJECT",
            "must be a mailto: address or an https: URL",
        ));
    }
    Ok(subject)
}

fn login_limits(v: &Vars) -> Result<LoginLimits, ConfigError> {
    Ok(LoginLimits {
        max_failures_per_account: v.int("FIELDLINE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, 1, 100)?
            as i32,
        max_failures_per_ip: v.int("FIELDLINE_LOGIN_MAX_FAILURES_PER_IP", 50, 1, 10_000)? as i32,
        window: v.secs("FIELDLINE_LOGIN_WINDOW_SECS", 900, 10, 86_400)?,
        lockout_base: v.secs("FIELDLINE_LOGIN_LOCKOUT_BASE_SECS", 60, 1, 3600)?,
        lockout_max: v.secs("FIELDLINE_LOGIN_LOCKOUT_MAX_SECS", 3600, 1, 86_400)?,
    })
}

fn password_gate(v: &Vars) -> Result<crate::auth::password::Gate, ConfigError> {
    Ok(crate::auth::password::Gate::new(
        v.int(
            "FIELDLINE_PASSWORD_HASH_CONCURRENCY",
            std::thread::available_parallelism().map_or(2, |n| n.get().min(64)) as u64,
            1,
            64,
        )? as usize,
        v.int("FIELDLINE_PASSWORD_HASH_QUEUE", 32, 0, 10_000)? as usize,
    ))
}

fn budgets(v: &Vars) -> Result<crate::http::budget::Budgets, ConfigError> {
    use crate::http::budget::{Allowance, Budgets};
    let per = |n: u64, secs: u64| Allowance {
        per_period: n as u32,
        period: Duration::from_secs(secs),
    };
    Ok(Budgets::new(
        per(
            v.int("FIELDLINE_SEARCHES_PER_MINUTE", 120, 0, 1_000_000)?,
            60,
        ),
        per(v.int("FIELDLINE_EXPORTS_PER_HOUR", 30, 0, 100_000)?, 3600),
        per(v.int("FIELDLINE_IMPORTS_PER_HOUR", 30, 0, 100_000)?, 3600),
    ))
}

fn push_settings(v: &Vars, production: bool) -> Result<PushSettings, ConfigError> {
    Ok(PushSettings {
        allow_http_loopback: v.bool("FIELDLINE_PUSH_ALLOW_HTTP_LOOPBACK", !production)?,
        timeout: v.secs("FIELDLINE_PUSH_TIMEOUT_SECS", 10, 1, 120)?,
        retry_base: Duration::from_millis(v.int(
            "FIELDLINE_PUSH_RETRY_BASE_MS",
            1000,
            10,
            60_000,
        )?),
        max_attempts: v.int("FIELDLINE_PUSH_MAX_ATTEMPTS", 10, 1, 100)? as i32,
        lease: v.secs("FIELDLINE_PUSH_LEASE_SECS", 60, 1, 3600)?,
        max_devices: v.int("FIELDLINE_PUSH_MAX_DEVICES", 10, 1, 100)? as i64,
        test_limit: v.int("FIELDLINE_PUSH_TEST_LIMIT", 5, 1, 1000)? as i32,
        test_window: v.secs("FIELDLINE_PUSH_TEST_WINDOW_SECS", 900, 1, 86_400)?,
    })
}

/// The key file to read, and whether it may be generated: only the development default is,
/// never a path someone configured (a typo there must not silently mint a new key).
fn key_path(
    v: &Vars,
    var: &'static str,
    production: bool,
    data_dir: &Path,
    dev_name: &str,
) -> Result<(PathBuf, bool), ConfigError> {
    match v.opt(var) {
        Some(p) => Ok((PathBuf::from(p), false)),
        None if production => Err(err(
            var,
            "is required in production (create keys with `fieldline gen-keys`)",
        )),
        None => Ok((data_dir.join("keys").join(dev_name), true)),
    }
}

struct Vars<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    fn opt(&self, name: &str) -> Option<String> {
        (self.get)(name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.opt(name).ok_or_else(|| err(name, "is required"))
    }

    fn int(
        &self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, ConfigError> {
        let Some(raw) = self.opt(name) else {
            return Ok(default);
        };
        raw.parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| err(name, format!("must be a whole number from {min} to {max}")))
    }

    fn secs(
        &self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<Duration, ConfigError> {
        self.int(name, default, min, max).map(Duration::from_secs)
    }

    fn bool(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.opt(name).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(_) => Err(err(name, "must be true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("fieldline-config-{}", uuid::Uuid::new_v4()));
        let mut m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        m.entry("FIELDLINE_DATA_DIR".into())
            .or_insert(dir.display().to_string());
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn development_defaults_generate_keys() {
        let c = load(&[("DATABASE_URL", "postgres://x@localhost/db")]).unwrap();
        assert_eq!(c.environment, Environment::Development);
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.jwt.is_dev_key());
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let base = ("DATABASE_URL", "postgres://x@localhost/db");
        assert_eq!(load(&[]).unwrap_err().var, "DATABASE_URL");
        assert_eq!(
            load(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var,
            "DATABASE_URL"
        );
        assert_eq!(
            load(&[base, ("FIELDLINE_ENV", "prod")]).unwrap_err().var,
            "FIELDLINE_ENV"
        );
        assert_eq!(
            load(&[base, ("FIELDLINE_BIND", "8080")]).unwrap_err().var,
            "FIELDLINE_BIND"
        );
        assert_eq!(
            load(&[base, ("FIELDLINE_ACCESS_TOKEN_TTL_SECS", "-5")])
                .unwrap_err()
                .var,
            "FIELDLINE_ACCESS_TOKEN_TTL_SECS"
        );
        assert_eq!(
            load(&[base, ("FIELDLINE_TRUST_FORWARDED_FOR", "maybe")])
                .unwrap_err()
                .var,
            "FIELDLINE_TRUST_FORWARDED_FOR"
        );
        assert_eq!(
            load(&[base, ("FIELDLINE_VAPID_SUBJECT", "admin@x.org")])
                .unwrap_err()
                .var,
            "FIELDLINE_VAPID_SUBJECT"
        );
        let e = load(&[
            base,
            ("FIELDLINE_JWT_SIGNING_KEY_FILE", "/nonexistent/key.pem"),
        ])
        .unwrap_err();
        assert_eq!(e.var, "FIELDLINE_JWT_SIGNING_KEY_FILE");
        assert!(
            e.to_string()
                .starts_with("FIELDLINE_JWT_SIGNING_KEY_FILE: "),
            "{e}"
        );
    }

    #[test]
    fn production_requires_explicit_non_dev_keys() {
        let base = ("DATABASE_URL", "postgres://x@localhost/db");
        let e = load(&[base, ("FIELDLINE_ENV", "production")]).unwrap_err();
        assert_eq!(e.var, "FIELDLINE_JWT_SIGNING_KEY_FILE");

        // Keys generated by a development start are refused in production.
        let dir = std::env::temp_dir().join(format!("fieldline-config-{}", uuid::Uuid::new_v4()));
        let dev = load(&[base, ("FIELDLINE_DATA_DIR", dir.to_str().unwrap())]).unwrap();
        drop(dev);
        let jwt = dir.join("keys/dev-jwt-ed25519.pem");
        let vapid = dir.join("keys/dev-vapid-p256.pem");
        let data = dir.join("keys/dev-data-keys");
        let e = load(&[
            base,
            ("FIELDLINE_ENV", "production"),
            ("FIELDLINE_JWT_SIGNING_KEY_FILE", jwt.to_str().unwrap()),
            ("FIELDLINE_VAPID_PRIVATE_KEY_FILE", vapid.to_str().unwrap()),
            ("FIELDLINE_DATA_KEYS_FILE", data.to_str().unwrap()),
            ("FIELDLINE_VAPID_SUBJECT", "mailto:it@agency.example"),
        ])
        .unwrap_err();
        assert!(e.message.contains("development key"), "{e}");

        // Keys made with `fieldline gen-keys` are accepted.
        let prod = std::env::temp_dir().join(format!("fieldline-prod-{}", uuid::Uuid::new_v4()));
        crate::keygen::write_production_keys(&prod).unwrap();
        let c = load(&[
            base,
            ("FIELDLINE_ENV", "production"),
            (
                "FIELDLINE_JWT_SIGNING_KEY_FILE",
                prod.join("jwt-ed25519.pem").to_str().unwrap(),
            ),
            (
                "FIELDLINE_VAPID_PRIVATE_KEY_FILE",
                prod.join("vapid-p256.pem").to_str().unwrap(),
            ),
            (
                "FIELDLINE_DATA_KEYS_FILE",
                prod.join("data-keys").to_str().unwrap(),
            ),
            ("FIELDLINE_VAPID_SUBJECT", "mailto:it@agency.example"),
        ])
        .unwrap();
        assert_eq!(c.environment, Environment::Production);
        assert!(!c.jwt.is_dev_key());
    }
}
