//! The real source: processes, tmux, logs, plugin files and databases, correlated into rows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod database;
mod evidence;
mod timelines;
mod totals;

use super::assemble::{bare_row, tmux_servers};
use super::{Detail, Focus, Snapshot, Source, local_midnight_ms};
use crate::model::row::TmuxLocation;
use crate::paths::Env;
use crate::source::db::types::Depth;
use crate::source::db::{Db, DbError};
use crate::source::log::LogIndex;
use crate::source::process::types::{Kind, OpencodeProcess, ProcessInfo};
use crate::source::process::{self, CpuSampler};
use crate::source::tmux;
use crate::source::tmux::types::Pane;
use database::{Group, Plugins, Refresh};
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
    /// Build [`Snapshot::timelines`](super::Snapshot::timelines), today's intervals of the
    /// rows' sessions (the monitor; a status template that says `{waited}`).
    pub timelines: bool,
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
            timelines: false,
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
    /// What running otops saw, for the timelines.
    observed: super::observed::Reader,
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
            observed: super::observed::Reader::new(env.timeline_file()),
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
        if self.opts.timelines {
            self.timelines(&mut snap, now);
        }
        snap.detail = self.detail(focus, &snap);
        snap.skipped_rows = self
            .dbs
            .values_mut()
            .fold(0, |n, db| n.saturating_add(db.take_skipped()));
        snap
    }
}

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
/// Messages shown in the detail view's history.
const HISTORY_LIMIT: usize = 200;
