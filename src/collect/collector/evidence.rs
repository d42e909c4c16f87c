//! What ties each process to a session: its certain evidence, then its directory's candidates,
//! read cheaply first and in full only for directories that need it (see
//! `source/db/recent.rs`).

use std::collections::HashMap;

use crate::model::correlate::{self, Evidence, Matched};
use crate::model::state::MatchRule;
use crate::source::db::types::Candidate;
use crate::source::db::{Db, DbError, UPDATED_SLACK_MS};
use crate::source::log::types::LogRun;
use crate::source::plugin::PluginFile;
use crate::source::process::types::OpencodeProcess;

/// Sessions of one directory considered when guessing which one a process runs.
const CANDIDATES_PER_DIR: usize = 20;

/// Each of `correlated` matched to a session, where the evidence allows.
pub(super) fn matches(
    db: &mut Db,
    correlated: &[&OpencodeProcess],
    log_sessions: &HashMap<u32, LogRun>,
    plugins: &HashMap<u32, &PluginFile>,
) -> Result<HashMap<u32, Matched>, DbError> {
    let mut evidence = Vec::with_capacity(correlated.len());
    for p in correlated {
        evidence.push(certain(db, p, log_sessions, plugins)?);
    }
    let mut dirs: Vec<&str> = correlated
        .iter()
        .filter_map(|p| p.info.cwd.as_deref())
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let since = correlated
        .iter()
        .map(|p| p.info.started_at)
        .min()
        .unwrap_or(0)
        .saturating_sub(UPDATED_SLACK_MS);
    let named: Vec<String> = evidence
        .iter()
        .flat_map(|e| [&e.flag_session, &e.log_session, &e.plugin_session])
        .flatten()
        .cloned()
        .collect();
    // The walk, whatever the database's size: in the refresh's one read transaction it reads
    // fewer pages than one pass over the session table even at 2,000 sessions (a one-shot
    // status took 355 page faults against 430, the pass caching every session page).
    let recent = db.recent_candidates_in(&dirs, CANDIDATES_PER_DIR, since, &named)?;
    let cheap = recent.is_some();
    let by_dir = match recent {
        Some(c) => c,
        None => db.candidates_in(&dirs, CANDIDATES_PER_DIR)?,
    };
    fill(db, &mut evidence, &by_dir, |_| true)?;
    let matches = correlate::correlate(&evidence);
    if !cheap {
        return Ok(matches);
    }
    // The directory rule (and a process left without a session) looks at sessions the cheap
    // read may lack: those directories are read in full, and everything correlated again.
    let mut again: Vec<&str> = evidence
        .iter()
        .filter(|e| {
            matches
                .get(&e.pid)
                .is_none_or(|m| m.rule == MatchRule::Directory)
        })
        .filter_map(|e| e.cwd.as_deref())
        .collect();
    if again.is_empty() {
        return Ok(matches);
    }
    again.sort_unstable();
    again.dedup();
    let full = db.candidates_in(&again, CANDIDATES_PER_DIR)?;
    let again: Vec<String> = again.into_iter().map(str::to_string).collect();
    let is_again = |e: &Evidence| e.cwd.as_ref().is_some_and(|c| again.contains(c));
    fill(db, &mut evidence, &full, is_again)?;
    Ok(correlate::correlate(&evidence))
}

/// `p`'s evidence but its candidates. An id from argv or the log must exist in this database
/// to count. A log-named session must also belong to the process's directory: opencode 1.2's
/// per-process log files are named by the second they were opened, so two processes can write
/// one file, and it then names another process's sessions (seen in the end-to-end suite).
fn certain(
    db: &mut Db,
    p: &OpencodeProcess,
    log_sessions: &HashMap<u32, LogRun>,
    plugins: &HashMap<u32, &PluginFile>,
) -> Result<Evidence, DbError> {
    let info = &p.info;
    let mut ev = Evidence {
        pid: info.pid,
        started_at: info.started_at,
        cwd: info.cwd.clone(),
        flag_session: correlate::session_flag(&info.argv),
        plugin_session: plugins.get(&info.pid).and_then(|f| f.session_id.clone()),
        log_session: log_sessions
            .get(&info.pid)
            .and_then(|r| r.latest_session().map(str::to_string)),
        continues: correlate::continue_flag(&info.argv),
        candidates: Vec::new(),
    };
    for (id, same_dir) in [(&mut ev.flag_session, false), (&mut ev.log_session, true)] {
        let Some(s) = id.as_deref() else { continue };
        let found = db.candidate(s, info.started_at)?;
        let elsewhere = |c: &Candidate| match (&c.directory, &info.cwd) {
            (Some(d), Some(cwd)) => d != cwd,
            _ => false,
        };
        if found.is_none_or(|c| same_dir && elsewhere(&c)) {
            *id = None;
        }
    }
    Ok(ev)
}

