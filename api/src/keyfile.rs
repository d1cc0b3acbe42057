//! Reading and writing key files. Development keys are generated on first start and carry a
//! marker line so production can refuse them; production keys come from `fieldline gen-keys`
//! (`keygen`). A leaf: the key modules use it, and `keygen` uses them.

use anyhow::{Context, bail};
use std::fs;
use std::io::Write;
use std::path::Path;

/// First line of every generated development key file.
pub const DEV_KEY_MARKER: &str = "# fieldline development key: never use in production";

/// A PEM key file's text with comment lines removed, and whether it is a development key.
pub fn read_pem(path: &Path) -> anyhow::Result<(String, bool)> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let dev = text.lines().any(|l| l.trim() == DEV_KEY_MARKER);
    let pem: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    Ok((pem, dev))
}

/// Writes a secret the first time, readable by the owner only. Never overwrites: losing a
/// signing key signs everyone out, losing a VAPID key orphans every push subscription.
pub fn write_secret(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} exists already; refusing to overwrite a key",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}
