//! Signs of opencode 2, which otop does not read yet. opencode 2 runs one background server
//! per machine that every TUI joins, registered in `service.json` in opencode's state
//! directory (`{id, version, url, pid}`); its sessions live behind that server's `/api/`
//! routes, not where otop looks. Where the file names a version 2 or later, every view says
//! so plainly instead of showing nothing.

use std::path::{Path, PathBuf};

use crate::source::file::{Stamp, read_capped, stamp};

/// The largest `service.json` read (it holds four short fields).
const MAX_BYTES: u64 = 64 * 1024;

/// The version a `service.json` names, when it is opencode 2 or later.
pub fn newer_version(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let version = v.get("version")?.as_str()?.trim();
    let major: u64 = version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()?;
    // Only what a version is made of: nothing of the file reaches a terminal as it was.
    (major >= 2).then(|| {
        version
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            .take(40)
            .collect()
    })
}

/// What every view says about it.
pub fn note(version: &str, path: &Path) -> String {
    format!(
        "opencode {version} runs here ({}): otop reads opencode 1 only, so opencode 2's \
         sessions are not shown yet",
        path.display()
    )
}

/// `service.json`, looked at each refresh (one `stat`) and read again only when it changed.
#[derive(Debug, Default)]
pub struct Service {
    path: Option<PathBuf>,
    seen: Stamp,
    note: Option<String>,
}

impl Service {
    pub fn new(path: Option<PathBuf>) -> Service {
        Service {
            path,
            ..Service::default()
        }
    }

    /// The note to show while the file names opencode 2 or later.
    pub fn check(&mut self) -> Option<String> {
        let path = self.path.as_deref()?;
        let now = stamp(Some(path));
        if now != self.seen {
            self.seen = now;
            self.note = read_capped(path, MAX_BYTES)
                .ok()
                .and_then(|t| newer_version(&t))
                .map(|v| note(&v, path));
        }
        self.note.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_version_2_or_later_is_a_sign() {
        let file = |v: &str| {
            format!(r#"{{"id":"srv","version":"{v}","url":"http://127.0.0.1:4096","pid":7}}"#)
        };
        assert_eq!(newer_version(&file("2.0.3")).as_deref(), Some("2.0.3"));
        assert_eq!(
            newer_version(&file("10.1.0-beta")).as_deref(),
            Some("10.1.0-beta")
        );
        assert_eq!(newer_version(&file("1.18.33")), None);
        assert_eq!(newer_version("{}"), None);
        assert_eq!(newer_version("not json"), None);
        let hostile = newer_version(&file("2.0\\u001b]0;pwned\\u0007")).unwrap_or_default();
        assert!(
            hostile.starts_with("2.0") && !hostile.contains(['\u{1b}', '\u{7}']),
            "{hostile:?}"
        );
    }

    #[test]
    fn a_planted_file_is_noticed_and_its_removal_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("service.json");
        let mut s = Service::new(Some(path.clone()));
        assert_eq!(s.check(), None);
        std::fs::write(&path, r#"{"version":"2.1.0","pid":1}"#).unwrap();
        let note = s.check().unwrap_or_default();
        assert!(note.starts_with("opencode 2.1.0 runs here"), "{note}");
        assert!(note.contains("not shown yet"), "{note}");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(s.check(), None);
    }
}
