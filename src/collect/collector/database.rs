//! One refresh's reads of each database: the processes that use it correlated with its
//! sessions (the log, the companion plugin's files, the evidence of `evidence.rs`), their
//! subagents, and their rows.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::evidence;
use super::{CPU_WINDOW, Collector};
use crate::collect::Snapshot;
use crate::collect::assemble::Found;
use crate::model::correlate::{self, Matched};
use crate::model::row::Row;
use crate::source::db::{Db, DbError};
use crate::source::log::LogIndex;
use crate::source::log::types::{LogRun, StreamErrors};
use crate::source::plugin::{self, PluginFile};
use crate::source::process::types::{OpencodeProcess, ProcessInfo};
use crate::source::tmux::types::Pane;

/// What every database of one refresh is read with.
pub(super) struct Refresh<'a> {
    /// CPU% by pid, sampled once for all processes.
    pub(super) cpu: &'a HashMap<u32, f32>,
    /// The panes of every tmux server read.
    pub(super) panes: &'a [Pane],
    pub(super) now: i64,
}

/// What the companion plugin's files said, over every database of one refresh.
#[derive(Default)]
pub(super) struct Plugins {
    /// The processes with a live plugin file.
    pub(super) pids: HashSet<u32>,
    /// The directories the files were read from.
    pub(super) dirs: Vec<PathBuf>,
}

/// A database and the opencode processes that use it.
pub(super) type Group<'p> = (PathBuf, Vec<&'p OpencodeProcess>);

impl Collector {
    /// Each group's rows into `snap`; returns the pids they explain. A database that cannot be
    /// read is the snapshot's `db_error` (the default one, the first group) or a warning.
    pub(super) fn read_databases(
        &mut self,
        groups: &[Group],
        refresh: &Refresh,
        plugins: &mut Plugins,
        snap: &mut Snapshot,
    ) -> HashSet<u32> {
        let mut matched = HashSet::new();
        for (i, (path, group)) in groups.iter().enumerate() {
            match self.collect_db(path, group, refresh, plugins) {
                Ok(rows) => {
                    matched.extend(rows.iter().filter_map(Row::pid));
                    snap.rows.extend(rows);
                }
                // The default database missing is no problem when no process uses it and the
                // running ones hold databases of their own.
                Err(DbError::Missing(_)) if i == 0 && group.is_empty() && groups.len() > 1 => {}
                Err(e) if i == 0 => snap.db_error = Some(e),
                Err(e) => snap.warnings.push(e.to_string()),
            }
        }
        matched
    }

    /// Correlates and describes the processes that use the database at `path`; adds what the
    /// companion plugin's files said to `plugins`.
    fn collect_db(
        &mut self,
        path: &Path,
        group: &[&OpencodeProcess],
        refresh: &Refresh,
        plugins: &mut Plugins,
    ) -> Result<Vec<Row>, DbError> {
        let data_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let (log_sessions, stream_errors) = self.log_runs(&data_dir, group);
        let tail_unread = stream_errors.is_none();
        let stream_errors = stream_errors.unwrap_or_default();
        let plugin_files = self.plugin_files(group, &mut plugins.dirs);
        let live = plugin::live(
            &plugin_files,
            group.iter().map(|p| (p.info.pid, p.info.started_at)),
        );
        plugins.pids.extend(live.keys());

        let depth = self.opts.depth;
        let db = self.db(path)?;
        let correlated: Vec<&OpencodeProcess> = group
            .iter()
            .copied()
            .filter(|p| p.kind.runs_sessions())
            .collect();
        let (matches, parents, facts) = db.one_snapshot(|db| {
            let matches = evidence::matches(db, &correlated, &log_sessions, &live)?;
            let (ids, parents) = with_subagents(db, &matches)?;
            let facts = db.session_facts_to(&ids, depth)?;
            Ok((matches, parents, facts))
        })?;
        let owners = correlate::attach_children(&matches, &parents);
        let found = Found {
            matches: &matches,
            facts: &facts,
            owners: &owners,
            stream_errors: &stream_errors,
            plugins: &live,
            now: refresh.now,
        };
        let cpu = self.cpu_for(group, &found, refresh.cpu);
        let rows = |found: &Found| -> Vec<Row> {
            group
                .iter()
                .flat_map(|p| found.rows(p, &cpu, refresh.panes))
                .collect()
        };
        let first = rows(&found);
        // Without a log index (one-shot commands), the log's end is read only when a row
        // could read otherwise with its `stream error` lines: most refreshes need none.
        if !tail_unread || !group.iter().any(|p| found.depends_on_log(p, &cpu)) {
            return Ok(first);
        }
        let recent = crate::source::log::recent_stream_errors(&data_dir.join("log"));
        if recent.is_empty() {
            return Ok(first);
        }
        Ok(rows(&Found {
            stream_errors: &recent,
            ..found
        }))
    }

