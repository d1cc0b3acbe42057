//! Application-level encryption of victims' personal fields (names, phones, addresses, notes,
//! safe-contact instructions), so a database dump alone reveals none of them.
//!
//! Each value is sealed with AES-256-GCM under the current data key and carries that key's id,
//! so keys can rotate: old values stay readable with old keys until `fieldline
//! rotate-data-keys` re-seals them. The associated data binds a value to its record and field,
//! so a ciphertext copied into another row or column does not decrypt.
//!
//! Finding a person by name works through a keyed hash (HMAC-SHA-256 under a separate search
//! key) of each normalised name word: equal words match, nothing else can be learned from the
//! index without the key.

use crate::keyfile::{DEV_KEY_MARKER, write_secret};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;
use std::sync::Arc;

const FORMAT: u8 = 1;

#[derive(Clone)]
pub struct DataKeys(Arc<Inner>);

struct Inner {
    /// (id, cipher); the first is current.
    keys: Vec<(String, Aes256Gcm)>,
    search: Vec<u8>,
    dev: bool,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys")
            .field("current", &self.current_id())
            .finish_non_exhaustive()
    }
}

/// Which field of which record a value belongs to, e.g. `person.name` of a person's id.
pub struct Field<'a> {
    pub name: &'a str,
    pub record: uuid::Uuid,
}

impl Field<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("fieldline:{}:{}", self.name, self.record).into_bytes()
    }
}

impl DataKeys {
    /// Reads the key file: a `search <base64>` line and one or more `key <id> <base64>` lines,
    /// the first being current. `#` starts a comment.
    pub fn load(path: &Path, generate_if_missing: bool) -> anyhow::Result<DataKeys> {
        if generate_if_missing && !path.exists() {
            let id = chrono::Utc::now().format("%Y%m%d").to_string();
            write_secret(path, &format!("{DEV_KEY_MARKER}\n{}", generate_file(&id)))?;
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let dev = text.lines().any(|l| l.trim() == DEV_KEY_MARKER);
        let mut keys = Vec::new();
        let mut search = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let bytes = |b64: &str| -> anyhow::Result<Vec<u8>> {
                let k = STANDARD
                    .decode(b64)
                    .map_err(|_| anyhow!("line {}: key is not base64", n + 1))?;
                if k.len() != 32 {
                    bail!("line {}: keys must be 32 bytes", n + 1);
                }
                Ok(k)
            };
            match parts.as_slice() {
                ["search", k] => search = Some(bytes(k)?),
                ["key", id, k]
                    if id.len() <= 32
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                {
                    let cipher =
                        Aes256Gcm::new_from_slice(&bytes(k)?).map_err(|_| anyhow!("bad key"))?;
                    if keys.iter().any(|(existing, _)| existing == id) {
                        bail!("line {}: key id {id} appears twice", n + 1);
                    }
                    keys.push((id.to_string(), cipher));
                }
                _ => bail!(
                    "line {}: expected `search BASE64` or `key ID BASE64`",
                    n + 1
                ),
            }
        }
        let search = search.ok_or_else(|| anyhow!("no `search` key"))?;
        if keys.is_empty() {
            bail!("no `key` line");
        }
        Ok(DataKeys(Arc::new(Inner { keys, search, dev })))
    }

    pub fn current_id(&self) -> &str {
        &self.0.keys[0].0
    }

    pub fn is_dev_key(&self) -> bool {
        self.0.dev
    }

