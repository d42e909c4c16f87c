//! The real source: processes, tmux, logs, plugin files and databases, correlated into rows.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod evidence;

use super::assemble::{Found, bare_row, tmux_servers};
use super::{Detail, Focus, Snapshot, Source, local_midnight_ms, now_ms};
use crate::error::Error;
use crate::model::correlate;
use crate::model::row::{Row, TmuxLocation};
use crate::paths::Env;
use crate::reply::{self, Order};
use crate::source::db::types::Depth;
use crate::source::db::{Db, DbError};
use crate::source::log::LogIndex;
use crate::source::log::types::LogRun;
use crate::source::plugin;
use crate::source::process::types::{Kind, OpencodeProcess, ProcessInfo};
use crate::source::process::{self, CpuSampler};
use crate::source::tmux;
use crate::source::tmux::types::Pane;

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

/// The header totals on a connection of their own. The first read covers the whole message
/// table (seconds on a large history), so it runs on a thread: snapshots carry rows at once
/// and totals from when that read is done; later reads are incremental and run inline.
#[derive(Default)]
enum TotalsReader {
    #[default]
    Idle,
    Priming(std::sync::mpsc::Receiver<Option<Db>>),
    Ready(Box<Db>),
}

impl TotalsReader {
    fn read(&mut self, path: &Path, midnight: i64) -> Option<crate::source::db::types::TotalsPair> {
        if let TotalsReader::Priming(rx) = self {
            match rx.try_recv() {
                Ok(Some(db)) => *self = TotalsReader::Ready(Box::new(db)),
                Err(std::sync::mpsc::TryRecvError::Empty) => return None,
                // Failed (no database yet, say): try again next refresh.
                Ok(None) | Err(_) => *self = TotalsReader::Idle,
            }
        }
        match self {
            TotalsReader::Ready(db) if db.path() == path => db.totals(midnight).ok(),
            TotalsReader::Priming(_) => None,
            _ => {
                let (tx, rx) = std::sync::mpsc::channel();
                let path = path.to_path_buf();
                std::thread::spawn(move || {
                    let db = Db::open(&path)
                        .ok()
                        .and_then(|mut db| db.totals(midnight).ok().map(|_| db));
                    let _ = tx.send(db);
                });
                *self = TotalsReader::Priming(rx);
                None
            }
        }
    }
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
        crate::source::db::prompts::path_of(self.opts.db.as_deref(), &self.env, p)
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
        // Not open yet (the first refresh, and every `otop status`): open the default database
        // and parse its schema on another core while /proc is scanned.
        let default_db = self.default_db_path();
        let opening = (!self.dbs.contains_key(&default_db)).then(|| {
            let path = default_db.clone();
            let depth = self.opts.depth;
            let cache = self.env.otop_cache_dir();
            std::thread::spawn(move || open_db(&path, depth, cache))
        });
        // Log files only for the log tier: otherwise the scan stops at each database.
        let procs = self.scanner.scan(
            if self.opts.logs {
                process::OpenFiles::All
            } else {
                process::OpenFiles::Database
            },
            self.opts.depth == Depth::Full,
        );
        // A failure is reported by the first read through `db()`, which tries again.
        if let Some(Ok(Ok(db))) = opening.map(std::thread::JoinHandle::join) {
            self.dbs.insert(default_db.clone(), db);
        }
        let infos: Vec<&ProcessInfo> = procs.iter().map(|p| &p.info).collect();
        let cpu = self.cpu.sample(&infos, Instant::now());
        let servers = if self.opts.tmux {
            tmux_servers(&procs, &self.opts.extra_sockets)
        } else {
            Vec::new()
        };
        let mut snap = Snapshot {
            taken_at: now,
            ..Snapshot::default()
        };
        if let Some(note) = self.opencode2.check() {
            snap.warnings.push(note.clone());
            snap.opencode2 = Some(note);
        }
        let mut panes: Vec<Pane> = Vec::new();
        for s in servers {
            snap.in_front.extend(s.in_front().map(TmuxLocation::from));
            panes.extend(s.panes);
            snap.clients.extend(s.clients);
        }

        // Group opencode processes by the database they use; always include the default one so
        // a missing database is reported even when no opencode runs.
        let mut groups: Vec<(PathBuf, Vec<&OpencodeProcess>)> = vec![(default_db.clone(), vec![])];
        for p in procs.iter().filter(|p| p.kind != Kind::Helper) {
            let path = self.db_path_of(&p.info);
            match groups.iter_mut().find(|(g, _)| *g == path) {
                Some((_, v)) => v.push(p),
                None => groups.push((path, vec![p])),
            }
        }
        snap.db_path = Some(default_db.display().to_string());

        let mut matched_pids = HashSet::new();
        let mut plugin_pids = HashSet::new();
        for (path, group) in &groups {
            let found = self.collect_db(
                path,
                group,
                &cpu,
                &panes,
                now,
                &mut plugin_pids,
                &mut snap.plugin_dirs,
            );
            match found {
                Ok(rows) => {
                    for r in rows {
                        if let Some(pid) = r.pid() {
                            matched_pids.insert(pid);
                        }
                        snap.rows.push(r);
                    }
                }
                Err(e) => {
                    // The default database missing is no problem when no process uses it and
                    // the running ones hold databases of their own.
                    let unused = group.is_empty() && groups.len() > 1;
                    if *path == default_db {
                        if !(unused && matches!(e, DbError::Missing(_))) {
                            snap.db_error = Some(e);
                        }
                    } else {
                        snap.warnings.push(e.to_string());
                    }
                }
            }
        }