    /// Each process's run of opencode's log in `data_dir` (with the log tier only), and the
    /// `stream error` lines by the session they name (None without the log tier: the log's end
    /// is read only if a row needs it, see `collect_db`).
    fn log_runs(
        &mut self,
        data_dir: &Path,
        group: &[&OpencodeProcess],
    ) -> (HashMap<u32, LogRun>, Option<HashMap<String, StreamErrors>>) {
        let dir = data_dir.join("log");
        if !self.opts.logs {
            return (HashMap::new(), None);
        }
        let infos: Vec<&ProcessInfo> = group.iter().map(|p| &p.info).collect();
        let log = self
            .logs
            .entry(data_dir.to_path_buf())
            .or_insert_with(|| LogIndex::new(dir));
        log.refresh(&infos);
        let mut runs: HashMap<u32, LogRun> = log
            .runs_for(&infos)
            .into_iter()
            .map(|(pid, run)| (pid, run.clone()))
            .collect();
        let started: HashMap<u32, i64> = infos.iter().map(|p| (p.pid, p.started_at)).collect();
        for pid in crate::source::log::ambiguous_file_runs(&runs, &started) {
            runs.remove(&pid);
        }
        (runs, Some(log.stream_errors()))
    }

    /// The companion plugin's files for `group`, by pid; the directories read go to `dirs`.
    /// The plugin writes where its process's environment says, not beside the database.
    fn plugin_files(
        &self,
        group: &[&OpencodeProcess],
        read: &mut Vec<PathBuf>,
    ) -> HashMap<u32, PluginFile> {
        let mut dirs: Vec<PathBuf> = group
            .iter()
            .map(|p| plugin::dir_of(&p.info, &self.env))
            .collect();
        if dirs.is_empty() {
            dirs.push(plugin::dir_of(&ProcessInfo::default(), &self.env));
        }
        dirs.sort();
        dirs.dedup();
        let mut files = HashMap::new();
        for dir in dirs {
            files.extend(plugin::read_dir(&dir));
            if !read.contains(&dir) {
                read.push(dir);
            }
        }
        files
    }

    /// `sampled`, with a measure now for the processes whose state hangs on their CPU and that
    /// have no sample. The stall rule reads opencode's CPU; a one-shot command (`otop status`,
    /// `otop jump`) has no second sample to compare with, so those processes get one now and
    /// every command tells the same state (the others pay nothing).
    fn cpu_for(
        &mut self,
        group: &[&OpencodeProcess],
        found: &Found,
        sampled: &HashMap<u32, f32>,
    ) -> HashMap<u32, f32> {
        let unsampled: Vec<&ProcessInfo> = group
            .iter()
            .filter(|p| !sampled.contains_key(&p.info.pid) && found.depends_on_cpu(p))
            .map(|p| &p.info)
            .collect();
        let mut cpu = sampled.clone();
        if !unsampled.is_empty() {
            cpu.extend(self.cpu.measure(&unsampled, CPU_WINDOW));
        }
        cpu
    }
}

/// The sessions to read for `matches`: the matched ones, then the subagents below them, a few
/// levels deep (subagents run inside their top-level ancestor's process, and may start
/// subagents), each part sorted (the reads key what they keep on the ids in order,
/// `unchanged.rs`, and a map's order differs from one refresh to the next); and each
/// subagent's parent.
fn with_subagents(
    db: &mut Db,
    matches: &HashMap<u32, Matched>,
) -> Result<(Vec<String>, HashMap<String, String>), DbError> {
    let mut ids: Vec<String> = matches.values().map(|m| m.session_id.clone()).collect();
    ids.sort_unstable();
    let mut parents: HashMap<String, String> = HashMap::new();
    let mut frontier = ids.clone();
    for _ in 0..SUBAGENT_LEVELS {
        if frontier.is_empty() {
            break;
        }
        let kids = db.children(&frontier)?;
        frontier = Vec::new();
        for k in kids {
            if let Some(p) = k.parent_id.clone()
                && parents.insert(k.id.clone(), p).is_none()
            {
                frontier.push(k.id);
            }
        }
    }
    let mut kids: Vec<String> = parents.keys().cloned().collect();
    kids.sort_unstable();
    ids.extend(kids);
    Ok((ids, parents))
}

/// How many levels of subagents below a top-level session are read.
const SUBAGENT_LEVELS: usize = 4;
