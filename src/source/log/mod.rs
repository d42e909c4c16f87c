//! opencode's log: which sessions each process (run) named, read incrementally.
//!
//! The shared `opencode.log` (1.17+) is read from the start on the first refresh, streamed
//! line by line so memory stays at one line plus the run summaries; only when it is larger than
//! [`FIRST_READ_MAX`] does the first read start that many bytes before its end (older runs are
//! then unknown, and their processes go unpaired rather than mispaired). Per-process files
//! (up to 1.15) are read only while a process holds them open. In 1.2–1.15 a TUI holds two
//! files (its UI thread's and its server worker's); the one naming sessions wins.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub mod parse;
pub mod types;

use self::parse::{parse_file_line, parse_shared_line};
use self::types::{LogRun, RunKey, StreamErrors};
use super::process::types::ProcessInfo;

/// How much of a huge shared log the first refresh reads (its tail).
pub const FIRST_READ_MAX: u64 = 256 << 20;
/// A run's `creating instance` line comes this long after its process started, at most.
pub const START_TOLERANCE_MS: i64 = 15_000;
/// Slack for a run that seems to start before its process (start times are rounded).
const EARLY_SLACK_MS: i64 = 1_000;
/// Runs of gone processes are kept this long after their last line.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// A line longer than this is dropped rather than buffered whole.
const MAX_LINE: usize = 1 << 20;
const SHARED: &str = "opencode.log";

/// Read position in one file.
#[derive(Default)]
struct Cursor {
    ino: u64,
    offset: u64,
    /// The trailing line not yet ended by a newline.
    partial: Vec<u8>,
    /// Dropping an over-long line until its newline.
    skipping: bool,
}

impl Cursor {
    /// Reads what was appended since the last call, handing each complete line to `each`.
    /// A file that shrank or was replaced (new inode) is read again from 0.
    fn read(&mut self, path: &Path, first_max: u64, mut each: impl FnMut(&str)) {
        let Ok(mut file) = super::file::open_regular(path) else {
            return;
        };
        let Ok(meta) = file.metadata() else { return };
        let ino = inode(&meta);
        if ino != self.ino || meta.len() < self.offset {
            *self = Cursor {
                ino,
                ..Cursor::default()
            };
            if meta.len() > first_max {
                self.offset = meta.len() - first_max;
                self.skipping = true; // starts mid-line
            }
        }
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return;
        }
        // 64 KiB reads: a first read of a long log's tail in a few calls, not one per 8 KiB.
        let mut reader = BufReader::with_capacity(64 << 10, file);
        loop {
            let before = self.partial.len();
            let Ok(n) = reader.read_until(b'\n', &mut self.partial) else {
                self.partial.truncate(before);
                return;
            };
            if n == 0 {
                return;
            }
            self.offset += n as u64;
            if self.partial.last() != Some(&b'\n') {
                if self.partial.len() > MAX_LINE {
                    self.partial.clear();
                    self.skipping = true;
                }
                continue;
            }
            if !self.skipping {
                each(String::from_utf8_lossy(&self.partial).trim_end());
            }
            self.skipping = false;
            self.partial.clear();
        }
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

struct FileLog {
    cursor: Cursor,
    run: LogRun,
}

/// Remembers what it has read of each log file, so a refresh reads only what was appended.
pub struct LogIndex {
    dir: PathBuf,
    shared: Cursor,
    runs: HashMap<String, LogRun>,
    files: HashMap<String, FileLog>,
    /// Shared-log runs known to be a process's own, from where it wrote (see [`own_run`]):
    /// pid → (its start, run id). A process keeps its run for life.
    written: HashMap<u32, (i64, String)>,
}

/// An open file path as the process scan reports it, minus a ` (deleted)` mark.
fn open_path(s: &str) -> (&str, bool) {
    match s.strip_suffix(" (deleted)") {
        Some(p) => (p, true),
        None => (s, false),
    }
}

/// Whether `path` is an opencode per-process log (`…/log/<time>.log`).
fn is_process_log(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".log") && name != SHARED && name.starts_with(|c: char| c.is_ascii_digit())
}

