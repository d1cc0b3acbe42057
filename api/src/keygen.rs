//! `fieldline gen-keys DIR`: every key a production instance needs, written once.

use crate::keyfile::write_secret;
use std::path::Path;

/// `fieldline gen-keys DIR`: a token-signing key (and its public half, for other verifiers),
/// a VAPID key pair and the data keys that seal personal fields, for production.
pub fn write_production_keys(dir: &Path) -> anyhow::Result<()> {
    let (jwt_private, jwt_public) = crate::auth::keys::generate_pem()?;
    write_secret(&dir.join("jwt-ed25519.pem"), &jwt_private)?;
    write_secret(&dir.join("jwt-ed25519.pub.pem"), &jwt_public)?;
    write_secret(
        &dir.join("vapid-p256.pem"),
        &crate::push::vapid::generate_pem()?,
    )?;
    let id = chrono::Utc::now().format("%Y%m%d").to_string();
    write_secret(
        &dir.join("data-keys"),
        &crate::encryption::generate_file(&id),
    )?;
    Ok(())
}
