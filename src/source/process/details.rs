//! What a scan remembers between refreshes. An opencode process's executable, command line,
//! working directory, environment and the database and log it holds do not change while it
//! runs, and reading them is most of a scan (about 45 descriptors each in 1.18): a long-lived
//! view (the monitor, `otop watch`) reads them once, then again every [`REREAD`] while a file
//! it wants is not among them yet (a process just started opens its database and log a moment
//! later), and every [`REREAD_SETTLED`] once they are. A pid taken by a new process is read
//! afresh.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::OpenFiles;
use super::types::{ProcEnv, ProcessInfo};

/// How long details read once are taken as they were, while they lack a file the scan wants.
pub const REREAD: Duration = Duration::from_secs(10);
/// How long they are taken as they were once they hold those files.
pub const REREAD_SETTLED: Duration = Duration::from_secs(60);

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
    /// How long this reading stands ([`REREAD`] or [`REREAD_SETTLED`]).
    lasts: Duration,
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
            || now.saturating_duration_since(k.at) >= k.lasts
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
                lasts: match settled(p, want) {
                    true => REREAD_SETTLED,
                    false => REREAD,
                },
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
            alive.get(pid) == Some(&k.started_at) && now.saturating_duration_since(k.at) < k.lasts
        });
    }
}

/// Whether `p`'s details hold every kind of file `want` asks for: its database, and for
/// [`OpenFiles::All`] its log too. A helper's (`want` None) never change.
fn settled(p: &ProcessInfo, want: Option<OpenFiles>) -> bool {
    let has = |f: fn(&str) -> bool| p.open_files.iter().any(|o| f(o));
    match want {
        None => true,
        Some(OpenFiles::Database) => has(|o| o.ends_with(".db")),
        Some(OpenFiles::All) => has(|o| o.ends_with(".db")) && has(|o| o.ends_with(".log")),
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
        assert!(!s.recall(&mut info(7, 100), Some(OpenFiles::All), t0 + REREAD));
        // Details that hold the database stand longer: nothing else is to appear.
        assert!(s.recall(&mut info(7, 100), Some(OpenFiles::Database), t0 + REREAD));
        assert!(!s.recall(
            &mut info(7, 100),
            Some(OpenFiles::Database),
            t0 + REREAD_SETTLED
        ));
        // Without its database yet: read again within the short time.
        let mut young = info(8, 100);
        young.cwd = Some("/w".into());
        s.remember(&young, Some(OpenFiles::Database), t0);
        assert!(!s.recall(&mut info(8, 100), Some(OpenFiles::Database), t0 + REREAD));
        s.forget(&[info(7, 101)], t0);
        assert!(!s.recall(&mut info(7, 100), None, t0));
    }
}
