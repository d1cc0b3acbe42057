//! The search connections (`fieldline_api::db::SearchPool`): a settled connection comes back
//! as it is, anything else is tested first, and a broken or mid-query connection never serves
//! the next search a wrong or stale answer.

use fieldline_api::db::SearchPool;
use sqlx::PgPool;
use std::time::Duration;

async fn backend_pid(conn: &mut sqlx::PgConnection) -> sqlx::Result<i32> {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(conn)
        .await
}

/// One search that finishes cleanly; its connection's backend.
async fn settled_search(pool: &SearchPool) -> i32 {
    let mut conn = pool.acquire().await.unwrap();
    let pid = backend_pid(&mut conn).await.unwrap();
    conn.settle();
    pid
}

/// Lets the task that tests an unsettled connection finish.
async fn until_idle(pool: &SearchPool, n: usize) {
    for _ in 0..200 {
        if pool.idle_count() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} idle connections, have {}", pool.idle_count());
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_settled_connection_is_reused_with_its_session_settings(db: PgPool) {
    let pool = SearchPool::new(&db, 2);
    let first = settled_search(&pool).await;
    // Settled: back at once, with no task in between.
    assert_eq!(pool.idle_count(), 1);

    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(backend_pid(&mut conn).await.unwrap(), first);
    let mode: String = sqlx::query_scalar("SHOW plan_cache_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(mode, "force_generic_plan");
}

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn an_unsettled_connection_is_tested_then_reused(db: PgPool) {
    let pool = SearchPool::new(&db, 1);
    let mut conn = pool.acquire().await.unwrap();
    let first = backend_pid(&mut conn).await.unwrap();
    drop(conn); // no settle: an error path
    until_idle(&pool, 1).await;
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(backend_pid(&mut conn).await.unwrap(), first);
}

/// A request dropped while its query runs (the client went away) leaves the connection
/// mid-conversation; the next user must get its own answer, not the abandoned one.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_cancelled_query_does_not_leak_into_the_next(db: PgPool) {
    let pool = SearchPool::new(&db, 1);
    let mut conn = pool.acquire().await.unwrap();
    let abandoned = tokio::time::timeout(
        Duration::from_millis(50),
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM pg_sleep(0.5)").fetch_one(&mut *conn),
    )
    .await;
    assert!(abandoned.is_err(), "the query should still be running");
    drop(conn);

    // One slot: this waits for the abandoned query to finish and the test to pass.
    let mut conn = pool.acquire().await.unwrap();
    let answer: i32 = sqlx::query_scalar("SELECT 42")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(answer, 42);
}

/// A connection the server closed (a restart, an administrator) fails its query once and is
/// then closed, not handed out again.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn a_broken_connection_is_replaced(db: PgPool) {
    let pool = SearchPool::new(&db, 1);
    let first = settled_search(&pool).await;

    let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
        .bind(first)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(killed);

    let mut conn = pool.acquire().await.unwrap();
    assert!(backend_pid(&mut conn).await.is_err());
    drop(conn); // unsettled: its test fails and it is closed
    let mut conn = pool.acquire().await.unwrap();
    let second = backend_pid(&mut conn).await.unwrap();
    assert_ne!(second, first);
}

/// The pool never opens more than its size: a third search waits for one of two to return.
#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn the_pool_holds_at_most_its_size(db: PgPool) {
    let pool = SearchPool::new(&db, 2);
    let mut a = pool.acquire().await.unwrap();
    let mut b = pool.acquire().await.unwrap();
    let pids = [
        backend_pid(&mut a).await.unwrap(),
        backend_pid(&mut b).await.unwrap(),
    ];
    a.settle();
    b.settle();
    let third = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut c = pool.acquire().await.unwrap();
            backend_pid(&mut c).await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!third.is_finished(), "a third connection was opened");
    drop(a);
    let pid = tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("the third search got the returned connection")
        .unwrap();
    assert!(pids.contains(&pid));
}