/// Where to read a file `pid` holds open: its path, or for a deleted one the `/proc` fd link.
fn readable_path(pid: u32, listed: &str) -> Option<PathBuf> {
    let (path, deleted) = open_path(listed);
    if !deleted && Path::new(path).exists() {
        return Some(PathBuf::from(path));
    }
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let gone = format!("{path} (deleted)");
    fds.flatten()
        .map(|e| e.path())
        .find(|fd| std::fs::read_link(fd).is_ok_and(|t| t.as_os_str() == gone.as_str()))
}

impl LogIndex {
    /// `dir` is opencode's `log/` directory.
    pub fn new(dir: PathBuf) -> Self {
        LogIndex {
            dir,
            shared: Cursor::default(),
            runs: HashMap::new(),
            files: HashMap::new(),
            written: HashMap::new(),
        }
    }

    /// Reads what was appended since the last call (shared `opencode.log`, and the per-process
    /// files named in `procs`' open files).
    pub fn refresh(&mut self, procs: &[&ProcessInfo]) {
        self.refresh_at(procs, chrono::Utc::now().timestamp_millis());
    }

    /// [`Self::refresh`] with the current time given, so that forgetting can be tested.
    pub fn refresh_at(&mut self, procs: &[&ProcessInfo], now_ms: i64) {
        let runs = &mut self.runs;
        self.shared
            .read(&self.dir.join(SHARED), FIRST_READ_MAX, |text| {
                if let Some(line) = parse_shared_line(text)
                    && let Some(id) = line.run.clone()
                {
                    runs.entry(id.clone())
                        .or_insert_with(|| LogRun::new(RunKey::Run(id)))
                        .apply(&line);
                }
            });
        self.learn_written(procs);
        let mut held = HashSet::new();
        for p in procs {
            for listed in p.open_files.iter().filter(|f| is_process_log(f)) {
                let key = open_path(listed).0.to_string();
                let Some(path) = readable_path(p.pid, listed) else {
                    continue;
                };
                let log = self.files.entry(key.clone()).or_insert_with(|| FileLog {
                    cursor: Cursor::default(),
                    run: LogRun::new(RunKey::File(key.clone())),
                });
                let run = &mut log.run;
                // Per-process files are small; read them whole.
                log.cursor.read(&path, u64::MAX, |text| {
                    if let Some(line) = parse_file_line(text) {
                        run.apply(&line);
                    }
                });
                held.insert(key);
            }
        }
        self.forget(procs, &held, now_ms);
    }

    /// Ties each process holding the shared log to the run of the line its latest write ended
    /// (once per process: its run does not change).
    fn learn_written(&mut self, procs: &[&ProcessInfo]) {
        let shared = self.dir.join(SHARED);
        let listed = shared.to_string_lossy();
        self.written.retain(|pid, (started, _)| {
            procs
                .iter()
                .any(|p| p.pid == *pid && p.started_at == *started)
        });
        for p in procs {
            if self.written.contains_key(&p.pid) || !p.open_files.iter().any(|f| *f == listed) {
                continue;
            }
            let ends = super::process::write_offsets(p.pid, &listed);
            if let Some(run) = own_run(&shared, self.shared.ino, &ends) {
                self.written.insert(p.pid, (p.started_at, run));
            }
        }
    }

    /// Drops runs whose process is gone and that wrote nothing for a day.
    fn forget(&mut self, procs: &[&ProcessInfo], held: &HashSet<String>, now_ms: i64) {
        let fresh = |run: &LogRun| run.last_seen.is_some_and(|t| now_ms - t < KEEP_MS);
        self.files.retain(|k, f| held.contains(k) || fresh(&f.run));
        let paired: HashSet<String> = self.pair_shared(procs).into_values().collect();
        self.runs.retain(|id, r| paired.contains(id) || fresh(r));
    }

    /// Shared-log run ids paired with pids: each process's own run where its writes tell it,
    /// then by start (see [`pair`]) among the rest.
    fn pair_shared(&self, procs: &[&ProcessInfo]) -> HashMap<u32, String> {
        let mut out: HashMap<u32, String> = procs
            .iter()
            .filter_map(|p| {
                let (_, run) = self.written.get(&p.pid)?;
                Some((p.pid, run.clone()))
            })
            .collect();
        let taken: HashSet<&str> = out.values().map(String::as_str).collect();
        let runs: Vec<RunStart> = self
            .runs
            .iter()
            .filter(|(id, _)| !taken.contains(id.as_str()))
            .filter_map(|(id, r)| {
                Some(RunStart {
                    id: id.as_str(),
                    started_at: r.started_at?,
                    directory: r.directory.as_deref()?,
                })
            })
            .collect();
        let procs: Vec<&ProcessInfo> = procs
            .iter()
            .copied()
            .filter(|p| !out.contains_key(&p.pid))
            .filter(|p| !p.open_files.iter().any(|f| is_process_log(f)))
            .collect();
        let by_start: Vec<(u32, String)> = pair(&runs, &procs)
            .into_iter()
            .map(|(pid, id)| (pid, id.to_string()))
            .collect();
        out.extend(by_start);
        out
    }