    /// Seals `plaintext` under the current key.
    pub fn seal(&self, ctx: &Field, plaintext: &str) -> Vec<u8> {
        let (id, cipher) = &self.0.keys[0];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &ctx.aad(),
                },
            )
            .expect("AES-GCM encryption of a bounded message cannot fail");
        let mut out = Vec::with_capacity(2 + id.len() + 12 + sealed.len());
        out.push(FORMAT);
        out.push(id.len() as u8);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn seal_opt(&self, ctx: &Field, plaintext: Option<&str>) -> Option<Vec<u8>> {
        plaintext.map(|p| self.seal(ctx, p))
    }

    /// Opens a sealed value with whichever key sealed it.
    pub fn open(&self, ctx: &Field, blob: &[u8]) -> anyhow::Result<String> {
        let (id, rest) = split(blob)?;
        let (_, cipher) = self
            .0
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| anyhow!("data key {id} is not configured"))?;
        let (nonce, sealed) = rest.split_at(12);
        let nonce: [u8; 12] = nonce.try_into()?;
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &ctx.aad(),
                },
            )
            .map_err(|_| anyhow!("a sealed value did not decrypt (wrong record, field or key)"))?;
        Ok(String::from_utf8(plain)?)
    }

    pub fn open_opt(&self, ctx: &Field, blob: Option<&[u8]>) -> anyhow::Result<Option<String>> {
        blob.map(|b| self.open(ctx, b)).transpose()
    }

    /// True when `blob` was sealed under an older key.
    pub fn needs_rotation(&self, blob: &[u8]) -> bool {
        split(blob).is_ok_and(|(id, _)| id != self.current_id())
    }

    /// The search tokens for a name: one keyed hash per normalised word (lower case, letters
    /// and digits only), so "María  de la Cruz" is found by "maria", "cruz" or the full name.
    pub fn name_tokens(&self, name: &str) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = normalise_words(name)
            .iter()
            .map(|w| self.token(w))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn token(&self, word: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0.search)
            .expect("HMAC takes any key length");
        mac.update(b"fieldline:name:");
        mac.update(word.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn split(blob: &[u8]) -> anyhow::Result<(&str, &[u8])> {
    if blob.len() < 2 || blob[0] != FORMAT {
        bail!("not a sealed value");
    }
    let n = blob[1] as usize;
    if blob.len() < 2 + n + 12 + 16 {
        bail!("sealed value too short");
    }
    let id = std::str::from_utf8(&blob[2..2 + n])?;
    Ok((id, &blob[2 + n..]))
}

/// Lower-cased words with accents folded for the common Latin letters, so a search does not
/// depend on how a name was typed at the scene.
pub fn normalise_words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// A new key file's contents (no marker): a search key and one data key named `id`.
pub fn generate_file(id: &str) -> String {
    let mut k = [0u8; 32];
    let mut s = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    rand::rngs::OsRng.fill_bytes(&mut s);
    format!(
        "search {}\nkey {id} {}\n",
        STANDARD.encode(s),
        STANDARD.encode(k)
    )
}

/// One sealed column and how `rotate_all` re-seals it. The record a value is bound to is its
/// row's `id`; a row is found again by its agency and id where ids are scoped per agency
/// (twins of two agencies share an id, never a row).
pub struct SealedColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// The field name its values are sealed with (`Field::name`).
    pub field: &'static str,
    select: &'static str,
    update: &'static str,
}

/// `(table, column, field, key)`: `key` is `agency` for tables whose ids are scoped per agency
/// (the row is `(agency_id, id)`), `global` for server-chosen ids.
macro_rules! sealed_columns {
    ($(($table:literal, $column:literal, $field:literal, $key:ident)),* $(,)?) => {
        &[$(SealedColumn {
            table: $table,
            column: $column,
            field: $field,
            select: concat!("SELECT id, ", sealed_columns!(@agency $key), " AS agency_id, ", $column,
                    " AS blob FROM ", $table, " WHERE ", $column,
                    " IS NOT NULL AND substring(", $column, " from 3 for get_byte(", $column,
                    ", 1)) <> convert_to($1, 'UTF8') LIMIT 500 FOR UPDATE SKIP LOCKED"),
            update: concat!("UPDATE ", $table, " SET ", $column, " = $2 WHERE id = $1",
                    sealed_columns!(@match $key)),
        }),*]
    };
    (@agency agency) => { "agency_id" };
    (@agency global) => { "NULL::uuid" };
    (@match agency) => { " AND agency_id = $3" };
    (@match global) => { " AND $3::uuid IS NULL" };
}

/// Every sealed column. A test compares this list with the schema (every `bytea` column
/// named `*_sealed`), so a new sealed column cannot be left out of key rotation.
pub const SEALED: &[SealedColumn] = sealed_columns![
    ("persons", "name_sealed", "person.name", agency),
    ("persons", "phone_sealed", "person.phone", agency),
    ("persons", "address_sealed", "person.address", agency),
    ("contacts", "location_sealed", "contact.location", agency),
    (
        "contacts",
        "safe_contact_sealed",
        "contact.safe_contact",
        agency
    ),
    ("contacts", "notes_sealed", "contact.notes", agency),
    (
        "referrals",
        "free_text_sealed",
        "referral.free_text",
        agency
    ),
    ("follow_ups", "task_sealed", "follow_up.task", agency),
    (
        "safety_plan_versions",
        "content_sealed",
        "safety_plan.content",
        global
    ),
    ("alerts", "details_sealed", "alert.details", agency),
    (
        "alerts",
        "resolution_note_sealed",
        "alert.resolution_note",
        agency
    ),
    (
        "checkins",
        "last_location_sealed",
        "checkin.location",
        agency
    ),
];

