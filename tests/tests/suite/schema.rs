//! The schema's own promises. PostgreSQL checks each foreign key with a query it prepares once
//! per connection and keeps, planned generically; if that plan finds the parent row through
//! some other index than the key, every check walks all the rows that index matches, for as
//! long as the connection lives (found by `scripts/bench-contacts`: creates fell from 1,170/s
//! to 330/s when ids became `(agency_id, id)` and an index on `(agency_id, person_id)` won the
//! tie; migration `20261206100000`). On a database just migrated, as a new deployment starts, every foreign key's check
//! must use the index its constraint names.

use sqlx::{Connection, PgPool, Row};

#[sqlx::test(migrator = "fieldline_api::MIGRATOR")]
async fn every_foreign_key_check_finds_its_parent_by_the_key(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await
        .unwrap();
    // Each constraint: the parent, the key's columns and types, and the index it relies on.
    let keys = sqlx::query(
        r#"SELECT c.conname::text AS name, c.confrelid::regclass::text AS parent,
                  c.conindid::regclass::text AS key_index,
                  (SELECT string_agg(quote_ident(a.attname) || ' = $' || k.n, ' AND ' ORDER BY k.n)
                     FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS cond,
                  (SELECT string_agg(format_type(a.atttypid, a.atttypmod), ', ' ORDER BY k.n)
                     FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS types,
                  cardinality(c.confkey) AS columns
             FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            ORDER BY 1"#,
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(keys.len() > 40, "found only {} foreign keys", keys.len());
    let mut wrong = Vec::new();
    let mut composite = 0;
    for (i, k) in keys.iter().enumerate() {
        let name: String = k.get("name");
        let parent: String = k.get("parent");
        let key_index: String = k.get("key_index");
        let columns: i32 = k.get("columns");
        composite += usize::from(columns > 1);
        let nulls = vec!["NULL"; columns as usize].join(", ");
        // The statement PostgreSQL's check runs (ri_triggers.c), prepared as it prepares it.
        let prepare = format!(
            "PREPARE fk{i}({}) AS SELECT 1 FROM ONLY {parent} x WHERE {} FOR KEY SHARE OF x",
            k.get::<String, _>("types"),
            k.get::<String, _>("cond"),
        );
        // Built from the catalog's own names (quoted by quote_ident) and types: no input.
        sqlx::raw_sql(sqlx::AssertSqlSafe(prepare))
            .execute(&mut *conn)
            .await
            .unwrap();
        let explain = format!("EXPLAIN EXECUTE fk{i}({nulls})");
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan = plan.join("\n");
        if !plan.contains(&format!("using {key_index} on")) {
            wrong.push(format!("{name} -> {parent} (key {key_index}):\n{plan}"));
        }
    }
    conn.close().await.unwrap();
    assert!(composite >= 10, "only {composite} composite foreign keys");
    assert!(
        wrong.is_empty(),
        "foreign key checks that do not use their key:\n{}",
        wrong.join("\n\n")
    );
}
