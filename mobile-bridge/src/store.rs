//! The on-device database (SQLite): the outbox of mutations not yet accepted by the server,
//! the records synced for reading offline, the last directory results, and the sync cursor.
//!
//! Encryption: the file itself is plain SQLite; every value holding personal data (request
//! bodies, synced records, the server's side of a conflict, directory results, which reveal
//! where the advocate was) is sealed with AES-256-GCM under a 32-byte key the host app keeps
//! in the platform keystore (Android Keystore / iOS Keychain) and passes in at start. Each
//! value has a fresh random nonce and is bound to its row (table, id) as associated data, so
//! values cannot be swapped between rows. Left readable: ids, kinds, states, versions,
//! timestamps and the sync cursor — what the app lists without the key-derived data. We chose
//! this over SQLCipher because SQLCipher needs a crypto library (OpenSSL or CommonCrypto)
//! cross-compiled for every phone target; RustCrypto builds everywhere `cargo` does.
//!
//! Durability: WAL with `synchronous = FULL`, so a mutation is on disk before the call that
//! recorded it returns.

use crate::BridgeError;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The mutation's own id, made when the user acted: the idempotency key the server sees.
    id             TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    if_match       INTEGER,
    body           BLOB NOT NULL,
    -- pending | conflict | rejected
    state          TEXT NOT NULL DEFAULT 'pending',
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    server_version INTEGER,
    server_body    BLOB,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    record_type TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER,
    body        BLOB NOT NULL,
    synced_at   INTEGER NOT NULL,
    PRIMARY KEY (record_type, id)
);
CREATE TABLE IF NOT EXISTS directory_cache (
    slot        INTEGER PRIMARY KEY CHECK (slot = 0),
    body        BLOB NOT NULL,
    fetched_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// A synced record as stored: (version, opened body, synced at).
pub type Record = (Option<i64>, Vec<u8>, i64);

/// One queued mutation as stored.
#[derive(Debug, Clone)]
pub struct StoredItem {
    pub id: String,
    pub kind: String,
    pub record_id: String,
    pub if_match: Option<i64>,
    pub body: Vec<u8>,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub server_version: Option<i64>,
    pub server_body: Option<Vec<u8>>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct Store {
    conn: Mutex<Connection>,
    cipher: Aes256Gcm,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    pub fn open(path: &Path, key: &[u8]) -> Result<Store, BridgeError> {
        if key.len() != 32 {
            return Err(BridgeError::Storage(
                "the database key must be 32 bytes".into(),
            ));
        }
        let cipher = Aes256Gcm::new_from_slice(key)
            .map_err(|_| BridgeError::Storage("the database key must be 32 bytes".into()))?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        // Earlier versions rejected a change when the answer could not be read (a captive
        // portal's page, a body cut short): the server never refused those, so they go out
        // again. (A refusal's error is its problem type or the invalid fields, never this.)
        conn.execute(
            "UPDATE outbox SET state = 'pending'
              WHERE state = 'rejected' AND last_error LIKE 'unexpected response:%'",
            [],
        )?;
        let store = Store {
            conn: Mutex::new(conn),
            cipher,
        };
        store.check_key()?;
        Ok(store)
    }

    /// A wrong key is refused at once, not discovered at the first read of a record.
    fn check_key(&self) -> Result<(), BridgeError> {
        const PROBE: &str = "fieldline-key-check";
        match self.meta("key_check")? {
            Some(sealed) => {
                let raw = hex_decode(&sealed)
                    .ok_or_else(|| BridgeError::Storage("corrupt key check".into()))?;
                let plain = self.open_value("meta:key_check", &raw)?;
                if plain != PROBE.as_bytes() {
                    return Err(BridgeError::Storage("wrong database key".into()));
                }
            }
            None => {
                let sealed = self.seal("meta:key_check", PROBE.as_bytes())?;
                self.set_meta("key_check", &hex_encode(&sealed))?;
            }
        }
        Ok(())
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (each statement is
        // atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// nonce (12 bytes) || ciphertext+tag, bound to `aad`.
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>, BridgeError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        let ct = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| BridgeError::Storage("sealing failed".into()))?;
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open_value(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>, BridgeError> {
        if sealed.len() < 12 {
            return Err(BridgeError::Storage("corrupt sealed value".into()));
        }
        let (nonce, ct) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().expect("split at 12");
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| BridgeError::Storage("wrong database key, or a damaged value".into()))
    }

    // --- Outbox ---------------------------------------------------------------------------

    /// Queues a mutation; the body is sealed. Returns its sequence number. Queuing the same id
    /// twice keeps the first (the user's action happened once).
    pub fn enqueue(
        &self,
        id: &str,
        kind: &str,
        record_id: &str,
        if_match: Option<i64>,
        body: &[u8],
    ) -> Result<i64, BridgeError> {
        let sealed = self.seal(&format!("outbox:{id}"), body)?;
        let now = now_ms();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO outbox (id, kind, record_id, if_match, body, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO NOTHING",
            params![id, kind, record_id, if_match, sealed, now],
        )?;
        Ok(conn.query_row("SELECT seq FROM outbox WHERE id = ?1", [id], |r| r.get(0))?)
    }

    /// Items in the order the user made them; `states` filters (empty = all).
    pub fn items(&self, states: &[&str]) -> Result<Vec<StoredItem>, BridgeError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, kind, record_id, if_match, body, state, attempts, last_error,
                    server_version, server_body, created_at, updated_at
               FROM outbox ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredItem {
                id: r.get(0)?,
                kind: r.get(1)?,
                record_id: r.get(2)?,
                if_match: r.get(3)?,
                body: r.get(4)?,
                state: r.get(5)?,
                attempts: r.get(6)?,
                last_error: r.get(7)?,
                server_version: r.get(8)?,
                server_body: r.get(9)?,
                created_at: r.get(10)?,
                updated_at: r.get(11)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let item = row?;
            if states.is_empty() || states.contains(&item.state.as_str()) {
                out.push(item);
            }
        }
        Ok(out)
    }

    pub fn item(&self, id: &str) -> Result<Option<StoredItem>, BridgeError> {
        Ok(self.items(&[])?.into_iter().find(|i| i.id == id))
    }

    pub fn body(&self, item: &StoredItem) -> Result<Vec<u8>, BridgeError> {
        self.open_value(&format!("outbox:{}", item.id), &item.body)
    }

    pub fn server_body(&self, item: &StoredItem) -> Result<Option<Vec<u8>>, BridgeError> {
        item.server_body
            .as_ref()
            .map(|b| self.open_value(&format!("outbox-server:{}", item.id), b))
            .transpose()
    }

    /// The server accepted it: nothing of it stays on the device. `false` if it was already
    /// gone (another delivery of the same item got there first).
    pub fn delivered(&self, id: &str) -> Result<bool, BridgeError> {
        let n = self
            .conn()
            .execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        Ok(n == 1)
    }

    /// The server accepted a change to a record and answered with `version`: it leaves the
    /// device, and the record's later changes queued here (made on this phone after it, so on
    /// top of it) now go out based on the version it made. `false` if it was already gone.
    pub fn delivered_as(
        &self,
        id: &str,
        kind: &str,
        record_id: &str,
        version: i64,
    ) -> Result<bool, BridgeError> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        let n = tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE outbox SET if_match = ?3, updated_at = ?4
              WHERE kind = ?1 AND record_id = ?2 AND state = 'pending'",
            params![kind, record_id, version, now_ms()],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Not sent this time (no connection): counts the attempt, stays pending.
    pub fn attempted(&self, id: &str, error: &str) -> Result<(), BridgeError> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, error, now_ms()],
        )?;
        Ok(())
    }

    /// The server refused it for good (invalid, forbidden): kept for the user to see and fix.
    pub fn rejected(&self, id: &str, error: &str) -> Result<(), BridgeError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ?2, updated_at = ?3
              WHERE id = ?1",
            params![id, error, now_ms()],
        )?;
        Ok(())
    }

    /// Someone changed the record first: keep both sides until the user decides.
    pub fn conflicted(
        &self,
        id: &str,
        server_version: Option<i64>,
        server_body: Option<&[u8]>,
    ) -> Result<(), BridgeError> {
        let sealed = server_body
            .map(|b| self.seal(&format!("outbox-server:{id}"), b))
            .transpose()?;
        self.conn().execute(
            "UPDATE outbox SET state = 'conflict', attempts = attempts + 1, server_version = ?2,
                    server_body = ?3, last_error = 'conflict', updated_at = ?4
              WHERE id = ?1",
            params![id, server_version, sealed, now_ms()],
        )?;
        Ok(())
    }

    /// Sends it again on top of the server's version (the user keeps their change).
    pub fn requeue_over(&self, id: &str, if_match: Option<i64>) -> Result<bool, BridgeError> {
        let n = self.conn().execute(
            "UPDATE outbox SET state = 'pending', if_match = ?2, server_version = NULL,
                    server_body = NULL, last_error = NULL, updated_at = ?3
              WHERE id = ?1 AND state IN ('conflict', 'rejected')",
            params![id, if_match, now_ms()],
        )?;
        Ok(n == 1)
    }

    /// The user drops their change.
    pub fn discard(&self, id: &str) -> Result<bool, BridgeError> {
        let n = self.conn().execute(
            "DELETE FROM outbox WHERE id = ?1 AND state IN ('conflict', 'rejected')",
            [id],
        )?;
        Ok(n == 1)
    }

    // --- Synced records, directory cache, meta --------------------------------------------

    pub fn put_record(
        &self,
        record_type: &str,
        id: &str,
        version: Option<i64>,
        body: &[u8],
        synced_at: i64,
    ) -> Result<(), BridgeError> {
        let sealed = self.seal(&format!("record:{record_type}:{id}"), body)?;
        self.conn().execute(
            "INSERT INTO records (record_type, id, version, body, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (record_type, id) DO UPDATE
                SET version = excluded.version, body = excluded.body, synced_at = excluded.synced_at",
            params![record_type, id, version, sealed, synced_at],
        )?;
        Ok(())
    }

    pub fn delete_record(&self, record_type: &str, id: &str) -> Result<(), BridgeError> {
        self.conn().execute(
            "DELETE FROM records WHERE record_type = ?1 AND id = ?2",
            params![record_type, id],
        )?;
        Ok(())
    }

    /// (id, version, body, synced_at) of every record of a type.
    #[allow(clippy::type_complexity)]
    pub fn records(
        &self,
        record_type: &str,
    ) -> Result<Vec<(String, Option<i64>, Vec<u8>, i64)>, BridgeError> {
        let rows: Vec<(String, Option<i64>, Vec<u8>, i64)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT id, version, body, synced_at FROM records WHERE record_type = ?1 ORDER BY id",
            )?;
            stmt.query_map([record_type], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?
        };
        rows.into_iter()
            .map(|(id, v, body, at)| {
                let plain = self.open_value(&format!("record:{record_type}:{id}"), &body)?;
                Ok((id, v, plain, at))
            })
            .collect()
    }

    pub fn record(&self, record_type: &str, id: &str) -> Result<Option<Record>, BridgeError> {
        let row: Option<Record> = self
            .conn()
            .query_row(
                "SELECT version, body, synced_at FROM records WHERE record_type = ?1 AND id = ?2",
                params![record_type, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(v, body, at)| {
            let plain = self.open_value(&format!("record:{record_type}:{id}"), &body)?;
            Ok((v, plain, at))
        })
        .transpose()
    }

    pub fn put_directory(&self, body: &[u8], fetched_at: i64) -> Result<(), BridgeError> {
        let sealed = self.seal("directory:0", body)?;
        self.conn().execute(
            "INSERT INTO directory_cache (slot, body, fetched_at) VALUES (0, ?1, ?2)
             ON CONFLICT (slot) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            params![sealed, fetched_at],
        )?;
        Ok(())
    }

    pub fn directory(&self) -> Result<Option<(Vec<u8>, i64)>, BridgeError> {
        let row: Option<(Vec<u8>, i64)> = self
            .conn()
            .query_row(
                "SELECT body, fetched_at FROM directory_cache WHERE slot = 0",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(b, at)| Ok((self.open_value("directory:0", &b)?, at)))
            .transpose()
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, BridgeError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), BridgeError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn delete_meta(&self, key: &str) -> Result<(), BridgeError> {
        self.conn()
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Writes many synced records in one transaction (a sync page).
    pub fn in_transaction<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, BridgeError>,
    ) -> Result<T, BridgeError> {
        self.conn().execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn().execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn().execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Bytes the database occupies on disk (main file and write-ahead log).
    pub fn disk_size(&self, path: &Path) -> u64 {
        let mut total = 0;
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{}", path.display(), suffix);
            total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        }
        total
    }
}