    /// Every session's `stream error` lines, whichever run wrote them: a line names its
    /// session exactly, so it is evidence about that session whether or not its run could be
    /// tied to a process (a run paired with no process, a per-process file two processes
    /// wrote, a subagent's session).
    pub fn stream_errors(&self) -> HashMap<String, StreamErrors> {
        let mut out: HashMap<String, StreamErrors> = HashMap::new();
        let runs = self
            .runs
            .values()
            .chain(self.files.values().map(|f| &f.run));
        for (id, errors) in runs.flat_map(|r| &r.stream_errors) {
            match out.get_mut(id) {
                Some(e) => e.merge(errors),
                None => {
                    out.insert(id.clone(), errors.clone());
                }
            }
        }
        out
    }

    /// Pairs each process with its log run (one run per process at most).
    pub fn runs_for(&self, procs: &[&ProcessInfo]) -> HashMap<u32, &LogRun> {
        let mut out = HashMap::new();
        for p in procs {
            let best = p
                .open_files
                .iter()
                .filter(|f| is_process_log(f))
                .filter_map(|f| self.files.get(open_path(f).0))
                .map(|f| &f.run)
                .max_by_key(|r| {
                    let named = r.sessions.values().max().copied();
                    (named.is_some(), named, r.directory.is_some())
                });
            if let Some(run) = best {
                out.insert(p.pid, run);
            }
        }
        for (pid, id) in self.pair_shared(procs) {
            if let Some(run) = self.runs.get(&id) {
                out.insert(pid, run);
            }
        }
        out
    }
}

/// How much of the shared log's end the one-shot status line reads for [`recent_stream_errors`].
pub const RECENT_MAX: u64 = 512 << 10;

/// Bytes of the shared log [`recent_stream_errors`] reads at a time: the window is searched
/// chunk by chunk, so what it costs in memory is one chunk (the whole 512 KiB window in one
/// buffer was 128 fresh pages, the largest part of a one-shot status's page faults on a busy
/// log, and 64 `read`s).
const TAIL_CHUNK: usize = 64 << 10;

/// The `stream error` lines among the last [`RECENT_MAX`] bytes of the shared log in `dir`
/// (1.17+), by session: what a reader that keeps no log index (the one-shot status line) needs
/// to tell a failing provider from a slow one. A busy log may hold a retry's first attempts
/// further back: its latest line is what tells `retrying`.
pub fn recent_stream_errors(dir: &Path) -> HashMap<String, StreamErrors> {
    let mut out: HashMap<String, StreamErrors> = HashMap::new();
    let Some((tail, whole)) = open_tail(&dir.join(SHARED), RECENT_MAX) else {
        return out;
    };
    stream_error_lines(tail, !whole, TAIL_CHUNK, |line| {
        let line = String::from_utf8_lossy(line);
        if let Some(line) = parse_shared_line(line.trim_end())
            && let parse::LogEvent::StreamError { session, message } = line.event
        {
            out.entry(session)
                .or_default()
                .add(line.time, message.as_deref());
        }
    });
    out
}

