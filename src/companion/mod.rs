//! The companion opencode plugin: embedded in the binary, installed where opencode loads
//! global plugins ([`crate::paths::Env::plugin_file`]). otop reads what it writes through [`crate::source::plugin`].

use std::path::Path;

use crate::error::{Error, Result};
use crate::source::file::{FileError, read_capped};

/// The plugin, as shipped with this otop.
pub const PLUGIN_JS: &str = include_str!("otop.js");
/// The first line of every plugin file otop writes: otop touches no file without it.
const MARKER: &str = "// otop companion plugin";

/// What is at the plugin's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    Missing,
    /// This otop's plugin.
    Current,
    /// An older or newer otop plugin.
    Other,
    /// A file otop did not write: never overwritten or removed.
    Foreign,
}

pub fn inspect(path: &Path) -> Installed {
    // The plugin is 8 kB; a bigger file is not one otop wrote.
    match read_capped(path, 1 << 20) {
        Err(FileError::Missing) => Installed::Missing,
        Err(_) => Installed::Foreign,
        Ok(text) if text == PLUGIN_JS => Installed::Current,
        Ok(text) if text.starts_with(MARKER) => Installed::Other,
        Ok(_) => Installed::Foreign,
    }
}

/// Writes the plugin (atomically), unless a file otop did not write is in the way.
pub fn install(path: &Path) -> Result<String> {
    match inspect(path) {
        Installed::Current => {
            return Ok(format!(
                "the otop plugin is already installed at {}",
                path.display()
            ));
        }
        Installed::Foreign => {
            return Err(Error::Refused(format!(
                "{} exists and was not written by otop; not overwriting it",
                path.display()
            )));
        }
        Installed::Missing | Installed::Other => {}
    }
    let dir = path
        .parent()
        .ok_or_else(|| Error::Invalid(format!("{}: no parent directory", path.display())))?;
    std::fs::create_dir_all(dir).map_err(Error::file(dir))?;
    crate::source::file::write_atomic(path, PLUGIN_JS.as_bytes())
        .map_err(|e| Error::file(path)(e.into()))?;
    Ok(format!(
        "installed the otop plugin at {}; opencode sessions started from now on load it \
         (restart running ones to use it)",
        path.display()
    ))
}

/// Removes the plugin, unless the file there is not otop's.
pub fn uninstall(path: &Path) -> Result<String> {
    match inspect(path) {
        Installed::Missing => Ok(format!("no otop plugin at {}", path.display())),
        Installed::Foreign => Err(Error::Refused(format!(
            "{} was not written by otop; not removing it",
            path.display()
        ))),
        Installed::Current | Installed::Other => {
            std::fs::remove_file(path).map_err(Error::file(path))?;
            Ok(format!(
                "removed the otop plugin from {}; running opencode sessions keep it until they restart",
                path.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_plugin_starts_with_the_marker() {
        assert!(PLUGIN_JS.starts_with(MARKER));
    }

    #[test]
    fn install_update_and_uninstall() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opencode/plugins/otop.js");
        assert_eq!(inspect(&path), Installed::Missing);
        assert!(install(&path).unwrap().contains("installed"));
        assert_eq!(inspect(&path), Installed::Current);
        assert!(install(&path).unwrap().contains("already"));
        std::fs::write(&path, format!("{MARKER} (format 0)\n")).unwrap();
        assert_eq!(inspect(&path), Installed::Other);
        install(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PLUGIN_JS);
        assert!(uninstall(&path).unwrap().contains("removed"));
        assert!(!path.exists());
        assert!(uninstall(&path).unwrap().contains("no otop plugin"));
    }

    #[test]
    fn a_file_otop_did_not_write_is_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opencode/plugins/otop.js");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "export const Mine = async () => ({})\n").unwrap();
        assert!(
            install(&path)
                .unwrap_err()
                .to_string()
                .contains("not overwriting")
        );
        assert!(
            uninstall(&path)
                .unwrap_err()
                .to_string()
                .contains("not removing")
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "export const Mine = async () => ({})\n"
        );
    }
}
