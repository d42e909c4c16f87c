//! A long-lived process's configuration file, followed: each refresh looks at the file's
//! metadata (one `stat`) and reads it again only when that changed, so an edit reaches a running
//! `otop watch --tmux` or monitor at its next refresh instead of at its restart.

use std::path::PathBuf;

use super::{Config, load};
use crate::source::file::{Stamp, stamp};

#[derive(Debug, Clone)]
pub struct Follow {
    path: Option<PathBuf>,
    explicit: bool,
    seen: Stamp,
    /// The configuration the process started with.
    pub started: Config,
    /// Why the file as it is now could not be used (the process keeps the last good one).
    pub error: Option<String>,
}

impl Follow {
    /// Follows the file at `path` as it is now; `started` is what the caller read from it.
    pub fn new(path: Option<PathBuf>, explicit: bool, started: Config) -> Follow {
        Follow {
            seen: stamp(path.as_deref()),
            started,
            path,
            explicit,
            error: None,
        }
    }

    /// The file's configuration when it changed since the last look and reads well; None when
    /// it is unchanged, or changed into something otop refuses (said in [`Follow::error`]).
    pub fn poll(&mut self) -> Option<Config> {
        let now = stamp(self.path.as_deref());
        if now == self.seen {
            return None;
        }
        self.seen = now;
        match load(self.path.as_deref(), self.explicit) {
            Ok(c) => {
                self.error = None;
                Some(c)
            }
            Err(e) => {
                self.error = Some(e.to_string());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_read_once_and_a_broken_file_keeps_the_last_good_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut f = Follow::new(Some(path.clone()), false, Config::default());
        assert!(f.poll().is_none(), "nothing changed");
        std::fs::write(&path, "[notify]\ncommand = [\"true\"]\n").unwrap();
        let c = f.poll().expect("a new file is read");
        assert_eq!(c.notify.command, ["true"]);
        assert!(f.poll().is_none(), "read once");
        std::fs::write(&path, "[notify]\ncommand = 3\n").unwrap();
        assert!(f.poll().is_none());
        assert!(
            f.error.as_deref().unwrap_or("").contains("notify.command"),
            "{:?}",
            f.error
        );
        std::fs::remove_file(&path).unwrap();
        assert_eq!(f.poll(), Some(Config::default()), "no file: the defaults");
        assert!(f.error.is_none());
    }
}
