#!/usr/bin/env bash
# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test and scripts/pg. Source it; don't run it.
# Progress and errors go to stderr so that stdout carries only values (URLs, ports).
set -euo pipefail

# Repository root, from this file's own location (works from any cwd).
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

# Oldest PostgreSQL major we support (WITH (FORCE), scram defaults, PostGIS 3).
FL_PG_MIN=15

_fl_log() { printf 'fieldline: %s\n' "$*" >&2; }
_fl_die() {
	printf 'fieldline: error: %s\n' "$*" >&2
	exit 1
}

# Run a command as root: directly when root, else via sudo.
_fl_as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		_fl_die "need root to install packages ($*): run as root or install sudo"
	fi
}

# Run a PostgreSQL server binary. initdb/pg_ctl refuse to run as root, so root
# delegates to the postgres system user. cd / so an unreadable cwd (e.g. /root)
# doesn't make them warn or fail.
_fl_as_pg() {
	if [[ $EUID -eq 0 ]]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# True when the Debian package is fully installed (dpkg -s alone also
# succeeds for removed-but-not-purged packages).
_fl_pkg_installed() {
	[[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# Newest major NN >= FL_PG_MIN whose server and PostGIS 3 packages are both installed.
_fl_installed_pg_major() {
	local dir v best=""
	for dir in /usr/lib/postgresql/*/; do
		v=$(basename "$dir")
		[[ $v =~ ^[0-9]+$ ]] || continue
		((v >= FL_PG_MIN)) || continue
		_fl_pkg_installed "postgresql-$v" || continue
		_fl_pkg_installed "postgresql-$v-postgis-3" || continue
		if [[ -z $best ]] || ((v > best)); then best=$v; fi
	done
	printf '%s' "$best"
}

# Major to install: one whose server is already installed (newest), else 15,
# else the newest postgresql-NN-postgis-3 that apt knows about.
_fl_pick_pg_major() {
	local v available=() newest="" inst=""
	while IFS= read -r v; do
		v=${v#postgresql-}
		v=${v%-postgis-3}
		((v >= FL_PG_MIN)) || continue
		available+=("$v")
		if [[ -z $newest ]] || ((v > newest)); then newest=$v; fi
		if _fl_pkg_installed "postgresql-$v" && { [[ -z $inst ]] || ((v > inst)); }; then inst=$v; fi
	done < <(apt-cache pkgnames postgresql- | grep -E '^postgresql-[0-9]+-postgis-3$' || true)
	((${#available[@]})) || _fl_die "apt knows no postgresql-NN-postgis-3 package with NN >= $FL_PG_MIN"
	if [[ -n $inst ]]; then
		printf '%s' "$inst"
	elif [[ " ${available[*]} " == *" $FL_PG_MIN "* ]]; then
		printf '%s' "$FL_PG_MIN"
	else
		printf '%s' "$newest"
	fi
}

# Rust can't come from apt (Debian's rustc is too old), so only check for it.
_fl_check_cargo() {
	local ver
	if ! command -v cargo >/dev/null 2>&1; then
		if [[ -x ${HOME:-/nonexistent}/.cargo/bin/cargo ]]; then
			_fl_die "cargo is not on PATH: add \$HOME/.cargo/bin to PATH (Rust >= 1.94 via rustup is required)"
		fi
		_fl_die "cargo not found: install Rust >= 1.94 with rustup (https://rustup.rs), then re-run"
	fi
	ver=$(cargo --version 2>/dev/null || true)
	if [[ $ver =~ ^cargo\ ([0-9]+)\.([0-9]+) ]] &&
		((BASH_REMATCH[1] == 1 && BASH_REMATCH[2] < 94)); then
		_fl_die "$ver is too old: install Rust >= 1.94 with rustup (rustup update stable)"
	fi
}

# Install missing system packages. A warm run only asks dpkg, so it is fast
# and needs no network.
fl_install_deps() {
	_fl_check_cargo
	local pkg major missing=()
	major=$(_fl_installed_pg_major)
	for pkg in postgresql-client pkg-config build-essential ca-certificates; do
		_fl_pkg_installed "$pkg" || missing+=("$pkg")
	done
	command -v python3 >/dev/null 2>&1 || missing+=(python3) # fl_free_port
	# The push-receiver test peer runs in a venv (fl_push_receiver_python).
	python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
	# The web app (web/) is built with Node.js and npm.
	command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
	if [[ -n $major ]] && ((${#missing[@]} == 0)); then
		return 0
	fi
	# apt is chatty: keep its output in a log and show it only on failure.
	local aptlog rc=0
	aptlog=$(mktemp "${TMPDIR:-/tmp}/fieldline-apt.XXXXXX")
	_fl_log "apt-get update (log: $aptlog)"
	# apt lists may be empty or stale on a fresh machine; apt-cache needs them too.
	_fl_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$aptlog" 2>&1 || rc=$?
	if ((rc == 0)) && [[ -z $major ]]; then
		major=$(_fl_pick_pg_major)
		missing+=("postgresql-$major" "postgresql-$major-postgis-3")
	fi
	if ((rc == 0)); then
		_fl_log "apt-get install ${missing[*]}"
		_fl_as_root env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1 || rc=$?
	fi
	if ((rc != 0)); then
		tail -n 20 "$aptlog" >&2
		_fl_die "installing system packages failed (log: $aptlog)"
	fi
	rm -f "$aptlog"
}

# Bin dir of the newest installed PostgreSQL >= 15, preferring one with PostGIS.
fl_pg_bin() {
	local dir v best="" best_postgis=""
	for dir in /usr/lib/postgresql/*/bin; do
		[[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
		v=${dir#/usr/lib/postgresql/}
		v=${v%/bin}
		[[ $v =~ ^[0-9]+$ ]] || continue
		((v >= FL_PG_MIN)) || continue
		if [[ -z $best ]] || ((v > best)); then best=$v; fi
		if [[ -f /usr/share/postgresql/$v/extension/postgis.control ]] &&
			{ [[ -z $best_postgis ]] || ((v > best_postgis)); }; then
			best_postgis=$v
		fi
	done
	[[ -n $best_postgis ]] && best=$best_postgis
	[[ -n $best ]] || _fl_die "no PostgreSQL >= $FL_PG_MIN server found under /usr/lib/postgresql (run scripts/run or scripts/test once to install it)"
	printf '/usr/lib/postgresql/%s/bin\n' "$best"
}

# Bin dir for the cluster in DIR: an existing cluster must use its own major.
_fl_cluster_bin() {
	local pgdata=$1/pgdata v
	if [[ -f $pgdata/PG_VERSION ]]; then
		v=$(<"$pgdata/PG_VERSION")
		[[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]] ||
			_fl_die "cluster $pgdata was made by PostgreSQL $v, which is not installed"
		printf '/usr/lib/postgresql/%s/bin\n' "$v"
	else
		fl_pg_bin
	fi
}

# Absolute path of DIR (must exist).
_fl_abs() { (cd "$1" && pwd -P); }

# True when the cluster in DIR is running (pg_ctl checks postmaster.pid is alive).
_fl_pg_running() {
	local dir=$1 bin
	[[ -f $dir/pgdata/PG_VERSION && -f $dir/pgdata/postmaster.pid ]] || return 1
	bin=$(_fl_cluster_bin "$dir")
	_fl_as_pg "$bin/pg_ctl" status -D "$dir/pgdata" >/dev/null 2>&1
}

# Port of the running cluster in DIR (line 4 of postmaster.pid), or nothing.
fl_pg_running_port() {
	local dir
	[[ -d $1 ]] || return 0
	dir=$(_fl_abs "$1")
	if _fl_pg_running "$dir"; then
		sed -n 4p "$dir/pgdata/postmaster.pid"
	fi
}

# Root runs the server as postgres, which must be able to reach DIR.
_fl_check_postgres_can_reach() {
	local dir=$1 parent d
	id postgres >/dev/null 2>&1 || _fl_die "no 'postgres' system user: install the postgresql package (fl_install_deps)"
	parent=$(dirname "$dir")
	if ! runuser -u postgres -- test -x "$parent"; then
		# Find the first ancestor (top-down) that postgres can't traverse, to name it.
		d=$parent
		local chain=()
		while :; do
			chain=("$d" "${chain[@]}")
			[[ $d == / ]] && break
			d=$(dirname "$d")
		done
		for d in "${chain[@]}"; do
			if ! runuser -u postgres -- test -x "$d"; then
				_fl_die "the postgres user cannot enter $d (needed to reach $dir); use a directory elsewhere or: chmod o+x $d"
			fi
		done
	fi
	# DIR itself is ours: mktemp -d makes it 0700, so let postgres traverse it
	# (it holds only the root-owned 0600 password file besides postgres' own dirs).
	runuser -u postgres -- test -x "$dir" || chmod o+x "$dir"
}

# fl_pg_start DIR PORT: create (once) and start a private cluster in DIR.
fl_pg_start() {
	(($# == 2)) || _fl_die "usage: fl_pg_start DIR PORT"
	local dir=$1 port=$2 bin pgdata log sock running pwtmp rc=0
	[[ $port =~ ^[0-9]+$ ]] || _fl_die "bad port: $port"
	mkdir -p "$dir"
	dir=$(_fl_abs "$dir")
	# pg_ctl passes -o through /bin/sh; a quote would break it.
	[[ $dir != *"'"* ]] || _fl_die "directory name must not contain a single quote: $dir"
	pgdata=$dir/pgdata log=$dir/postgres.log sock=$dir/socket
	# Unix socket paths are limited to 107 bytes.
	((${#sock} + 13 + ${#port} <= 107)) || _fl_die "path too long for a unix socket: $sock (use a shorter DIR)"
	bin=$(_fl_cluster_bin "$dir")

	if _fl_pg_running "$dir"; then
		running=$(sed -n 4p "$pgdata/postmaster.pid")
		[[ $running == "$port" ]] ||
			_fl_die "cluster in $dir is already running on port $running, not $port (stop it first: scripts/pg stop $dir)"
		_fl_log "reusing running PostgreSQL in $dir on port $port"
		return 0
	fi

	[[ $EUID -ne 0 ]] || _fl_check_postgres_can_reach "$dir"

	if [[ ! -f $dir/password ]]; then
		[[ ! -f $pgdata/PG_VERSION ]] || _fl_die "$dir/password is missing but the cluster exists; remove $dir to start over"
		# Hex: URL-safe, so URLs need no escaping.
		(umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password")
	fi
	chmod 600 "$dir/password"

	if [[ ! -f $pgdata/PG_VERSION ]]; then
		_fl_log "initialising PostgreSQL $(basename "$(dirname "$bin")") cluster in $pgdata"
		mkdir -p "$pgdata"
		chmod 700 "$pgdata"
		# initdb reads the password from a file the server user can read.
		pwtmp=$dir/.initdb-password
		if [[ $EUID -eq 0 ]]; then
			chown postgres: "$pgdata"
			install -m 600 -o postgres -g postgres "$dir/password" "$pwtmp"
		else
			install -m 600 "$dir/password" "$pwtmp"
		fi
		# shellcheck disable=SC2086 # FL_INITDB_OPTS is a list of words
		_fl_as_pg "$bin/initdb" -D "$pgdata" -E UTF8 --locale=C.UTF-8 -U fieldline \
			--pwfile="$pwtmp" --auth-local=peer --auth-host=scram-sha-256 \
			${FL_INITDB_OPTS:-} >"$dir/initdb.log" 2>&1 || rc=$?
		rm -f "$pwtmp"
		if ((rc != 0)); then
			tail -n 20 "$dir/initdb.log" >&2
			_fl_die "initdb failed (full log: $dir/initdb.log)"
		fi
	fi

	mkdir -p "$sock"
	touch "$log"
	if [[ $EUID -eq 0 ]]; then
		chown postgres: "$sock" "$log"
	fi
	chmod 700 "$sock"

	_fl_log "starting PostgreSQL on 127.0.0.1:$port (data: $pgdata, log: $log)"
	if ! _fl_as_pg "$bin/pg_ctl" start -D "$pgdata" -l "$log" -w -t 60 -s \
		-o "-k '$sock' -p $port -c listen_addresses=127.0.0.1 ${FL_PG_OPTS:-}" >&2; then
		tail -n 20 "$log" >&2
		_fl_die "PostgreSQL failed to start (log: $log)"
	fi
	local i
	for ((i = 0; i < 300; i++)); do
		"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres && break
		sleep 0.1
	done
	"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres || _fl_die "PostgreSQL on port $port is not ready after 30s (log: $log)"

	local admin url exists
	admin=$(fl_pg_url "$dir" "$port" postgres)
	exists=$(_fl_psql "$admin" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'fieldline'")
	if [[ -z $exists ]]; then
		_fl_psql "$admin" -c 'CREATE DATABASE fieldline' >/dev/null
	fi
	url=$(fl_pg_url "$dir" "$port")
	_fl_psql "$url" -c 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null
	_fl_log "PostgreSQL ready on 127.0.0.1:$port"
}

# psql without ~/.psqlrc, stopping on the first error, without NOTICE chatter.
_fl_psql() {
	local url=$1
	shift
	PGOPTIONS='-c client_min_messages=warning' PGCONNECT_TIMEOUT=10 \
		psql -X -q -v ON_ERROR_STOP=1 -d "$url" "$@"
}

# fl_pg_url DIR PORT [DB]: superuser URL of the cluster in DIR.
fl_pg_url() {
	(($# == 2 || $# == 3)) || _fl_die "usage: fl_pg_url DIR PORT [DB]"
	local dir=$1 port=$2 db=${3:-fieldline}
	[[ -r $dir/password ]] || _fl_die "no password file in $dir (was the cluster started with fl_pg_start?)"
	printf 'postgres://fieldline:%s@127.0.0.1:%s/%s\n' "$(<"$dir/password")" "$port" "$db"
}

# fl_pg_stop DIR: fast shutdown; quiet no-op when nothing runs there.
fl_pg_stop() {
	(($# == 1 || $# == 2)) || _fl_die "usage: fl_pg_stop DIR [fast|immediate]"
	local dir=$1 mode=${2:-fast} bin
	[[ -d $dir ]] || return 0
	dir=$(_fl_abs "$dir")
	_fl_pg_running "$dir" || return 0
	bin=$(_fl_cluster_bin "$dir")
	_fl_log "stopping PostgreSQL in $dir"
	_fl_as_pg "$bin/pg_ctl" stop -D "$dir/pgdata" -m "$mode" -w -t 60 -s >&2
}

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
fl_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# URL with its database name replaced by DB (keeps any ?query).
_fl_url_with_db() {
	local url=$1 db=$2 scheme rest authority query=""
	scheme=${url%%://*}
	rest=${url#*://}
	[[ $rest != "$url" ]] || _fl_die "not a postgres URL: $url"
	if [[ $rest == *\?* ]]; then
		query="?${rest#*\?}"
		rest=${rest%%\?*}
	fi
	authority=${rest%%/*}
	printf '%s://%s/%s%s\n' "$scheme" "$authority" "$db" "$query"
}

# fl_schema_db ADMIN_URL: (re)create database fieldline_schema on that server,
# apply migrations (FL_MIGRATIONS_DIR, default $REPO/migrations) and echo its
# URL. sqlx::query! checks queries against it at compile time.
fl_schema_db() {
	(($# == 1)) || _fl_die "usage: fl_schema_db ADMIN_URL"
	local admin=$1 url dir f n=0 files=()
	dir=${FL_MIGRATIONS_DIR:-$REPO/migrations}
	url=$(_fl_url_with_db "$admin" fieldline_schema)
	# template0: a test cluster's template1 may already hold the schema (fl_test_template).
	_fl_psql "$admin" -c 'DROP DATABASE IF EXISTS fieldline_schema WITH (FORCE)' -c 'CREATE DATABASE fieldline_schema TEMPLATE template0' >/dev/null
	if [[ -d $dir ]]; then
		# Lexical (C locale) order, like sqlx's version order for its
		# zero-padded/timestamp names; down migrations are for reverting only.
		while IFS= read -r -d '' f; do
			[[ $f == *.down.sql ]] || files+=("$f")
		done < <(find "$dir" -maxdepth 1 -type f -name '*.sql' -print0 | LC_ALL=C sort -z)
	fi
	for f in "${files[@]}"; do
		# Honour sqlx's "-- no-transaction" marker (e.g. CREATE INDEX CONCURRENTLY).
		if [[ $(head -n 1 "$f") == "-- no-transaction"* ]]; then
			_fl_psql "$url" -f "$f" >/dev/null || _fl_die "migration failed: $f"
		else
			_fl_psql "$url" --single-transaction -f "$f" >/dev/null || _fl_die "migration failed: $f"
		fi
		n=$((n + 1))
	done
	_fl_log "schema database fieldline_schema: applied $n migration(s) from $dir"
	printf '%s\n' "$url"
}

# Makes a throwaway test cluster's template1 a database migrated by Fieldline's own migrator
# (FIELDLINE_BIN migrate), so that each test's `CREATE DATABASE` (sqlx::test) copies the schema
# in about 0.1 s instead of applying every migration, PostGIS included, in about 0.7 s. sqlx's
# migrator then finds every migration applied, with its checksum, and applies none.
# Never for a cluster that keeps data: scripts/run and scripts/dev-db leave template1 alone.
fl_test_template() {
	(($# == 2)) || _fl_die "usage: fl_test_template ADMIN_URL FIELDLINE_BIN"
	local admin=$1 bin=$2 url keys
	url=$(_fl_url_with_db "$admin" fieldline_template)
	_fl_psql "$admin" -c 'DROP DATABASE IF EXISTS fieldline_template WITH (FORCE)' \
		-c 'CREATE DATABASE fieldline_template TEMPLATE template0' >/dev/null
	keys=$(mktemp -d)
	DATABASE_URL=$url FIELDLINE_DATA_DIR=$keys RUST_LOG=warn "$bin" migrate >/dev/null ||
		_fl_die "migrating the test template database failed"
	rm -rf "$keys"
	_fl_psql "$admin" -c 'ALTER DATABASE template1 IS_TEMPLATE false' \
		-c 'DROP DATABASE template1 WITH (FORCE)' \
		-c 'ALTER DATABASE fieldline_template RENAME TO template1' \
		-c 'ALTER DATABASE template1 IS_TEMPLATE true' >/dev/null
	_fl_log "test databases start from template1, migrated by $bin"
}

# Lints inside the build: exports what `cargo clippy -- -D warnings` sets for `cargo check`
# (RUSTC_WORKSPACE_WRAPPER=clippy-driver, CLIPPY_ARGS with its separator), so that a
# `cargo build` or `cargo test` lints the workspace's own crates while compiling them through to
# binaries, and rustc compiles the dependencies once instead of once for a separate `cargo
# clippy` and again for the build. First proves on a one-line program that a lint still fails a
# build this way, so a change in clippy cannot switch the lints off unnoticed.
fl_clippy_in_build() {
	local driver probe
	driver="$(rustc --print sysroot)/bin/clippy-driver"
	[[ -x $driver ]] || _fl_die "clippy is missing: rustup component add clippy"
	probe=$(mktemp -d)
	printf 'fn main() {\n    let x = 1u8;\n    let _y = x.clone();\n}\n' >"$probe/probe.rs"
	if CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__ \
		"$driver" --edition 2024 --crate-type bin -o "$probe/probe" "$probe/probe.rs" >"$probe/out" 2>&1 ||
		! grep -q 'clippy::clone-on-copy' "$probe/out"; then
		cat "$probe/out" >&2
		rm -rf "$probe"
		_fl_die "clippy-driver did not fail a build on a lint: run cargo clippy separately"
	fi
	rm -rf "$probe"
	export RUSTC_WORKSPACE_WRAPPER=$driver
	export CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
}

# A Python with the test peers' dependencies (tests/push-receiver, tests/calendar-check); echoes its path.
fl_push_receiver_python() {
	# One venv for the Python test peers: the push receiver, the iCalendar checker and the
	# OpenAPI validator and schemathesis (the API fuzzer).
	local venv=$REPO/.data/push-receiver-venv
	local reqs=("$REPO/tests/push-receiver/requirements.txt" "$REPO/tests/calendar-check/requirements.txt"
		"$REPO/tests/openapi-check/requirements.txt" "$REPO/tests/schemathesis/requirements.txt")
	if [[ ! -x $venv/bin/python ]] || ! cat "${reqs[@]}" | cmp -s - "$venv/requirements.txt"; then
		_fl_log "installing the Python test peers' dependencies (push receiver, calendar check, OpenAPI checks)"
		rm -rf "$venv"
		python3 -m venv "$venv" >&2 || _fl_die "python3 -m venv failed (apt-get install python3-venv)"
		"$venv/bin/pip" install -q --disable-pip-version-check -r "${reqs[0]}" -r "${reqs[1]}" -r "${reqs[2]}" -r "${reqs[3]}" >&2 ||
			_fl_die "pip install for the Python test peers failed"
		cat "${reqs[@]}" >"$venv/requirements.txt"
	fi
	printf '%s\n' "$venv/bin/python"
}


# Builds the web app into web/dist (embedded by the server at /app) when its sources changed
# since the last build; installs its npm packages (package-lock.json) first when needed.
fl_web_build() {
	local web=$REPO/web
	command -v npm >/dev/null 2>&1 || _fl_die "npm is missing (apt-get install nodejs npm)"
	if [[ ! -f $web/node_modules/.package-lock.json || $web/package-lock.json -nt $web/node_modules/.package-lock.json ]]; then
		_fl_log "npm ci (web/)"
		(cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2) || _fl_die "npm ci in web/ failed"
	fi
	# openapi-typescript, which the suite runs to check web/src/api-types.ts, in a package of its
	# own (it needs TypeScript 5's compiler API; the app type-checks with TypeScript 7).
	local types=$web/tools/api-types
	if [[ ! -f $types/node_modules/.package-lock.json || $types/package-lock.json -nt $types/node_modules/.package-lock.json ]]; then
		_fl_log "npm ci (web/tools/api-types/)"
		(cd "$types" && npm ci --no-audit --no-fund --loglevel=error >&2) || _fl_die "npm ci in web/tools/api-types/ failed"
	fi
	if [[ ! -f $web/dist/index.html ]] ||
		[[ -n $(find "$web/src" "$web/public" "$web/tools" "$web/index.html" "$web/build.mjs" "$web/package-lock.json" -newer "$web/dist/index.html" -print -quit) ]]; then
		_fl_log "building the web app (web/dist)"
		(cd "$web" && npm run --silent build >&2) || _fl_die "building the web app failed"
	fi
}

# Debian's Chromium for the browser tests (web/tests); echoes its path.
fl_chromium() {
	local bin=${FIELDLINE_CHROMIUM:-/usr/bin/chromium} aptlog
	if [[ ! -x $bin ]]; then
		aptlog=$(mktemp "${TMPDIR:-/tmp}/fieldline-apt.XXXXXX")
		_fl_log "apt-get install chromium (log: $aptlog)"
		{ _fl_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
			_fl_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } >"$aptlog" 2>&1 ||
			{
				tail -n 20 "$aptlog" >&2
				_fl_die "installing chromium failed (log: $aptlog)"
			}
		rm -f "$aptlog"
	fi
	printf '%s\n' "$bin"
}
