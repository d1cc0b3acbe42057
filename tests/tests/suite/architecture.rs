//! The shape of the code, checked (issue #17): imports run one way. A module that imports
//! another, directly or through others, must not be imported back by it (`api/src`); the test
//! names every circle it finds.
//!
//! Read from the sources as they are: a module depends on another when its code (not its
//! comments, not its unit tests) names `crate::…` or `super::…` paths into it, and the crate
//! root on each module it assembles. And no store answers in HTTP terms.

use fieldline_tests::repo_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if ext.iter().any(|x| p.extension().is_some_and(|e| e == *x)) {
            out.push(p);
        }
    }
}

/// Code without `//` comments (doc comments included) and without its unit-test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            // Not inside a string such as "http://": only when nothing but code precedes it
            // and the line has no quote before it.
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `api/src/alerts/engine.rs` → `alerts::engine`; `mod.rs` is its folder; the root is `crate`.
fn rust_module(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] {
        return "crate".into();
    }
    parts.join("::")
}

/// The longest known module that `path` (segments after `crate::`) starts with.
fn resolve(modules: &BTreeSet<String>, segments: &[&str]) -> Option<String> {
    (1..=segments.len())
        .rev()
        .map(|k| segments[..k].join("::"))
        .find(|m| modules.contains(m))
}

fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        if i > 0 {
            let before = code.as_bytes()[i - 1];
            if before.is_ascii_alphanumeric() || before == b'_' {
                continue;
            }
        }
        let rest = &code[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].split("::").filter(|s| !s.is_empty()).collect());
    }
    out
}

fn rust_graph() -> Graph {
    let root = repo_root().join("api/src");
    let mut list = Vec::new();
    files(&root, &["rs"], &mut list);
    // The binary is the top: it imports the library, nothing imports it.
    list.retain(|f| !f.ends_with("main.rs"));
    let modules: BTreeSet<String> = list.iter().map(|f| rust_module(&root, f)).collect();
    let mut graph = Graph::new();
    for f in &list {
        let m = rust_module(&root, f);
        let code = code(&std::fs::read_to_string(f).unwrap());
        let mut deps = BTreeSet::new();
        for p in paths_after(&code, "crate::") {
            if let Some(d) = resolve(&modules, &p) {
                deps.insert(d);
            } else if !p.is_empty() {
                // An item of the crate root (re-exported or not).
                deps.insert("crate".to_owned());
            }
        }
        let parent: Vec<&str> = if m == "crate" {
            vec![]
        } else {
            let mut v: Vec<&str> = m.split("::").collect();
            // A folder's `mod.rs` is the module itself: `super` is the folder's parent.
            v.pop();
            v
        };
        for p in paths_after(&code, "super::") {
            let mut full: Vec<&str> = parent.clone();
            let mut p = p.as_slice();
            let mut base = full.len();
            while p.first() == Some(&"super") {
                base = base.saturating_sub(1);
                p = &p[1..];
            }
            full.truncate(base);
            full.extend_from_slice(p);
            match resolve(&modules, &full) {
                Some(d) => {
                    deps.insert(d);
                }
                None => {
                    deps.insert(if base == 0 {
                        "crate".to_owned()
                    } else {
                        full[..base].join("::")
                    });
                }
            }
        }
        if m == "crate" {
            // The root assembles the modules it names (`auth::router()`, `pub use db::…`).
            for top in modules
                .iter()
                .filter(|x| !x.contains("::") && *x != "crate")
            {
                if paths_after(&code, &format!("{top}::")).iter().any(|_| true) {
                    deps.insert(top.clone());
                }
            }
        }
        deps.remove(&m);
        graph.insert(m, deps);
    }
    graph
}

/// The graph's circles: its strongly connected components of more than one node (Tarjan).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.found.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_servers_modules_import_one_way() {
    let graph = rust_graph();
    assert!(graph.len() > 50, "found only {} modules", graph.len());
    assert!(
        graph["crate"].contains("alerts") && graph["alerts::routes"].contains("alerts::engine"),
        "the reader misses imports: {:?}",
        graph["crate"]
    );
    let found = circles(&graph);
    assert!(found.is_empty(), "import circles in api/src: {found:#?}");
}

