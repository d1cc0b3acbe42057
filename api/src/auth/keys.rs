//! The Ed25519 keys that sign and verify access tokens. Each key is known by a `kid` derived
//! from its public half, so a new signing key can be rolled out while tokens signed by the
//! previous one (listed in `FIELDLINE_JWT_VERIFY_KEY_FILES`) stay valid until they expire.

use crate::keyfile::{DEV_KEY_MARKER, read_pem, write_secret};
use anyhow::{Context, anyhow};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::claims::VerifiedTokens;

#[derive(Clone)]
pub struct JwtKeys(Arc<Inner>);

struct Inner {
    kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    dev: bool,
    /// Tokens these keys have verified; kept with the keys so a new key set starts empty.
    verified: VerifiedTokens,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.0.kid)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Loads the signing key (generating a marked development key first when allowed and
    /// missing) and any extra public keys still accepted for verification.
    pub fn load(
        signing: &Path,
        verify_only: &[PathBuf],
        generate_if_missing: bool,
    ) -> anyhow::Result<JwtKeys> {
        if generate_if_missing && !signing.exists() {
            let (private, _) = generate_pem()?;
            write_secret(signing, &format!("{DEV_KEY_MARKER}\n{private}"))?;
        }
        let (pem, dev) = read_pem(signing)?;
        let signing_key = SigningKey::from_pkcs8_pem(&pem).map_err(|_| {
            anyhow!(
                "{} is not an Ed25519 PKCS#8 PEM private key",
                signing.display()
            )
        })?;
        let encoding = EncodingKey::from_ed_pem(pem.as_bytes())
            .context("jsonwebtoken rejected the signing key")?;
        let own = signing_key.verifying_key();
        let kid = kid_of(&own);
        let mut decoding = HashMap::from([(kid.clone(), decoding_key(&own))]);
        for path in verify_only {
            let (pem, _) = read_pem(path)?;
            let key = VerifyingKey::from_public_key_pem(&pem)
                .map_err(|_| anyhow!("{} is not an Ed25519 public key PEM", path.display()))?;
            decoding.insert(kid_of(&key), decoding_key(&key));
        }
        Ok(JwtKeys(Arc::new(Inner {
            kid,
            encoding,
            decoding,
            dev,
            verified: VerifiedTokens::new(),
        })))
    }

    pub fn kid(&self) -> &str {
        &self.0.kid
    }

    pub fn encoding(&self) -> &EncodingKey {
        &self.0.encoding
    }

    pub fn decoding(&self, kid: &str) -> Option<&DecodingKey> {
        self.0.decoding.get(kid)
    }

    pub fn verified(&self) -> &VerifiedTokens {
        &self.0.verified
    }

    pub fn is_dev_key(&self) -> bool {
        self.0.dev
    }
}

fn kid_of(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

fn decoding_key(key: &VerifyingKey) -> DecodingKey {
    // The JWK form: `x` is the raw 32-byte public key, base64url.
    DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(key.as_bytes()))
        .expect("a 32-byte Ed25519 key is always a valid JWK x")
}

/// A fresh key pair as (PKCS#8 private PEM, SPKI public PEM).
pub fn generate_pem() -> anyhow::Result<(String, String)> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding key: {e}"))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding key: {e}"))?;
    Ok((private.to_string(), public))
}
