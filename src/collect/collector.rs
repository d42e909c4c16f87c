//! The real source: processes, tmux, logs, plugin files and databases, correlated into rows.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod evidence;
mod totals;

use super::assemble::{Found, bare_row, tmux_servers};
use super::{Detail, Focus, Snapshot, Source, local_midnight_ms};
use crate::model::correlate::{self, Matched};
use crate::model::row::{Row, TmuxLocation};
use crate::paths::{self, Env};
use crate::source::db::types::Depth;
use crate::source::db::{Db, DbError};
use crate::source::log::LogIndex;
use crate::source::log::types::{LogRun, StreamErrors};
use crate::source::plugin::{self, PluginFile};
use crate::source::process::types::{Kind, OpencodeProcess, ProcessInfo};
use crate::source::process::{self, CpuSampler};
use crate::source::tmux;
use crate::source::tmux::types::Pane;
use totals::TotalsReader;

/// Options of the real collector.
#[derive(Debug, Clone, Default)]
pub struct CollectorOptions {
    /// `--db`: read this database for every process, whatever it uses.
    pub db: Option<PathBuf>,
    /// Compute the header totals (the monitor wants them; one-shot commands do not).
    pub totals: bool,
    /// Read opencode's log for correlation (skipped by the one-shot status line).
    pub logs: bool,
    /// Ask tmux where each process lives (the status line's counts do not need it).
    pub tmux: bool,
    /// tmux sockets to search besides those of opencode processes and the default server.
    pub extra_sockets: Vec<String>,
    /// How much of each session to read (the status line needs only the state).
    pub depth: Depth,
}

impl CollectorOptions {
    /// Everything: the monitor and `otop sessions`.
    pub fn full(db: Option<PathBuf>) -> Self {
        CollectorOptions {
            db,
            totals: false,
            logs: true,
            tmux: true,
            extra_sockets: Vec::new(),
            depth: Depth::Full,
        }
    }
}

/// The real source: owns the database connections, the log index and the CPU sampler across
/// refreshes, so each refresh costs what the live sessions cost, not what the history costs.
pub struct Collector {
    opts: CollectorOptions,
    env: Env,
    dbs: HashMap<PathBuf, Db>,
    logs: HashMap<PathBuf, LogIndex>,
    cpu: CpuSampler,
    scanner: process::Scanner,
    totals: TotalsReader,
    opencode2: crate::source::opencode2::Service,
}

impl Collector {
    pub fn new(opts: CollectorOptions, env: Env) -> Collector {
        Collector {
            opts,
            dbs: HashMap::new(),
            logs: HashMap::new(),
            cpu: CpuSampler::default(),
            scanner: process::Scanner::default(),
            totals: TotalsReader::default(),
            opencode2: crate::source::opencode2::Service::new(env.opencode_service_file()),
            env,
        }
    }

    /// The database otop reads when no process says otherwise.
    pub fn default_db_path(&self) -> PathBuf {
        self.env.opencode_db(self.opts.db.as_deref())
    }

    /// The database a process uses: `--db` wins; else an opencode database it holds open;
    /// else the path its own environment resolves to.
    fn db_path_of(&self, p: &ProcessInfo) -> PathBuf {
        if let Some(flag) = &self.opts.db {
            return flag.clone();
        }
        if let Some(open) = p.open_files.iter().find(|f| f.ends_with(".db")) {
            return PathBuf::from(open);
        }
        let home = p.env.home.as_deref().or(self.env.home.as_deref());
        let xdg = p.env.xdg_data_home.as_deref().or(if p.env.home.is_some() {
            None
        } else {
            self.env.xdg_data_home.as_deref()
        });
        paths::opencode_db(None, p.env.opencode_db.as_deref(), xdg, home)
    }

    /// The databases the last refresh read (the default one, if it could, and those the
    /// processes hold), sorted.
    pub fn databases(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.dbs.keys().cloned().collect();
        paths.sort();
        paths
    }

    /// What the database at `path` holds (schema, version, counts), read through the same
    /// connection refreshes use: `doctor` asks here rather than opening the file itself.
    pub fn database_info(
        &mut self,
        path: &Path,
    ) -> Result<crate::source::db::info::DbInfo, DbError> {
        self.db(path)?.info()
    }

