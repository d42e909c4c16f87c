//! Bringing the fleet back after its tmux server is lost. The long-lived views keep a record of
//! which session runs in which directory and pane ([`record`], written by [`Keeper::keep`] with
//! each snapshot); `otop restore` reads it and what runs now ([`world`]), plans ([`plan`], pure)
//! and starts `opencode -s ID` in new tmux windows ([`act`]).

pub mod act;
pub mod plan;
pub mod record;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::collect::Snapshot;
use crate::source::file::{FileError, Own, Stamp, open_own, private_dir, read_capped, stamp};
use crate::source::tmux::{list_windows, server_alive};
use record::Record;

/// A record whose running sessions were last written longer ago than this (ms) is written
/// again although nothing changed, so "last seen" stays within a day of the truth.
const REFRESH_MS: i64 = 24 * 3600 * 1000;

/// The record in the file at `path` (empty when it is missing, unreadable or not format 1).
pub fn read(path: &Path) -> Record {
    read_capped(path, record::MAX_FILE_BYTES)
        .map(|t| record::parse(&t))
        .unwrap_or_default()
}

/// Keeps the fleet record current for a long-lived view: one call with each snapshot. Writes
/// only when the set of sessions changed (or once a day), under a lock so two views never
/// overwrite each other's change, atomically, as every file of otop's own.
#[derive(Debug)]
pub struct Keeper {
    path: PathBuf,
    /// The file as last read or written, by its stamp.
    known: Option<(Stamp, Record)>,
}

impl Keeper {
    pub fn new(path: PathBuf) -> Keeper {
        Keeper { path, known: None }
    }

    /// The record after `snap`: written when it changed. Errors leave the file as it was and
    /// are tried again with the next change.
    pub fn keep(&mut self, snap: &Snapshot) -> Result<bool, FileError> {
        // The demo's panes name no real server; another host's rows are that host's to keep.
        if snap.demo {
            return Ok(false);
        }
        let seen = record::seen(&snap.rows, snap.taken_at);
        let running = running(&snap.rows);
        let now = snap.taken_at;
        let wants_write = |old: &Record| {
            let next = record::next(old, &seen, &running, server_alive, now);
            let stale = old
                .sessions
                .iter()
                .any(|e| running.contains(&e.id) && now - e.last_seen > REFRESH_MS);
            (!record::same_set(old, &next) || stale).then_some(next)
        };
        let current = stamp(Some(&self.path));
        let old = match &self.known {
            Some((s, r)) if *s == current => r.clone(),
            _ => read(&self.path),
        };
        if wants_write(&old).is_none() {
            self.known = Some((current, old));
            return Ok(false);
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        private_dir(dir)?;
        let lock = open_own(&self.path.with_extension("lock"), Own::Lock)?;
        lock.lock().map_err(FileError::Io)?;
        // Another view may have written since: decide again on the file as it is now.
        let old = read(&self.path);
        let written = match wants_write(&old) {
            Some(next) => {
                crate::source::file::write_atomic(&self.path, record::render(&next).as_bytes())?;
                true
            }
            None => false,
        };
        self.known = Some((stamp(Some(&self.path)), read(&self.path)));
        Ok(written)
    }
}

/// The sessions a process on this machine runs, pane or not.
pub fn running(rows: &[crate::model::row::Row]) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r.host.is_none() && r.process.is_some())
        .filter_map(|r| r.session_id().map(str::to_string))
        .collect()
}

/// What runs now, for [`plan::plan`]: the sessions `snap`'s processes run (where), the servers
/// at the record's sockets and their windows, the directories and executables that exist.
pub fn world(record: &Record, snap: &Snapshot) -> plan::World {
    let mut w = plan::World::default();
    for r in snap.rows.iter().filter(|r| r.host.is_none()) {
        let (Some(id), Some(pid)) = (r.session_id(), r.pid()) else {
            continue;
        };
        let at = match &r.tmux {
            Some(t) => format!("{}, pid {pid}", plan_place(t)),
            None => format!("pid {pid}, no tmux pane"),
        };
        w.running.entry(id.to_string()).or_insert(at);
    }
    let on_path = which::which("opencode")
        .ok()
        .map(|p| p.display().to_string());
    for e in &record.sessions {
        if !w.servers.contains_key(&e.socket) && server_alive(&e.socket) {
            let windows = list_windows(&e.socket).unwrap_or_default();
            w.servers
                .insert(e.socket.clone(), windows.into_iter().collect());
        }
        if Path::new(&e.directory).is_dir() {
            w.directories.insert(e.directory.clone());
        }
        let exe = if is_executable(&e.executable) {
            Some(e.executable.clone())
        } else {
            on_path.clone()
        };
        if let Some(exe) = exe {
            w.executables.insert(e.executable.clone(), exe);
        }
    }
    w
}

fn plan_place(t: &crate::model::row::TmuxLocation) -> String {
    format!(
        "{}:{} \"{}\"",
        crate::model::sanitize::clean(&t.session),
        t.window,
        crate::model::sanitize::clean(&t.window_name)
    )
}

fn is_executable(path: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.starts_with('/')
        && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The demo's record and world: its fleet as recorded, its tmux server lost, half its sessions
/// running again elsewhere and one directory gone, so `otop --demo restore --dry-run` shows
/// every kind of line without opencode or tmux.
pub fn demo(now: i64) -> (Record, plan::World) {
    let snap = crate::collect::demo::snapshot(&crate::collect::Focus::default(), now);
    let record = Record {
        sessions: record::seen(&snap.rows, now),
    };
    let mut w = plan::World::default();
    for (i, e) in record.sessions.iter().enumerate() {
        if i % 3 == 1 {
            w.running
                .insert(e.id.clone(), format!("pid {}, no tmux pane", 4000 + i));
        }
        if i != 2 {
            w.directories.insert(e.directory.clone());
        }
        w.executables
            .insert(e.executable.clone(), e.executable.clone());
    }
    (record, w)
}

#[cfg(test)]
mod tests;