/// Gives the evidence `which` picks its directory's candidates from `by_dir`, with their
/// activity since its process started.
fn fill(
    db: &mut Db,
    evidence: &mut [Evidence],
    by_dir: &HashMap<String, Vec<Candidate>>,
    which: impl Fn(&Evidence) -> bool,
) -> Result<(), DbError> {
    for ev in evidence.iter_mut().filter(|e| which(e)) {
        if let Some(cwd) = &ev.cwd {
            ev.candidates = by_dir.get(cwd).cloned().unwrap_or_default();
            db.activity(&mut ev.candidates, ev.started_at)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::process::types::{Kind, ProcessInfo};
    use crate::testkit::fixture::{Fixture, Schema, SessionSpec};

    const T0: i64 = 1_780_000_000_000;

    fn process(pid: u32, cwd: &str, started_at: i64, argv: &[&str]) -> OpencodeProcess {
        OpencodeProcess {
            info: ProcessInfo {
                pid,
                cwd: Some(cwd.into()),
                started_at,
                argv: argv.iter().map(|a| a.to_string()).collect(),
                ..ProcessInfo::default()
            },
            kind: Kind::Tui,
            owner: None,
            wrapper_pid: None,
        }
    }

    /// What the full read alone gives: the matches of the collector before the cheap read.
    fn full(db: &mut Db, procs: &[&OpencodeProcess]) -> HashMap<u32, Matched> {
        let mut ev: Vec<Evidence> = procs
            .iter()
            .map(|p| certain(db, p, &HashMap::new(), &HashMap::new()).unwrap())
            .collect();
        let dirs: Vec<&str> = procs.iter().filter_map(|p| p.info.cwd.as_deref()).collect();
        let by_dir = db.candidates_in(&dirs, CANDIDATES_PER_DIR).unwrap();
        fill(db, &mut ev, &by_dir, |_| true).unwrap();
        correlate::correlate(&ev)
    }

    #[test]
    fn the_cheap_read_matches_as_the_full_one_old_sessions_touched_since_included() {
        for schema in [Schema::Current, Schema::Old] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("opencode.db");
            let mut fx = Fixture::create(&path, schema).unwrap();
            let mut ids = Vec::new();
            for d in ["/a", "/b", "/c"] {
                for i in 0..30 {
                    let t = T0 + i * 1000;
                    ids.push(
                        fx.session(SessionSpec {
                            directory: d.into(),
                            created: t,
                            updated: t,
                            ..SessionSpec::default()
                        })
                        .unwrap(),
                    );
                }
            }
            let start = T0 + 3_600_000;
            // /a: an old session resumed with a prompt since the process started (activity).
            fx.user_message(&ids[0], start + 5_000).unwrap();
            // /b: an old session opened since, no prompt yet, but touched (directory rule).
            // /c: `-c` continues the latest session, an old one touched before the start.
            for (sid, t) in [(&ids[31], start + 5_000), (&ids[62], start - 60_000)] {
                fx.conn()
                    .execute(
                        "UPDATE session SET time_updated = ?2 WHERE id = ?1",
                        rusqlite::params![sid, t],
                    )
                    .unwrap();
            }
            let procs = [
                process(1, "/a", start, &["opencode"]),
                process(2, "/b", start, &["opencode"]),
                process(3, "/c", start, &["opencode", "-c"]),
            ];
            let refs: Vec<&OpencodeProcess> = procs.iter().collect();
            let mut db = Db::open(&path).unwrap();
            let got = matches(&mut db, &refs, &HashMap::new(), &HashMap::new()).unwrap();
            assert_eq!(got, full(&mut db, &refs), "{schema:?}");
            let session = |pid| got.get(&pid).map(|m| m.session_id.clone());
            assert_eq!(session(1), Some(ids[0].clone()), "{schema:?}");
            assert_eq!(session(2), Some(ids[31].clone()), "{schema:?}");
            assert_eq!(session(3), Some(ids[62].clone()), "{schema:?}");
        }
    }
}