    /// An open connection to `path`, opened on first use and reopened after a failure or when
    /// the file was deleted or replaced (the file may appear later, or be restored).
    fn db(&mut self, path: &Path) -> Result<&mut Db, DbError> {
        if self.dbs.get(path).is_some_and(Db::is_stale) {
            self.dbs.remove(path);
        }
        if !self.dbs.contains_key(path) {
            let db = open_db(path, self.opts.depth, self.env.otop_cache_dir())?;
            self.dbs.insert(path.to_path_buf(), db);
        }
        self.dbs.get_mut(path).ok_or_else(|| DbError::Unreadable {
            path: path.to_path_buf(),
            reason: "not open".into(),
        })
    }
}

/// A connection for reads to `depth` (the one-shot status line's reads a small page cache),
/// keeping its index of `global` sessions in `cache` between runs.
fn open_db(path: &Path, depth: Depth, cache: Option<PathBuf>) -> Result<Db, DbError> {
    let mut db = Db::open(path)?;
    if depth == Depth::State {
        db.read_once();
    }
    if let Some(dir) = cache {
        db.keep_index_in(&dir);
    }
    Ok(db)
}

impl Source for Collector {
    fn prime_cpu(&mut self) -> bool {
        let procs = process::scan_with(process::OpenFiles::Database, true);
        let infos: Vec<&ProcessInfo> = procs.iter().map(|p| &p.info).collect();
        self.cpu.sample(&infos, Instant::now());
        true
    }

    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        let default_db = self.default_db_path();
        let procs = self.scan(&default_db);
        let infos: Vec<&ProcessInfo> = procs.iter().map(|p| &p.info).collect();
        let cpu = self.cpu.sample(&infos, Instant::now());
        let mut snap = Snapshot {
            taken_at: now,
            db_path: Some(default_db.display().to_string()),
            ..Snapshot::default()
        };
        if let Some(note) = self.opencode2.check() {
            snap.warnings.push(note.clone());
            snap.opencode2 = Some(note);
        }
        let panes = self.panes(&procs, &mut snap);
        let refresh = Refresh {
            cpu: &cpu,
            panes: &panes,
            now,
        };
        let mut plugins = Plugins::default();
        let groups = self.groups(&procs, &default_db);
        let matched = self.read_databases(&groups, &refresh, &mut plugins, &mut snap);
        // Processes no database could explain, and helpers.
        let unmatched = procs.iter().filter(|p| !matched.contains(&p.info.pid));
        snap.rows
            .extend(unmatched.map(|p| bare_row(p, &cpu, &panes)));
        for p in snap.rows.iter_mut().filter_map(|r| r.process.as_mut()) {
            p.plugin = plugins.pids.contains(&p.info.pid);
        }
        snap.plugin_dirs = plugins.dirs;
        if let Some(path) = self.env.unseen_file() {
            snap.marks = crate::source::unseen::read(&path);
            crate::model::unseen::mark_rows(&mut snap.rows, &snap.marks);
        }
        if self.opts.totals {
            snap.totals = self.totals.read(&default_db, local_midnight_ms(now));
        }
        snap.detail = self.detail(focus, &snap);
        snap.skipped_rows = self
            .dbs
            .values_mut()
            .fold(0, |n, db| n.saturating_add(db.take_skipped()));
        snap
    }
}

/// What every database of one refresh is read with.
struct Refresh<'a> {
    /// CPU% by pid, sampled once for all processes.
    cpu: &'a HashMap<u32, f32>,
    /// The panes of every tmux server read.
    panes: &'a [Pane],
    now: i64,
}

/// What the companion plugin's files said, over every database of one refresh.
#[derive(Default)]
struct Plugins {
    /// The processes with a live plugin file.
    pids: HashSet<u32>,
    /// The directories the files were read from.
    dirs: Vec<PathBuf>,
}

/// A database and the opencode processes that use it.
type Group<'p> = (PathBuf, Vec<&'p OpencodeProcess>);

impl Collector {
    /// The process table. The default database, when not open yet (the first refresh, and
    /// every `otop status`), is opened and its schema parsed on another core meanwhile.
    fn scan(&mut self, default_db: &Path) -> Vec<OpencodeProcess> {
        let opening = (!self.dbs.contains_key(default_db)).then(|| {
            let path = default_db.to_path_buf();
            let depth = self.opts.depth;
            let cache = self.env.otop_cache_dir();
            std::thread::spawn(move || open_db(&path, depth, cache))
        });
        // Log files only for the log tier: otherwise the scan stops at each database.
        let files = if self.opts.logs {
            process::OpenFiles::All
        } else {
            process::OpenFiles::Database
        };
        let procs = self.scanner.scan(files, self.opts.depth == Depth::Full);
        // A failure is reported by the first read through `db()`, which tries again.
        if let Some(Ok(Ok(db))) = opening.map(std::thread::JoinHandle::join) {
            self.dbs.insert(default_db.to_path_buf(), db);
        }
        procs
    }