/// `fieldline rotate-data-keys`: re-seals every value sealed under an older key with the
/// current one, in small batches (each its own transaction, rows locked with SKIP LOCKED so
/// it can run beside the API, or twice at once). Returns how many values were re-sealed.
/// Once it reports 0, old keys may be removed from the key file.
pub async fn rotate_all(db: &sqlx::PgPool, keys: &DataKeys) -> anyhow::Result<u64> {
    use sqlx::Row;
    let mut total = 0;
    for SealedColumn {
        table,
        column,
        select,
        update,
        field,
    } in SEALED
    {
        loop {
            let mut tx = db.begin().await?;
            let rows = sqlx::query(*select)
                .bind(keys.current_id())
                .fetch_all(&mut *tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let id: uuid::Uuid = row.try_get("id")?;
                let agency: Option<uuid::Uuid> = row.try_get("agency_id")?;
                let blob: Vec<u8> = row.try_get("blob")?;
                let f = Field {
                    name: field,
                    record: id,
                };
                let plain = keys
                    .open(&f, &blob)
                    .with_context(|| format!("{table}.{column} of record {id}"))?;
                sqlx::query(*update)
                    .bind(id)
                    .bind(keys.seal(&f, &plain))
                    .bind(agency)
                    .execute(&mut *tx)
                    .await?;
            }
            total += rows.len() as u64;
            tx.commit().await?;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> DataKeys {
        let p = std::env::temp_dir().join(format!("fieldline-keys-{}", uuid::Uuid::new_v4()));
        std::fs::write(&p, text).unwrap();
        DataKeys::load(&p, false).unwrap()
    }

    #[test]
    fn seal_open_and_bind_to_record_and_field() {
        let k = keys(&generate_file("k1"));
        let id = uuid::Uuid::new_v4();
        let ctx = Field {
            name: "person.name",
            record: id,
        };
        let blob = k.seal(&ctx, "Jane Doe");
        assert!(!blob.windows(4).any(|w| w == b"Jane"));
        assert_eq!(k.open(&ctx, &blob).unwrap(), "Jane Doe");
        assert!(
            k.open(
                &Field {
                    name: "person.phone",
                    record: id
                },
                &blob
            )
            .is_err()
        );
        assert!(
            k.open(
                &Field {
                    name: "person.name",
                    record: uuid::Uuid::new_v4()
                },
                &blob
            )
            .is_err()
        );
        assert_ne!(k.seal(&ctx, "Jane Doe"), blob, "nonces must differ");
    }

    #[test]
    fn old_keys_still_open_after_rotation() {
        let old = generate_file("old");
        let k_old = keys(&old);
        let ctx = Field {
            name: "contact.notes",
            record: uuid::Uuid::nil(),
        };
        let blob = k_old.seal(&ctx, "notes");
        let new_key_line = generate_file("new").lines().nth(1).unwrap().to_owned();
        let old_search = old.lines().next().unwrap();
        let old_key = old.lines().nth(1).unwrap();
        let rotated = keys(&format!("{old_search}\n{new_key_line}\n{old_key}\n"));
        assert_eq!(rotated.current_id(), "new");
        assert!(rotated.needs_rotation(&blob));
        assert_eq!(rotated.open(&ctx, &blob).unwrap(), "notes");
        assert!(!rotated.needs_rotation(&rotated.seal(&ctx, "notes")));
        assert_eq!(
            rotated.name_tokens("Ana"),
            k_old.name_tokens("ana"),
            "search key unchanged"
        );
    }

    #[test]
    fn names_match_by_word_regardless_of_case_and_accents() {
        let k = keys(&generate_file("k"));
        let full = k.name_tokens("María  de la Cruz");
        for q in ["maria", "CRUZ", "María de la Cruz"] {
            assert!(k.name_tokens(q).iter().all(|t| full.contains(t)), "{q}");
        }
        assert!(!full.contains(&k.name_tokens("mario")[0]));
    }

    #[test]
    fn bad_files_are_refused() {
        for bad in [
            "",
            "search abc",
            &generate_file("a").replace("key a", "key a!"),
            "key a AAAA",
        ] {
            let p = std::env::temp_dir().join(format!("fieldline-keys-{}", uuid::Uuid::new_v4()));
            std::fs::write(&p, bad).unwrap();
            assert!(DataKeys::load(&p, false).is_err(), "{bad:?}");
        }
    }
}
