//! Access tokens: short-lived EdDSA JWTs. Verification pins the algorithm to EdDSA and the key
//! to the `kid` we issued, so `alg: none`, HMAC-with-the-public-key and foreign keys all fail
//! before any claim is believed.

use crate::config::Config;
use fieldline_wire::{Grant, Role};
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use uuid::Uuid;

pub use super::claims::AccessClaims;
use super::claims::{LEEWAY_SECS, VerifiedTokens};

/// Why a token was refused; logged at debug level, never shown to the client beyond 401.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("algorithm not allowed")]
    Algorithm,
    #[error("unknown key id")]
    UnknownKey,
    #[error("invalid token: {0:?}")]
    Invalid(jsonwebtoken::errors::ErrorKind),
}

pub struct Issued {
    pub token: String,
    pub expires_in: i64,
}

pub fn issue(
    config: &Config,
    user: Uuid,
    session: Uuid,
    agency: Uuid,
    roles: Vec<Role>,
    grants: Vec<Grant>,
) -> anyhow::Result<Issued> {
    let now = chrono::Utc::now().timestamp();
    let ttl = config.access_token_ttl.as_secs() as i64;
    let claims = AccessClaims {
        iss: config.jwt_issuer.clone(),
        aud: config.jwt_audience.clone(),
        sub: user,
        exp: now + ttl,
        iat: now,
        nbf: now,
        jti: Uuid::new_v4(),
        sid: session,
        agency,
        roles,
        grants,
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(config.jwt.kid().to_owned());
    let token = encode(&header, &claims, config.jwt.encoding())?;
    Ok(Issued {
        token,
        expires_in: ttl,
    })
}

/// Checks a bearer token: its signature once per instance, its time window on every use.
pub fn verify(config: &Config, token: &str) -> Result<AccessClaims, TokenError> {
    let now = chrono::Utc::now().timestamp();
    let verified = config.jwt.verified();
    let key = VerifiedTokens::key(token);
    if let Some(claims) = verified.get(&key, now) {
        return Ok(claims);
    }
    let claims = verify_signed(config, token)?;
    verified.put(key, &claims, now);
    Ok(claims)
}

fn verify_signed(config: &Config, token: &str) -> Result<AccessClaims, TokenError> {
    let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(TokenError::Algorithm);
    }
    let kid = header.kid.ok_or(TokenError::UnknownKey)?;
    let key = config.jwt.decoding(&kid).ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[config.jwt_audience.as_str()]);
    validation.set_issuer(&[config.jwt_issuer.as_str()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS as u64;
    decode::<AccessClaims>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| TokenError::Invalid(e.into_kind()))
}
