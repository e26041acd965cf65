//! Where lockbox keeps its files: the configuration folder and the default
//! identity file, from the environment.

use std::path::PathBuf;

use crate::error::Error;

/// The environment variable naming the default identity file.
pub(crate) const ENV_IDENTITY: &str = "LOCKBOX_IDENTITY";

/// The default identity file: `$LOCKBOX_IDENTITY`, else
/// `$XDG_CONFIG_HOME/lockbox/identity.txt`, else
/// `~/.config/lockbox/identity.txt`.
pub(crate) fn default_identity_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_IDENTITY).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(config_dir()?.join("identity.txt"))
}

/// lockbox's configuration folder.
pub(crate) fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p).join("lockbox"));
    }
    match std::env::var_os("HOME").filter(|p| !p.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".config").join("lockbox")),
        None => Err(Error::failure(
            "cannot find the configuration folder: neither XDG_CONFIG_HOME nor HOME is set",
        )
        .hint(format!(
            "set {ENV_IDENTITY}, or use -i/--identity or -o/--output"
        ))
        .into()),
    }
}

/// The default identity file, or a usage error when it does not exist:
/// "`{missing}` the default identity file 'PATH' does not exist", with
/// `hint`.
pub(crate) fn existing_default_identity(missing: &str, hint: &str) -> anyhow::Result<PathBuf> {
    let path = default_identity_path()?;
    if !path.exists() {
        return Err(Error::usage(format!(
            "{missing} the default identity file {} does not exist",
            crate::error::quote(&path)
        ))
        .hint(hint)
        .into());
    }
    Ok(path)
}
