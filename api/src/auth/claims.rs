//! What a verified access token says, and the instance's memory of tokens already verified.
//! Kept apart from `token` (which issues and verifies with the configuration) so that the keys,
//! which hold the memory, need not import the configuration that holds them.

use fieldline_wire::{Grant, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The user.
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: Uuid,
    /// The session (refresh-token family): revoking it ends this token too.
    pub sid: Uuid,
    pub agency: Uuid,
    pub roles: Vec<Role>,
    pub grants: Vec<Grant>,
}

/// Clock skew allowed on `exp` and `nbf`, here and in [`VerifiedTokens`].
pub(super) const LEEWAY_SECS: i64 = 30;

/// Tokens whose signature this instance has already checked, by SHA-256 of the token.
///
/// A phone sends the same access token with every request until it expires, and checking an
/// Ed25519 signature was about a tenth of the server's CPU per directory search (`perf`,
/// scripts/bench-directory). A signature, issuer and audience never change for the same bytes,
/// so a hit skips them; the time window is checked on every use, and the session is still read
/// on every request (auth::actor), so sign-out and revocation take effect at once. Nothing in
/// here is state another instance needs: a miss just verifies again.
pub struct VerifiedTokens(std::sync::Mutex<std::collections::HashMap<[u8; 32], AccessClaims>>);

impl VerifiedTokens {
    /// Enough for every signed-in device of a large deployment within one token lifetime.
    const CAPACITY: usize = 20_000;

    pub fn new() -> Self {
        VerifiedTokens(Default::default())
    }

    pub(super) fn get(&self, key: &[u8; 32], now: i64) -> Option<AccessClaims> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|c| in_window(c, now)).cloned()
    }

    pub(super) fn put(&self, key: [u8; 32], claims: &AccessClaims, now: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::CAPACITY {
            map.retain(|_, c| in_window(c, now));
            if map.len() >= Self::CAPACITY {
                map.clear();
            }
        }
        map.insert(key, claims.clone());
    }

    pub(super) fn key(token: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes()).into()
    }
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self::new()
    }
}

/// The same time checks `jsonwebtoken` makes with our leeway.
fn in_window(c: &AccessClaims, now: i64) -> bool {
    c.exp >= now - LEEWAY_SECS && c.nbf <= now + LEEWAY_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64, nbf: i64) -> AccessClaims {
        AccessClaims {
            iss: "i".into(),
            aud: "a".into(),
            sub: Uuid::nil(),
            exp,
            iat: nbf,
            nbf,
            jti: Uuid::nil(),
            sid: Uuid::nil(),
            agency: Uuid::nil(),
            roles: vec![],
            grants: vec![],
        }
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let cache = VerifiedTokens::new();
        let (t, other) = (VerifiedTokens::key("t"), VerifiedTokens::key("other"));
        cache.put(t, &claims(1_000, 100), 100);
        assert!(cache.get(&t, 100).is_some());
        assert!(cache.get(&t, 1_000 + LEEWAY_SECS).is_some());
        assert!(cache.get(&t, 1_000 + LEEWAY_SECS + 1).is_none());
        assert!(
            cache.get(&t, 100 - LEEWAY_SECS - 1).is_none(),
            "not yet valid"
        );
        assert!(cache.get(&other, 100).is_none());
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first() {
        let cache = VerifiedTokens::new();
        for i in 0..VerifiedTokens::CAPACITY {
            let exp = if i % 2 == 0 { 50 } else { 1_000 };
            cache.put(VerifiedTokens::key(&i.to_string()), &claims(exp, 0), 0);
        }
        let new = VerifiedTokens::key("new");
        cache.put(new, &claims(1_000, 0), 500);
        assert!(cache.get(&new, 500).is_some());
        assert!(
            cache.get(&VerifiedTokens::key("1"), 500).is_some(),
            "live tokens stay"
        );
        assert_eq!(
            cache.0.lock().unwrap().len(),
            VerifiedTokens::CAPACITY / 2 + 1
        );
    }
}
