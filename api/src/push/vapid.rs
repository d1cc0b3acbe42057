//! The VAPID key pair (RFC 8292) that identifies this server to push services. Browsers bind
//! each subscription to the public key, so it must stay the same for the life of a deployment.

use crate::keyfile::{DEV_KEY_MARKER, read_pem, write_secret};
use anyhow::anyhow;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct VapidKeys(Arc<Inner>);

struct Inner {
    signing: jsonwebtoken::EncodingKey,
    public_b64: String,
    dev: bool,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public", &self.0.public_b64)
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    pub fn load(path: &Path, generate_if_missing: bool) -> anyhow::Result<VapidKeys> {
        if generate_if_missing && !path.exists() {
            write_secret(path, &format!("{DEV_KEY_MARKER}\n{}", generate_pem()?))?;
        }
        let (pem, dev) = read_pem(path)?;
        let secret = SecretKey::from_pkcs8_pem(&pem)
            .map_err(|_| anyhow!("{} is not a P-256 PKCS#8 PEM private key", path.display()))?;
        let public_b64 = URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes());
        let signing = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        Ok(VapidKeys(Arc::new(Inner {
            signing,
            public_b64,
            dev,
        })))
    }

    /// The uncompressed public point, base64url: the browser's `applicationServerKey`.
    pub fn public_key_base64url(&self) -> &str {
        &self.0.public_b64
    }

    pub fn is_dev_key(&self) -> bool {
        self.0.dev
    }

    /// The `Authorization: vapid t=…, k=…` header for a push to `origin` (RFC 8292): an ES256
    /// JWT whose `aud` is the push service's origin *with* its port (some crates drop it) and
    /// which expires within `valid`, at most 24 hours.
    pub fn authorization(
        &self,
        origin: &str,
        subject: &str,
        valid: Duration,
    ) -> anyhow::Result<String> {
        #[derive(serde::Serialize)]
        struct Claims<'a> {
            aud: &'a str,
            exp: i64,
            sub: &'a str,
        }
        let valid = valid.min(Duration::from_secs(24 * 3600));
        let exp = chrono::Utc::now().timestamp() + valid.as_secs() as i64;
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        let jwt = jsonwebtoken::encode(
            &header,
            &Claims {
                aud: origin,
                exp,
                sub: subject,
            },
            &self.0.signing,
        )?;
        Ok(format!("vapid t={jwt}, k={}", self.0.public_b64))
    }
}

pub fn generate_pem() -> anyhow::Result<String> {
    let secret = SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding key: {e}"))?;
    Ok(pem.to_string())
}