    /// The panes of the tmux servers the processes live in (none unless asked); the panes in
    /// front of someone and the attached clients go to `snap`.
    fn panes(&self, procs: &[OpencodeProcess], snap: &mut Snapshot) -> Vec<Pane> {
        if !self.opts.tmux {
            return Vec::new();
        }
        let mut panes = Vec::new();
        for s in tmux_servers(procs, &self.opts.extra_sockets) {
            snap.in_front.extend(s.in_front().map(TmuxLocation::from));
            panes.extend(s.panes);
            snap.clients.extend(s.clients);
        }
        panes
    }

    /// The opencode processes (helpers aside) grouped by the database they use; the default
    /// database first and always there, so its absence is reported even when no opencode runs.
    fn groups<'p>(&self, procs: &'p [OpencodeProcess], default_db: &Path) -> Vec<Group<'p>> {
        let mut groups: Vec<Group> = vec![(default_db.to_path_buf(), vec![])];
        for p in procs.iter().filter(|p| p.kind != Kind::Helper) {
            let path = self.db_path_of(&p.info);
            match groups.iter_mut().find(|(g, _)| *g == path) {
                Some((_, v)) => v.push(p),
                None => groups.push((path, vec![p])),
            }
        }
        groups
    }

    /// Each group's rows into `snap`; returns the pids they explain. A database that cannot be
    /// read is the snapshot's `db_error` (the default one, the first group) or a warning.
    fn read_databases(
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
        let matches = evidence::matches(db, &correlated, &log_sessions, &live)?;
        let (ids, parents) = with_subagents(db, &matches)?;
        let owners = correlate::attach_children(&matches, &parents);
        let facts = db.session_facts_to(&ids, depth)?;
        let found = Found {
            matches: &matches,
            facts: &facts,
            owners: &owners,
            stream_errors: &stream_errors,
            plugins: &live,
            now: refresh.now,
        };
        let cpu = self.cpu_for(group, &found, refresh.cpu);
        Ok(group
            .iter()
            .flat_map(|p| found.rows(p, &cpu, refresh.panes))
            .collect())
    }

    /// Each process's run of opencode's log in `data_dir` (with the log tier only), and the
    /// `stream error` lines by the session they name.
    fn log_runs(
        &mut self,
        data_dir: &Path,
        group: &[&OpencodeProcess],
    ) -> (HashMap<u32, LogRun>, HashMap<String, StreamErrors>) {
        let dir = data_dir.join("log");
        if !self.opts.logs {
            return (
                HashMap::new(),
                crate::source::log::recent_stream_errors(&dir),
            );
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
        (runs, log.stream_errors())
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

    /// History and pane contents for what the view focuses on.
    fn detail(&mut self, focus: &Focus, snap: &Snapshot) -> Option<Detail> {
        if focus.session_id.is_none() && focus.pane.is_none() {
            return None;
        }
        let mut detail = Detail {
            session_id: focus.session_id.clone(),
            ..Detail::default()
        };
        if let Some(id) = &focus.session_id {
            let path = snap
                .rows
                .iter()
                .find(|r| r.session_id() == Some(id.as_str()))
                .and_then(|r| r.process.as_ref())
                .map(|p| self.db_path_of(&p.info))
                .unwrap_or_else(|| self.default_db_path());
            if let Ok(db) = self.db(&path) {
                detail.history = db.history(id, HISTORY_LIMIT).unwrap_or_default();
            }
        }
        // Another machine's pane is not on this machine's servers, whatever its socket's path.
        if let Some(pane) = focus.pane.as_ref().filter(|p| p.host.is_none()) {
            detail.pane_text = tmux::capture_pane(&pane.socket, &pane.pane_id).ok();
        }
        Some(detail)
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

/// The shortest interval a CPU% is measured over (as `otop sessions` waits between samples).
pub const CPU_WINDOW: std::time::Duration = std::time::Duration::from_millis(250);
/// How many levels of subagents below a top-level session are read.
const SUBAGENT_LEVELS: usize = 4;
/// Messages shown in the detail view's history.
const HISTORY_LIMIT: usize = 200;