/// Calls `each` with every whole line of `r` that says `stream error` (without its newline),
/// reading `chunk` bytes at a time. One search over the text, not a line split: few lines say
/// it, and looking at each of the others cost a one-shot status 5 M instructions on a 1 MiB
/// log. `cut_first`: the first line is skipped, as the window may begin in its middle; the
/// last counts only with its newline, as it may still be being written.
fn stream_error_lines(r: impl Read, cut_first: bool, chunk: usize, mut each: impl FnMut(&[u8])) {
    let finder = memchr::memmem::Finder::new(b"stream error");
    let mut r = r;
    let mut buf: Vec<u8> = Vec::with_capacity(chunk);
    let mut skip = cut_first;
    loop {
        let held = buf.len();
        match Read::take(&mut r, chunk as u64).read_to_end(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        // The lines held whole end at the last newline; the rest waits for the next chunk.
        let Some(last) = memchr::memrchr(b'\n', &buf[held..]).map(|i| held + i) else {
            continue;
        };
        let mut lines = &buf[..=last];
        if skip {
            let first = memchr::memchr(b'\n', lines).map_or(lines.len(), |i| i + 1);
            lines = &lines[first..];
            skip = false;
        }
        let mut done = 0;
        for at in finder.find_iter(lines) {
            if at < done {
                continue;
            }
            let start = memchr::memrchr(b'\n', &lines[..at]).map_or(0, |nl| nl + 1);
            let end = memchr::memchr(b'\n', &lines[at..]).map_or(lines.len(), |n| at + n);
            done = end + 1;
            each(&lines[start..end]);
        }
        buf.drain(..=last);
    }
}

/// The regular file at `path`, positioned `max` bytes before its end (at its start when it is
/// shorter), limited to those bytes; and whether they are the whole file.
fn open_tail(path: &Path, max: u64) -> Option<(std::io::Take<std::fs::File>, bool)> {
    let mut file = super::file::open_regular(path).ok()?;
    let len = file.metadata().ok()?.len();
    let from = len.saturating_sub(max);
    file.seek(SeekFrom::Start(from)).ok()?;
    Some((Read::take(file, max), from == 0))
}

/// Longest line [`own_run`] reads back to find the run that wrote it.
const OWN_LINE_MAX: u64 = 64 << 10;

/// The run of the line that ends where a process's latest write to the shared log ended: its
/// descriptors' offsets `ends` (on the file whose inode is `ino`), the furthest one. Every
/// line carries `run=`, so this is the process's own run, however late its first line came.
fn own_run(
    path: &Path,
    ino: u64,
    ends: &[crate::source::process::types::WriteOffset],
) -> Option<String> {
    let end = ends
        .iter()
        .filter(|e| e.inode == ino && e.offset > 0)
        .map(|e| e.offset)
        .max()?;
    let mut file = super::file::open_regular(path).ok()?;
    if file.metadata().map(|m| inode(&m)).ok()? != ino {
        return None;
    }
    let from = end.saturating_sub(OWN_LINE_MAX);
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = Vec::new();
    std::io::Read::take(&mut file, end - from)
        .read_to_end(&mut buf)
        .ok()?;
    let body = buf.strip_suffix(b"\n")?;
    let line = match body.iter().rposition(|b| *b == b'\n') {
        Some(nl) => &body[nl + 1..],
        // The window holds no line start: a line longer than the window, or the file's first.
        None if from > 0 => return None,
        None => body,
    };
    parse_shared_line(&String::from_utf8_lossy(line)).and_then(|l| l.run)
}

/// The start of a shared-log run, as pairing needs it.
#[derive(Debug, Clone, Copy)]
pub struct RunStart<'a> {
    pub id: &'a str,
    pub started_at: i64,
    pub directory: &'a str,
}

fn norm(dir: &str) -> &str {
    match dir.trim_end_matches('/') {
        "" => "/",
        d => d,
    }
}

/// Pairs runs with processes one-to-one by their start, where the writes cannot tell (macOS,
/// see [`own_run`]): a run opens the process's cwd within [`START_TOLERANCE_MS`] after the
/// process started. Within one directory, processes and runs are matched in start order, as
/// many as possible, then with the smallest total gap; a pair is kept only when neither side
/// could have been the other's: two processes started a few seconds apart in one directory
/// (twins) log `creating instance` in either order on a loaded machine (seen: ~3 s after the
/// start, and 2 s apart), so start order alone would be a guess dressed as certain.
pub fn pair<'a>(runs: &[RunStart<'a>], procs: &[&ProcessInfo]) -> HashMap<u32, &'a str> {
    let mut out = HashMap::new();
    let dirs: HashSet<&str> = runs.iter().map(|r| norm(r.directory)).collect();
    for dir in dirs {
        let mut ps: Vec<(i64, u32)> = procs
            .iter()
            .filter(|p| p.cwd.as_deref().is_some_and(|c| norm(c) == dir))
            .map(|p| (p.started_at, p.pid))
            .collect();
        let mut rs: Vec<(i64, &str)> = runs
            .iter()
            .filter(|r| norm(r.directory) == dir)
            .map(|r| (r.started_at, r.id))
            .collect();
        ps.sort();
        rs.sort();
        let alone = |(pid, run): &(u32, &str)| {
            let p = ps.iter().find(|(_, id)| id == pid).map(|(t, _)| *t);
            let r = rs.iter().find(|(_, id)| id == run).map(|(t, _)| *t);
            let (Some(p), Some(r)) = (p, r) else {
                return false;
            };
            ps.iter().filter(|(t, _)| fits(*t, r)).count() == 1
                && rs.iter().filter(|(t, _)| fits(p, *t)).count() == 1
        };
        out.extend(align(&ps, &rs).into_iter().filter(alone));
    }
    out
}