#[test]
fn a_circle_is_found() {
    let g: Graph = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(circles(&g), vec![vec!["a", "b", "c"]]);
}

/// A store knows records, not HTTP: no `store.rs` answers with the API's error type; its
/// domain's routes turn the store's own errors into problems.
#[test]
fn no_store_answers_in_http_terms() {
    let mut list = Vec::new();
    files(&repo_root().join("api/src"), &["rs"], &mut list);
    let stores: Vec<_> = list.iter().filter(|f| f.ends_with("store.rs")).collect();
    assert!(stores.len() >= 4, "{stores:?}");
    for f in stores {
        let code = code(&std::fs::read_to_string(f).unwrap());
        for word in ["ApiError", "ApiResult", "StatusCode"] {
            assert!(
                !code.contains(word),
                "{} uses {word}: return the store's own error",
                f.display()
            );
        }
    }
}

/// Which domain owns each table (every `CREATE TABLE` in `migrations/`). Its `store.rs` is the
/// only code whose SQL names the table; another domain asks that store. A new table must be
/// given an owner here.
const OWNERS: &[(&str, &str)] = &[
    ("agencies", "users"),
    ("users", "users"),
    ("sessions", "auth"),
    ("refresh_tokens", "auth"),
    ("login_throttle", "auth"),
    ("audit_log", "audit"),
    ("directory_entries", "directory"),
    ("contacts", "contacts"),
    ("contact_changes", "contacts"),
    ("contact_team", "contacts"),
    ("persons", "contacts"),
    ("referrals", "contacts"),
    ("follow_ups", "contacts"),
    ("screenings", "contacts"),
    ("retention_counts", "contacts"),
    ("safety_plans", "plans"),
    ("safety_plan_versions", "plans"),
    ("sync_changes", "sync"),
    ("alerts", "alerts"),
    ("alert_events", "alerts"),
    ("alert_raisers", "alerts"),
    ("alert_requests", "alerts"),
    ("escalation_policies", "alerts"),
    ("oncall_schedules", "oncall"),
    ("oncall_overrides", "oncall"),
    ("oncall_calendar_feeds", "oncall"),
    ("checkins", "safety"),
    ("push_subscriptions", "push"),
    ("push_deliveries", "push"),
    ("push_attempts", "push"),
    ("push_test_sends", "push"),
    ("worker_failures", "worker"),
];

/// SQL that names a table outside its owner's `store.rs` on purpose: (file under `api/src`,
/// table, why). Keep it short; each entry is a decision, not a debt, and the test fails when
/// one is no longer needed.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    // The phone outbox's hot path (docs/benchmarks.md): a contact is created with its audit
    // row in one statement (`contacts::store::insert`), and its parts are written in one
    // statement (`put_parts`) that checks referrals against the directory entries the agency
    // may see and follow-up assignees against its people, and queues the alert requests its
    // screenings owe. Splitting them would add round trips and a window between check and write.
    (
        "contacts/store.rs",
        "audit_log",
        "the contact create writes its audit row in its statement",
    ),
    (
        "contacts/store.rs",
        "directory_entries",
        "put_parts checks referrals in its statement",
    ),
    (
        "contacts/store.rs",
        "users",
        "put_parts checks follow-up assignees in its statement",
    ),
    (
        "contacts/store.rs",
        "alert_requests",
        "put_parts queues screenings' alert requests in its statement",
    ),
    // Exact-location reads of another agency's confidential places write their audit rows in
    // one statement per search (`directory::exact::audit_reads`).
    (
        "directory/exact.rs",
        "audit_log",
        "exact-location reads audit in one statement",
    ),
    // A refresh locks its token and session and checks the user is enabled in one statement
    // (`FOR UPDATE OF rt, s`); a logout ends the session and returns the user's agency for its
    // audit row in one. A user disabled in between cannot slip through.
    (
        "auth/store.rs",
        "users",
        "a refresh and a logout check the session's user in their statement",
    ),
    // A calendar feed's secret URL is looked up by its hash and its holder checked enabled in
    // one statement: an unknown token and a disabled holder's answer 404 after the same work.
    (
        "oncall/store.rs",
        "users",
        "the calendar feed checks its holder is enabled in its lookup",
    ),
];