        // Processes no database could explain, and helpers.
        for p in &procs {
            if matched_pids.contains(&p.info.pid) {
                continue;
            }
            snap.rows.push(bare_row(p, &cpu, &panes));
        }
        for p in snap.rows.iter_mut().filter_map(|r| r.process.as_mut()) {
            p.plugin = plugin_pids.contains(&p.info.pid);
        }
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

    /// Reads the world again (all rows) before answering and, without the plugin, until
    /// opencode took the answer.
    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        let env = self.env.clone();
        reply::give(order, &env, now, &mut || {
            self.collect(&Focus::default(), now_ms()).rows
        })
    }
}

impl Collector {
    /// Correlates and describes the processes that use the database at `path`; adds the
    /// processes with a live companion-plugin file to `plugin_pids`, and the directory of
    /// those files to `plugin_dirs`.
    #[allow(clippy::too_many_arguments)]
    fn collect_db(
        &mut self,
        path: &Path,
        group: &[&OpencodeProcess],
        cpu: &HashMap<u32, f32>,
        panes: &[Pane],
        now: i64,
        plugin_pids: &mut HashSet<u32>,
        plugin_dirs: &mut Vec<PathBuf>,
    ) -> Result<Vec<Row>, DbError> {
        let data_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let infos: Vec<&ProcessInfo> = group.iter().map(|p| &p.info).collect();

        let stream_errors;
        let log_sessions: HashMap<u32, LogRun> = if self.opts.logs {
            let log = self
                .logs
                .entry(data_dir.clone())
                .or_insert_with(|| LogIndex::new(data_dir.join("log")));
            log.refresh(&infos);
            stream_errors = log.stream_errors();
            let mut runs: HashMap<u32, LogRun> = log
                .runs_for(&infos)
                .into_iter()
                .map(|(pid, run)| (pid, run.clone()))
                .collect();
            let started: HashMap<u32, i64> = infos.iter().map(|p| (p.pid, p.started_at)).collect();
            for pid in crate::source::log::ambiguous_file_runs(&runs, &started) {
                runs.remove(&pid);
            }
            runs
        } else {
            stream_errors = crate::source::log::recent_stream_errors(&data_dir.join("log"));
            HashMap::new()
        };
        // The plugin writes where its process's environment says, not beside the database.
        let mut dirs: Vec<PathBuf> = group
            .iter()
            .map(|p| plugin::dir_of(&p.info, &self.env))
            .collect();
        if dirs.is_empty() {
            dirs.push(plugin::dir_of(&ProcessInfo::default(), &self.env));
        }
        dirs.sort();
        dirs.dedup();
        let mut plugin_files = HashMap::new();
        for dir in dirs {
            plugin_files.extend(plugin::read_dir(&dir));
            if !plugin_dirs.contains(&dir) {
                plugin_dirs.push(dir);
            }
        }
        let plugins = plugin::live(
            &plugin_files,
            group.iter().map(|p| (p.info.pid, p.info.started_at)),
        );
        plugin_pids.extend(plugins.keys());

        let depth = self.opts.depth;
        let db = self.db(path)?;
        let correlated: Vec<&OpencodeProcess> = group
            .iter()
            .copied()
            .filter(|p| p.kind.runs_sessions())
            .collect();

        let matches = evidence::matches(db, &correlated, &log_sessions, &plugins)?;

        // Subagents run inside their top-level ancestor's process: read them with it, a few
        // levels deep (subagents may start subagents).
        // Sorted: the reads below key what they keep on the ids in order (`unchanged.rs`), and a
        // map's order differs from one refresh to the next.
        let mut top_ids: Vec<String> = matches.values().map(|m| m.session_id.clone()).collect();
        top_ids.sort_unstable();
        let mut parents: HashMap<String, String> = HashMap::new();
        let mut frontier = top_ids.clone();
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
        let owners = correlate::attach_children(&matches, &parents);
        let mut ids = top_ids;
        let mut kids: Vec<String> = parents.keys().cloned().collect();
        kids.sort_unstable();
        ids.extend(kids);
        let facts = db.session_facts_to(&ids, depth)?;
        let found = Found {
            matches: &matches,
            facts: &facts,
            owners: &owners,
            stream_errors: &stream_errors,
            plugins: &plugins,
            now,
        };
        // The stall rule reads opencode's CPU. A one-shot command (`otop status`, `otop jump`)
        // has no second sample to compare with: the processes whose state hangs on it get one
        // now, so every command tells the same state (the others pay nothing).
        let unsampled: Vec<&ProcessInfo> = group
            .iter()
            .filter(|p| !cpu.contains_key(&p.info.pid) && found.depends_on_cpu(p))
            .map(|p| &p.info)
            .collect();
        let mut cpu = cpu.clone();
        if !unsampled.is_empty() {
            cpu.extend(self.cpu.measure(&unsampled, CPU_WINDOW));
        }
        Ok(group
            .iter()
            .flat_map(|p| found.rows(p, &cpu, panes))
            .collect())
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

/// The shortest interval a CPU% is measured over (as `otop sessions` waits between samples).
pub const CPU_WINDOW: std::time::Duration = std::time::Duration::from_millis(250);
/// How many levels of subagents below a top-level session are read.
const SUBAGENT_LEVELS: usize = 4;
/// Messages shown in the detail view's history.
const HISTORY_LIMIT: usize = 200;
