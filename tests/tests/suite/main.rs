//! The integration suite, one test binary (issue #17): the real server on port 0, real
//! PostgreSQL + PostGIS, the bridge and independent peers, one module per domain or concern.
//! One binary links the server once instead of once per file, which was most of the suite's
//! time. Run one module with `scripts/test -- --test suite contacts::` (a filter on the test
//! path), one test by its name.
//!
//! `tests/tests/logs.rs` stays a binary of its own: it installs the process's log subscriber.

mod admin;
mod alerts;
mod architecture;
mod auth;
mod authz_matrix;
mod bridge_agency;
mod bridge_alerts;
mod bridge_faults;
mod bridge_ffi;
mod bridge_outbox;
mod bridge_property;
mod browser;
mod contacts;
mod directory;
mod directory_transfer;
mod errors;
mod fuzz_contract;
mod jwt;
mod keys;
mod metrics;
mod oncall;
mod oncall_calendar;
mod ops;
mod plans;
mod push;
mod push_trust;
mod retention;
mod safety;
mod schema;
mod search_pool;
mod sync;
mod throttle;
mod twins;
mod web;
mod web_session;