/// The tables `CREATE TABLE` makes in `migrations/`.
fn migration_tables() -> BTreeSet<String> {
    let mut list = Vec::new();
    files(&repo_root().join("migrations"), &["sql"], &mut list);
    let mut tables = BTreeSet::new();
    for f in list {
        let sql = std::fs::read_to_string(f).unwrap().to_lowercase();
        for (i, _) in sql.match_indices("create table ") {
            let rest = sql[i + "create table ".len()..].trim_start();
            let rest = rest
                .strip_prefix("if not exists ")
                .unwrap_or(rest)
                .trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            tables.insert(name);
        }
    }
    tables
}

/// The tables `code` names after `FROM`, `JOIN`, `INTO`, `UPDATE` or `TABLE` (so `DELETE FROM`
/// too), in any case, with how often.
fn tables_named(code: &str, tables: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let lower = code.to_lowercase();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut found = BTreeMap::new();
    for kw in ["from", "join", "into", "update", "table"] {
        for (i, _) in lower.match_indices(kw) {
            let end = i + kw.len();
            if (i > 0 && word(lower.as_bytes()[i - 1]))
                || !lower[end..].starts_with(|c: char| c.is_whitespace())
            {
                continue;
            }
            let rest = lower[end..].trim_start();
            let rest = rest.strip_prefix("only ").unwrap_or(rest).trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if tables.contains(&name) {
                *found.entry(name).or_insert(0) += 1;
            }
        }
    }
    found
}

/// Where SQL names a table outside its owner's `store.rs` and the exceptions: `file: table`.
fn stray_queries(sources: &[(String, String)], tables: &BTreeSet<String>) -> Vec<String> {
    let owner: BTreeMap<&str, &str> = OWNERS.iter().copied().collect();
    let mut stray = Vec::new();
    for (file, text) in sources {
        for table in tables_named(&code(text), tables).keys() {
            let home = format!("{}/store.rs", owner[table.as_str()]);
            let excepted = EXCEPTIONS.iter().any(|(f, t, _)| f == file && t == table);
            if *file != home && !excepted {
                stray.push(format!("{file}: {table} (owned by {home})"));
            }
        }
    }
    stray
}

/// A domain's tables are touched by its store alone: every table has an owner, and SQL naming
/// a table anywhere else in `api/src` fails here unless `EXCEPTIONS` says why.
#[test]
fn only_its_store_touches_a_table() {
    let tables = migration_tables();
    let owned: BTreeSet<String> = OWNERS.iter().map(|(t, _)| (*t).to_owned()).collect();
    assert!(tables.len() >= 30, "found only {} tables", tables.len());
    assert_eq!(
        tables, owned,
        "every table in migrations/ has one owner in OWNERS"
    );
    let root = repo_root().join("api/src");
    let mut list = Vec::new();
    files(&root, &["rs"], &mut list);
    let sources: Vec<(String, String)> = list
        .iter()
        .map(|f| {
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(f).unwrap())
        })
        .collect();
    for (file, table, _) in EXCEPTIONS {
        let text = &sources.iter().find(|(f, _)| f == file).unwrap().1;
        assert!(
            tables_named(&code(text), &tables).contains_key(*table),
            "the exception for {file}: {table} is no longer needed; remove it"
        );
    }
    let stray = stray_queries(&sources, &tables);
    assert!(stray.is_empty(), "SQL outside the owning store: {stray:#?}");
}

#[test]
fn a_stray_query_is_found() {
    let tables: BTreeSet<String> = ["users", "checkins"].map(str::to_owned).into();
    let sources = [
        (
            "safety/routes.rs".to_owned(),
            "sqlx::query!(\"SELECT duress_code_hash FROM users WHERE id = $1\")".to_owned(),
        ),
        (
            "safety/store.rs".to_owned(),
            "// FROM users, in a comment\nsqlx::query!(\"UPDATE checkins SET state = 'overdue'\");"
                .to_owned(),
        ),
        (
            "users/store.rs".to_owned(),
            "\"DELETE\n FROM users\"".to_owned(),
        ),
    ];
    assert_eq!(
        stray_queries(&sources, &tables),
        ["safety/routes.rs: users (owned by users/store.rs)"]
    );
}
