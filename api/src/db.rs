//! Connections reserved for directory searches, handed back without sqlx's release check.
//!
//! sqlx's pool tests every connection it takes back with a round trip (a `Sync` and its
//! `ReadyForQuery`) and offers no way to skip it. A search is otherwise one round trip (its
//! session check is part of its statement), so that test would be half of its database
//! conversation: measured on the 1 M-entry benchmark, leaving it out saved ~0.04 ms of
//! PostgreSQL CPU and ~0.025 ms of server CPU per search (`docs/benchmarks.md`, "What the
//! measurements decided").
//!
//! The test is only needed when a connection may be mid-conversation, so this pool skips it
//! exactly when the handler says every query it ran has finished ([`SearchConn::settle`]).
//! Any other return (an error, a cancelled request, a dropped future) gets the same test sqlx
//! would run, and a connection that fails it is closed.

use crate::config::Config;
use sqlx::postgres::PgPoolOptions;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// As long as a request waits for a pooled connection before it answers 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// sqlx's defaults, so both kinds of connection age alike.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Settings every server connection gets, pooled or not.
///
/// Generic plans for prepared statements: our queries take optional filters as
/// `$n IS NULL OR …`, for which PostgreSQL's custom-plan heuristic chose to re-plan on every
/// call, about a quarter of the database's CPU per search.
pub async fn prepare_session(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(conn)
        .await?;
    Ok(())
}

struct Idle {
    conn: PgConnection,
    opened: Instant,
    since: Instant,
}

struct Shared {
    options: PgConnectOptions,
    idle: Mutex<Vec<Idle>>,
    /// One permit per connection that may be open: checked out, idle or being tested.
    slots: Arc<Semaphore>,
    size: u32,
}

/// At most `size` connections to the database `db` connects to, opened on demand.
#[derive(Clone)]
pub struct SearchPool(Arc<Shared>);

impl SearchPool {
    /// Connects lazily: the first searches open the connections.
    pub fn new(db: &PgPool, size: u32) -> SearchPool {
        SearchPool(Arc::new(Shared {
            options: (*db.connect_options()).clone(),
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(size.max(1) as usize)),
            size: size.max(1),
        }))
    }

    /// Connections on loan, idle, and the most there may be (for `ops::metrics`).
    pub fn usage(&self) -> (u32, usize, u32) {
        let free = self.0.slots.available_permits() as u32;
        let idle = self.0.idle.lock().map(|i| i.len()).unwrap_or(0);
        let on_loan = self.0.size.saturating_sub(free).saturating_sub(idle as u32);
        (on_loan, idle, self.0.size)
    }

    /// An idle connection, or a new one if none is idle and the pool is not full. Waits up to
    /// five seconds for one to come back, then fails as sqlx's pool does (`PoolTimedOut`).
    pub async fn acquire(&self) -> sqlx::Result<SearchConn> {
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.0.slots.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let now = Instant::now();
        let (reused, aged) = {
            let mut idle = self.0.idle.lock().unwrap_or_else(|e| e.into_inner());
            // Usually none: then this allocates nothing.
            let aged: Vec<Idle> = idle
                .extract_if(.., |c| {
                    now - c.opened >= MAX_LIFETIME || now - c.since >= IDLE_TIMEOUT
                })
                .collect();
            (idle.pop(), aged)
        };
        for c in aged {
            close(c.conn);
        }
        let (conn, opened) = match reused {
            Some(c) => (c.conn, c.opened),
            None => {
                let mut conn = self.0.options.connect().await?;
                prepare_session(&mut conn).await?;
                (conn, now)
            }
        };
        Ok(SearchConn {
            conn: Some(conn),
            opened,
            settled: true,
            permit: Some(permit),
            pool: self.0.clone(),
        })
    }

    /// Connections open and idle now (for tests).
    pub fn idle_count(&self) -> usize {
        self.0.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A connection on loan from a [`SearchPool`]. Running a query on it (any mutable use) marks
/// it unsettled until [`settle`](Self::settle) says that query has finished.
pub struct SearchConn {
    conn: Option<PgConnection>,
    opened: Instant,
    settled: bool,
    permit: Option<OwnedSemaphorePermit>,
    pool: Arc<Shared>,
}

impl SearchConn {
    /// Every query run on this connection has finished (its future completed with `Ok`), so
    /// it can go back without a test. Call it after the last successful `.await`.
    pub fn settle(&mut self) {
        self.settled = true;
    }
}

impl Deref for SearchConn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl DerefMut for SearchConn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.settled = false;
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl Drop for SearchConn {
    fn drop(&mut self) {
        let (Some(mut conn), Some(permit)) = (self.conn.take(), self.permit.take()) else {
            return;
        };
        let opened = self.opened;
        if self.settled {
            // Idle before the slot frees, so whoever takes the slot finds it.
            self.pool.put_back(conn, opened);
            drop(permit);
            return;
        }
        let pool = self.pool.clone();
        // Unsettled: test it as sqlx does, off the request's path. Without a runtime (the
        // server is shutting down) the connection is just closed.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if conn.ping().await.is_ok() {
                    pool.put_back(conn, opened);
                }
                drop(permit);
            });
        }
    }
}

/// Says goodbye to the server (a `Terminate`), off the caller's path.
fn close(conn: PgConnection) {
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        rt.spawn(async move {
            let _ = conn.close().await;
        });
    }
}

impl Shared {
    fn put_back(&self, conn: PgConnection, opened: Instant) {
        let since = Instant::now();
        if since - opened >= MAX_LIFETIME {
            close(conn);
        } else {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Idle {
                    conn,
                    opened,
                    since,
                });
        }
    }
}

/// Every migration in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A pool to the configured database. Acquiring a connection gives up after five seconds so a
/// database outage turns into 503s rather than requests that hang.
///
/// From measuring directory search (`docs/benchmarks.md`, "What the measurements decided"): no
/// ping before each acquire (a broken connection fails its query and is replaced anyway, and
/// the ping doubled the round trips of a read), and the session settings of
/// `prepare_session`.
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(prepare_session(conn)))
        .connect(&config.database_url)
        .await?)
}

/// A `LISTEN` connection on `channel`, on a connection of its own rather than one of `db`'s:
/// a listener holds its connection for the life of the process, and two background workers
/// each holding one of the pool's would leave a small pool (`FIELDLINE_DB_MAX_CONNECTIONS` of 1
/// or 2) with none for requests. Reconnects after an outage like the pool does.
pub async fn listen(db: &PgPool, channel: &str) -> sqlx::Result<sqlx::postgres::PgListener> {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with((*db.connect_options()).clone());
    let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
    listener.listen(channel).await?;
    Ok(listener)
}
