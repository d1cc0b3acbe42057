#!/usr/bin/env python3
"""Keeps scripts/bench/nearby.sql identical to the server's nearby statement.

  nearby_sql.py check SEARCH_RS SQL_FILE
      Exit 1 (showing both) unless the SQL file's query is, clause for clause, the statement
      of `nearby` in api/src/directory/store.rs with no filters.
  nearby_sql.py render SQL_FILE LAT LON SID SUB HOLDER_ROLES HOLDER_GRANTS RADIUS LIMIT
      Print the SQL file's query with those values, selecting only the entry ids in order
      (to compare with what the API answers for the same point).
"""

import re
import sys
import uuid

# What the server binds, by the Rust expression, and the benchmark's stand-in for it.
# Filters are all absent in the benchmark (no kind, open_now, has_beds, ... parameters).
RUST_ARGS = {
    "point": "<point>",
    "radius_m": "<radius>",
    "limit": "<limit>",
    "roles": "<holder_roles>",
    "grants": "<holder_grants>",
    "session": "<sid>",
    "user": "<sub>",
    "f.kinds.as_deref()": "NULL",
    "f.open_filter": "NULL",
    "f.has_beds": "NULL",
    "f.children": "NULL",
    "f.pets": "NULL",
    "f.wheelchair": "NULL",
    "f.language": "NULL",
}

# The server binds the point as one geography value; a scalar subquery (an InitPlan) is
# likewise computed once per execution. Written bare, ST_MakePoint would run again for every
# candidate row, making the SQL side slower than the server's statement.
POINT_SQL = "(SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)"
SQL_VARS = [
    (POINT_SQL, "<point>"),
    (":holder_roles", "<holder_roles>"),
    (":holder_grants", "<holder_grants>"),
    (":sid", "<sid>"),
    (":sub", "<sub>"),
    (":radius", "<radius>"),
    (":limit", "<limit>"),
]


def die(msg):
    print(f"bench-directory: error: {msg}", file=sys.stderr)
    sys.exit(1)


def squash(sql):
    sql = re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def server_query(store_rs):
    src = open(store_rs, encoding="utf-8").read()
    m = re.search(r"pub async fn nearby\b(.*?)\n(?:pub )?(?:async )?fn |pub async fn nearby\b(.*)", src, re.S)
    if not m:
        die(f"no `pub async fn nearby` in {store_rs}")
    body = m.group(1) or m.group(2)
    blocks = re.findall(r'query_as!\(\s*\w+\s*,\s*r#"(.*?)"#\s*,(.*?)\)\s*\.fetch', body, re.S)
    if len(blocks) != 1:
        die(f"expected exactly one query in nearby() of {store_rs}, found {len(blocks)}")
    sql, args = blocks[0]
    args = [a.strip() for a in args.split(",") if a.strip()]
    args = [re.sub(r"\s+as\s+.*$", "", a) for a in args]
    subst = {}
    for i, a in enumerate(args, start=1):
        if a not in RUST_ARGS:
            die(f"store.rs nearby() binds `{a}` as ${i}, which the benchmark does not know")
        subst[i] = RUST_ARGS[a]
    sql = re.sub(r'\s+AS\s+"[^"]*"', "", sql)  # sqlx type overrides

    def param(m):
        n = int(m.group(1))
        if n not in subst:
            die(f"store.rs nearby() uses ${n} but binds only {len(subst)} values")
        return subst[n]

    sql = re.sub(r"\$(\d+)(?:::geography)?", param, sql)
    return squash(sql)


def file_query(sql_file):
    lines = []
    for line in open(sql_file, encoding="utf-8"):
        s = line.strip()
        if s.startswith("--") or s.startswith("\\") or not s:
            continue
        lines.append(line)
    return " ".join(lines)


def bench_query(sql_file):
    sql = squash(file_query(sql_file))
    for text, token in SQL_VARS:
        sql = sql.replace(squash(text), f" {token} ")
    return squash(sql)


def text_array(literal):
    """A PostgreSQL array literal such as {coordinator,housing_manager}, as a text[] constant."""
    if not re.fullmatch(r"\{[a-z_,]*\}", literal):
        die(f"not a plain text[] literal: {literal}")
    return f"'{literal}'::text[]"


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        server, bench = server_query(sys.argv[2]), bench_query(sys.argv[3])
        if server != bench:
            print("bench-directory: error: scripts/bench/nearby.sql no longer matches the nearby "
                  "statement in api/src/directory/store.rs:", file=sys.stderr)
            print(f"  store.rs  : {server}", file=sys.stderr)
            print(f"  nearby.sql: {bench}", file=sys.stderr)
            sys.exit(1)
        print(server)
    elif len(sys.argv) == 11 and sys.argv[1] == "render":
        lat, lon, sid, sub, holder_roles, holder_grants, radius, limit = sys.argv[3:]
        sql = file_query(sys.argv[2]).strip().rstrip(";")
        for var, value in [
            (":lon", repr(float(lon))),
            (":lat", repr(float(lat))),
            (":sid", f"'{uuid.UUID(sid)}'::uuid"),
            (":sub", f"'{uuid.UUID(sub)}'::uuid"),
            (":holder_roles", text_array(holder_roles)),
            (":holder_grants", text_array(holder_grants)),
            (":radius", repr(float(radius))),
            (":limit", str(int(limit))),
        ]:
            sql = sql.replace(var, value)
        print(f"SELECT q.id FROM ({sql}) q;")
    else:
        die(__doc__)


if __name__ == "__main__":
    main()
