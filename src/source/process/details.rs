//! What a scan remembers between refreshes. An opencode process's executable, command line,
//! working directory, environment and the database and log it holds do not change while it
//! runs, and reading them is most of a scan (about 45 descriptors each in 1.18): a long-lived
//! view (the monitor, `otop watch`) reads them once, then again only every [`REREAD`], so a
//! file opened later still shows within that time. A pid taken by a new process is read afresh.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::OpenFiles;
use super::types::{ProcEnv, ProcessInfo};

/// How long details read once are taken as they were.
pub const REREAD: Duration = Duration::from_secs(10);

/// The process table's reader, with what it read of each process a moment ago.
#[derive(Debug, Default)]
pub struct Scanner {
    known: HashMap<u32, Known>,
}

#[derive(Debug, Clone)]
struct Known {
    started_at: i64,
    /// What was read: None for environment and directory only (a helper), else which files.
    files: Option<OpenFiles>,
    at: Instant,
    exe: Option<String>,
    argv: Vec<String>,
    cwd: Option<String>,
    env: ProcEnv,
    open_files: Vec<String>,
}

/// Whether details read for `had` answer a scan that wants `want`.
fn covers(had: Option<OpenFiles>, want: Option<OpenFiles>) -> bool {
    matches!(
        (had, want),
        (_, None)
            | (Some(OpenFiles::All), _)
            | (Some(OpenFiles::Database), Some(OpenFiles::Database))
    )
}

impl Scanner {
    /// Fills `p`'s details from what was read of the same process (same pid, same start)
    /// less than [`REREAD`] ago; false when they must be read.
    pub(super) fn recall(
        &self,
        p: &mut ProcessInfo,
        want: Option<OpenFiles>,
        now: Instant,
    ) -> bool {
        let Some(k) = self.known.get(&p.pid) else {
            return false;
        };
        if k.started_at != p.started_at
            || now.saturating_duration_since(k.at) >= REREAD
            || !covers(k.files, want)
        {
            return false;
        }
        if p.exe.is_none() {
            p.exe = k.exe.clone();
        }
        if p.argv.is_empty() {
            p.argv = k.argv.clone();
        }
        p.cwd = k.cwd.clone();
        p.env = k.env.clone();
        if want.is_some() {
            p.open_files = k.open_files.clone();
        }
        true
    }

    /// Keeps what was just read of `p`.
    pub(super) fn remember(&mut self, p: &ProcessInfo, want: Option<OpenFiles>, now: Instant) {
        self.known.insert(
            p.pid,
            Known {
                started_at: p.started_at,
                files: want,
                at: now,
                exe: p.exe.clone(),
                argv: p.argv.clone(),
                cwd: p.cwd.clone(),
                env: p.env.clone(),
                open_files: p.open_files.clone(),
            },
        );
    }

    /// Drops processes that are gone or were read too long ago.
    pub(super) fn forget(&mut self, alive: &[ProcessInfo], now: Instant) {
        let alive: HashMap<u32, i64> = alive.iter().map(|p| (p.pid, p.started_at)).collect();
        self.known.retain(|pid, k| {
            alive.get(pid) == Some(&k.started_at) && now.saturating_duration_since(k.at) < REREAD
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pid: u32, started_at: i64) -> ProcessInfo {
        ProcessInfo {
            pid,
            started_at,
            ..ProcessInfo::default()
        }
    }

    #[test]
    fn details_are_taken_again_only_from_the_same_process_while_fresh() {
        let t0 = Instant::now();
        let mut s = Scanner::default();
        let mut read = info(7, 100);
        read.cwd = Some("/w".into());
        read.open_files = vec!["/d/opencode.db".into()];
        s.remember(&read, Some(OpenFiles::Database), t0);

        let mut p = info(7, 100);
        assert!(s.recall(
            &mut p,
            Some(OpenFiles::Database),
            t0 + Duration::from_secs(3)
        ));
        assert_eq!(p.cwd.as_deref(), Some("/w"));
        assert_eq!(p.open_files, ["/d/opencode.db"]);
        // The log tier needs every file: what was read for the database alone is not enough.
        assert!(!s.recall(&mut info(7, 100), Some(OpenFiles::All), t0));
        // Another process under the same pid, or details too old: read again.
        assert!(!s.recall(&mut info(7, 101), Some(OpenFiles::Database), t0));
        assert!(!s.recall(&mut info(7, 100), Some(OpenFiles::Database), t0 + REREAD));
        s.forget(&[info(7, 101)], t0);
        assert!(!s.recall(&mut info(7, 100), None, t0));
    }
}