impl Store {
    /// Forgets everything of the signed-in user (sign-out, or another user signing in).
    pub fn wipe(&self) -> Result<(), BridgeError> {
        self.conn().execute_batch(
            "DELETE FROM outbox; DELETE FROM records; DELETE FROM directory_cache;
             DELETE FROM meta WHERE key <> 'key_check';",
        )?;
        Ok(())
    }
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("fieldline-store-{}.db", uuid::Uuid::new_v4()))
    }

    #[test]
    fn values_are_sealed_and_a_wrong_key_is_refused() {
        let path = temp();
        let store = Store::open(&path, &[7; 32]).unwrap();
        store
            .enqueue("a", "contact", "r", None, b"Dana Example")
            .unwrap();
        drop(store);
        let raw = std::fs::read(&path).unwrap();
        let wal = std::fs::read(format!("{}-wal", path.display())).unwrap_or_default();
        let needle = b"Dana Example";
        for bytes in [&raw, &wal] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        }
        assert!(matches!(
            Store::open(&path, &[8; 32]),
            Err(BridgeError::Storage(_))
        ));
        let store = Store::open(&path, &[7; 32]).unwrap();
        let item = &store.items(&[]).unwrap()[0];
        assert_eq!(store.body(item).unwrap(), needle);
    }

    #[test]
    fn sealed_values_cannot_move_between_rows() {
        let store = Store::open(&temp(), &[1; 32]).unwrap();
        let sealed = store.seal("outbox:a", b"x").unwrap();
        assert!(store.open_value("outbox:b", &sealed).is_err());
    }

    #[test]
    fn changes_rejected_for_an_unreadable_answer_are_pending_again() {
        let path = temp();
        let store = Store::open(&path, &[1; 32]).unwrap();
        store
            .enqueue("portal", "contact", "r1", None, b"1")
            .unwrap();
        store
            .enqueue("invalid", "contact", "r2", None, b"2")
            .unwrap();
        store
            .rejected(
                "portal",
                "unexpected response: error decoding response body",
            )
            .unwrap();
        store
            .rejected("invalid", "invalid: /needs: unknown")
            .unwrap();
        drop(store);
        let store = Store::open(&path, &[1; 32]).unwrap();
        let states: Vec<_> = store
            .items(&[])
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.state))
            .collect();
        assert_eq!(
            states,
            [
                ("portal".to_owned(), "pending".to_owned()),
                ("invalid".to_owned(), "rejected".to_owned())
            ]
        );
    }

    #[test]
    fn a_delivered_change_moves_the_records_later_changes_onto_its_version() {
        let store = Store::open(&temp(), &[1; 32]).unwrap();
        store
            .enqueue("e1", "safety_plan", "p", Some(1), b"1")
            .unwrap();
        store.enqueue("c1", "contact", "p", Some(1), b"2").unwrap();
        store
            .enqueue("e2", "safety_plan", "p", Some(1), b"3")
            .unwrap();
        store
            .enqueue("o1", "safety_plan", "q", Some(1), b"4")
            .unwrap();
        assert!(store.delivered_as("e1", "safety_plan", "p", 2).unwrap());
        assert!(!store.delivered_as("e1", "safety_plan", "p", 2).unwrap());
        let bases: Vec<_> = store
            .items(&[])
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.if_match))
            .collect();
        assert_eq!(
            bases,
            [
                ("c1".to_owned(), Some(1)),
                ("e2".to_owned(), Some(2)),
                ("o1".to_owned(), Some(1))
            ],
            "only the same record's later changes move"
        );
    }

    #[test]
    fn the_same_mutation_is_queued_once() {
        let store = Store::open(&temp(), &[1; 32]).unwrap();
        let a = store.enqueue("m1", "contact", "r", None, b"1").unwrap();
        let b = store.enqueue("m1", "contact", "r", None, b"2").unwrap();
        assert_eq!(a, b);
        assert_eq!(store.items(&[]).unwrap().len(), 1);
    }
}
