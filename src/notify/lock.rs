//! One sender per user: the otop process holding an exclusive lock on
//! `$XDG_RUNTIME_DIR/otop/notify.lock` sends every notification and keeps the unseen marks; the
//! others track the same sessions and take over when the holder ends (the kernel releases the
//! lock of a process that dies, however it dies). The holder writes `<pid> <what>` into the
//! file, then the `[notify]` settings it sends with, for `otop doctor`. The directory may be a
//! shared one (`XDG_RUNTIME_DIR=/tmp`): the file is opened as every file of otop's own is
//! ([`crate::source::file::open_own`]), so what another user planted there is refused, never
//! truncated.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::source::file::{FileError, Own, open_own, private_dir};

/// Where the lock is: [`Env::notify_lock`](crate::paths::Env::notify_lock), unless its
/// directory is taken by something that is not a directory of the user's (another user made
/// `/tmp/otop` first, where `XDG_RUNTIME_DIR=/tmp`): then in otop's state directory, so nobody
/// can turn notifications off by planting a directory. Every process of the user's decides
/// alike, so they still share one lock.
pub fn place(env: &crate::paths::Env) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let path = env.notify_lock()?;
    let dir = path.parent()?;
    let taken = std::fs::symlink_metadata(dir)
        .is_ok_and(|m| !m.is_dir() || Some(m.uid()) != crate::source::file::uid());
    match env.otop_state_dir() {
        Some(state) if taken && state != dir => Some(state.join("notify.lock")),
        _ => Some(path),
    }
}

/// The lock, held or wanted.
#[derive(Debug)]
pub struct Owner {
    path: Option<PathBuf>,
    what: &'static str,
    /// The settings it sends with ([`crate::config::Notify::describe`]).
    uses: String,
    file: Option<File>,
    owned: bool,
}

impl Owner {
    /// `what` names this process in the file (`otop watch`, `otop monitor`). No `path` (no
    /// directory to put it in): this process owns nothing, and sends nothing.
    pub fn new(path: Option<PathBuf>, what: &'static str, uses: String) -> Owner {
        Owner {
            path,
            what,
            uses,
            file: None,
            owned: false,
        }
    }

    /// Whether this process holds the lock, trying to take it if it does not (each refresh:
    /// one system call while another process holds it).
    pub fn try_own(&mut self) -> bool {
        if self.owned {
            return true;
        }
        let Some(path) = &self.path else {
            return false;
        };
        if self.file.is_none() {
            self.file = open(path).ok();
        }
        let Some(file) = &mut self.file else {
            return false;
        };
        if file.try_lock().is_err() {
            return false;
        }
        self.owned = true;
        self.record();
        true
    }

    /// Settings changed while running: the file says so if this process holds it.
    pub fn set_uses(&mut self, uses: String) {
        self.uses = uses;
        if self.owned {
            self.record();
        }
    }

    /// The file is ours: says who holds it and with what.
    fn record(&mut self) {
        let Some(file) = &mut self.file else { return };
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(
            file,
            "{} {}\nuses {}\n",
            std::process::id(),
            self.what,
            self.uses
        );
    }
}

fn open(path: &Path) -> Result<File, FileError> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    // Not truncated: the holder's line must survive another process opening the file.
    open_own(path, Own::Lock)
}

/// Who holds the lock at `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Nobody: no otop process sends notifications.
    Nobody,
    /// A live process (the kernel says the lock is held): its line, `<pid> <what>`, and the
    /// settings it sends with (empty from an otop that did not record them).
    Held(String, String),
    Unreadable(String),
}

/// Who holds the lock at `path` now. Taking it for a moment is how to tell: a process that
/// tries at that moment tries again at its next refresh.
pub fn holder(path: &Path) -> Holder {
    let mut file = match open_own(path, Own::Existing) {
        Ok(f) => f,
        Err(FileError::Missing) => return Holder::Nobody,
        Err(e) => return Holder::Unreadable(e.to_string()),
    };
    match file.try_lock() {
        Ok(()) => Holder::Nobody,
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = (&mut file).take(4096).read_to_string(&mut text);
            let mut lines = text.lines();
            let who = lines.next().unwrap_or("").trim().to_string();
            let uses = lines
                .find_map(|l| l.strip_prefix("uses "))
                .unwrap_or("")
                .trim()
                .to_string();
            Holder::Held(who, uses)
        }
        Err(TryLockError::Error(e)) => Holder::Unreadable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_owner_at_a_time_and_the_next_takes_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/otop/notify.lock");
        assert_eq!(holder(&path), Holder::Nobody);
        let mut a = Owner::new(Some(path.clone()), "otop watch", "desktop".into());
        let mut b = Owner::new(Some(path.clone()), "otop monitor", "desktop".into());
        assert!(a.try_own());
        assert!(!b.try_own(), "a holds it");
        assert_eq!(
            holder(&path),
            Holder::Held(
                format!("{} otop watch", std::process::id()),
                "desktop".into()
            )
        );
        a.set_uses("tmux message".into());
        assert_eq!(
            holder(&path),
            Holder::Held(
                format!("{} otop watch", std::process::id()),
                "tmux message".into()
            )
        );
        drop(a);
        assert!(b.try_own(), "a's lock went with it");
        assert!(!Owner::new(None, "x", String::new()).try_own());
    }

    /// `XDG_RUNTIME_DIR=/tmp`: another user's symlink at `otop/notify.lock` pointing at a file
    /// of the user's is refused (the file keeps its text), and so is a FIFO, at once.
    #[test]
    fn a_planted_lock_is_refused_not_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("thesis.tex");
        std::fs::write(&victim, "precious").unwrap();
        let run = dir.path().join("otop");
        std::fs::create_dir(&run).unwrap();
        let path = run.join("notify.lock");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let mut a = Owner::new(Some(path.clone()), "otop watch", String::new());
        assert!(!a.try_own());
        assert!(matches!(holder(&path), Holder::Unreadable(e) if e.contains("symlink")));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_file(&path).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        assert!(!a.try_own());
        assert!(matches!(holder(&path), Holder::Unreadable(_)));
    }

    /// Another user's `otop` directory in a shared runtime directory does not turn
    /// notifications off: the lock moves to the state directory, for every process alike.
    #[test]
    fn a_runtime_directory_taken_by_another_user_moves_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let env = crate::paths::Env {
            xdg_runtime_dir: Some(dir.path().join("tmp").display().to_string()),
            xdg_state_home: Some(dir.path().join("state").display().to_string()),
            ..crate::paths::Env::default()
        };
        let run = dir.path().join("tmp/otop/notify.lock");
        assert_eq!(place(&env), Some(run.clone()));
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("tmp/otop")).unwrap();
        let moved = dir.path().join("state/otop/notify.lock");
        assert_eq!(place(&env), Some(moved.clone()));
        let mut a = Owner::new(place(&env), "otop watch", String::new());
        assert!(a.try_own());
        assert!(matches!(holder(&moved), Holder::Held(..)));
    }
}
