#!/usr/bin/env python3
"""Keeps scripts/bench/nearby.sql identical to the server's advocate nearby query.

  nearby_sql.py check SEARCH_RS SQL_FILE
      Exit 1 (showing both) unless the SQL file's query is, clause for clause, the
      public_loc variant of `nearby` in api/src/directory/search.rs with no filters.
  nearby_sql.py render SQL_FILE LAT LON AGENCY RADIUS LIMIT
      Print the SQL file's query with those values, selecting only the entry ids in order
      (to compare with what the API answers for the same point).
"""

import re
import sys

# What the server binds, by the Rust expression, and the benchmark's stand-in for it.
# Filters are all absent in the benchmark (no kind, open_now, has_beds, ... parameters).
RUST_ARGS = {
    "q.point": "<point>",
    "agency": "<agency>",
    "q.radius_m": "<radius>",
    "q.limit": "<limit>",
    "f.kinds.as_deref()": "NULL",
    "f.open_filter": "NULL",
    "f.has_beds": "NULL",
    "f.children": "NULL",
    "f.pets": "NULL",
    "f.wheelchair": "NULL",
    "f.language": "NULL",
}

POINT_SQL = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
SQL_VARS = [
    (POINT_SQL, "<point>"),
    (":agency", "<agency>"),
    (":radius", "<radius>"),
    (":limit", "<limit>"),
]


def die(msg):
    print(f"bench-directory: error: {msg}", file=sys.stderr)
    sys.exit(1)


def squash(sql):
    sql = re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def server_query(search_rs):
    src = open(search_rs, encoding="utf-8").read()
    m = re.search(r"pub async fn nearby\b(.*?)\n(?:pub )?(?:async )?fn |pub async fn nearby\b(.*)", src, re.S)
    if not m:
        die(f"no `pub async fn nearby` in {search_rs}")
    body = m.group(1) or m.group(2)
    blocks = re.findall(r'query_as!\(\s*\w+\s*,\s*r#"(.*?)"#\s*,(.*?)\)\s*\.fetch', body, re.S)
    public = [b for b in blocks if "public_loc" in b[0]]
    if len(public) != 1:
        die(f"expected exactly one public_loc query in nearby() of {search_rs}, found {len(public)}")
    sql, args = public[0]
    args = [a.strip() for a in args.split(",") if a.strip()]
    args = [re.sub(r"\s+as\s+_$", "", a) for a in args]
    subst = {}
    for i, a in enumerate(args, start=1):
        if a not in RUST_ARGS:
            die(f"search.rs nearby() binds `{a}` as ${i}, which the benchmark does not know")
        subst[i] = RUST_ARGS[a]
    sql = re.sub(r'\s+AS\s+"[^"]*"', "", sql)  # sqlx type overrides

    def param(m):
        n = int(m.group(1))
        if n not in subst:
            die(f"search.rs nearby() uses ${n} but binds only {len(subst)} values")
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
        sql = sql.replace(squash(text), token)
    return sql


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        server, bench = server_query(sys.argv[2]), bench_query(sys.argv[3])
        if server != bench:
            print("bench-directory: error: scripts/bench/nearby.sql no longer matches the advocate "
                  "(public_loc) nearby query in api/src/directory/search.rs:", file=sys.stderr)
            print(f"  search.rs : {server}", file=sys.stderr)
            print(f"  nearby.sql: {bench}", file=sys.stderr)
            sys.exit(1)
        print(server)
    elif len(sys.argv) == 8 and sys.argv[1] == "render":
        lat, lon, agency, radius, limit = sys.argv[3:]
        sql = file_query(sys.argv[2]).strip().rstrip(";")
        sql = (sql.replace(":lon", repr(float(lon))).replace(":lat", repr(float(lat)))
               .replace(":agency", f"'{agency}'::uuid").replace(":radius", repr(float(radius)))
               .replace(":limit", str(int(limit))))
        print(f"SELECT s.id FROM ({sql}) s;")
    else:
        die(__doc__)


if __name__ == "__main__":
    main()