/// Whether a run starting at `run` could be the run of a process started at `proc`.
fn fits(proc: i64, run: i64) -> bool {
    (-EARLY_SLACK_MS..=START_TOLERANCE_MS).contains(&(run - proc))
}

/// Order-preserving matching of (start, pid) with (start, run id), both sorted by start:
/// most pairs first, then least total gap (a small dynamic programme; both lists are short).
fn align<'a>(ps: &[(i64, u32)], rs: &[(i64, &'a str)]) -> Vec<(u32, &'a str)> {
    let gap = |i: usize, j: usize| fits(ps[i].0, rs[j].0).then_some((rs[j].0 - ps[i].0).abs());
    let (n, m) = (ps.len(), rs.len());
    // best[i][j]: (pairs, -total gap) achievable with ps[i..] and rs[j..].
    let mut best = vec![vec![(0usize, 0i64); m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let mut b = best[i + 1][j].max(best[i][j + 1]);
            if let Some(g) = gap(i, j) {
                let (k, c) = best[i + 1][j + 1];
                b = b.max((k + 1, c - g));
            }
            best[i][j] = b;
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let take = gap(i, j).map(|g| {
            let (k, c) = best[i + 1][j + 1];
            (k + 1, c - g)
        });
        if take == Some(best[i][j]) {
            out.push((ps[i].1, rs[j].1));
            i += 1;
            j += 1;
        } else if best[i + 1][j] == best[i][j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;

/// Per-process log files (opencode ≤ 1.15) are named by the second they were opened, so two
/// processes started within a few seconds of each other can end up writing one file (a TUI
/// opens two: its UI's and, ~2 s later, its server's), which then names the other's sessions.
/// The end-to-end suite saw exactly that with two TUIs started together. Their per-file runs are
/// dropped, so correlation falls back to activity for them.
pub const SHARED_NAME_WINDOW_MS: i64 = 5_000;

/// Pids whose per-file log run cannot be trusted (see [`SHARED_NAME_WINDOW_MS`]).
pub fn ambiguous_file_runs(
    runs: &HashMap<u32, LogRun>,
    started_at: &HashMap<u32, i64>,
) -> std::collections::HashSet<u32> {
    let file_pids: Vec<(u32, i64)> = runs
        .iter()
        .filter(|(_, r)| matches!(r.key, types::RunKey::File(_)))
        .filter_map(|(pid, _)| started_at.get(pid).map(|t| (*pid, *t)))
        .collect();
    file_pids
        .iter()
        .filter(|(pid, t)| {
            file_pids
                .iter()
                .any(|(other, u)| other != pid && (t - u).abs() <= SHARED_NAME_WINDOW_MS)
        })
        .map(|(pid, _)| *pid)
        .collect()
}

#[cfg(test)]
mod ambiguity_tests {
    use super::*;
    use crate::source::log::types::RunKey;

    #[test]
    fn per_file_runs_of_processes_started_together_are_not_trusted() {
        let run = |k: RunKey| LogRun::new(k);
        let runs = HashMap::from([
            (1, run(RunKey::File("/l/a.log".into()))),
            (2, run(RunKey::File("/l/b.log".into()))),
            (3, run(RunKey::File("/l/c.log".into()))),
            (4, run(RunKey::Run("0a1b2c3d".into()))),
        ]);
        let started = HashMap::from([(1, 10_000), (2, 12_500), (3, 60_000), (4, 10_100)]);
        let bad = ambiguous_file_runs(&runs, &started);
        assert_eq!(bad, [1, 2].into_iter().collect());
    }
}
