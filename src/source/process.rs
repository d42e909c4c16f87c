//! The process table: opencode processes, their helpers, and CPU sampled as a delta.

use std::collections::HashMap;
use std::time::Instant;

use super::process_types::{Kind, OpencodeProcess, ProcessInfo};

/// Every opencode process on the machine (wrapper and native binary merged into one) and the
/// helpers they started, excluding otop itself. A process that exits mid-scan is skipped.
pub fn scan() -> Vec<OpencodeProcess> {
    Vec::new()
}

/// What an opencode process is, from its argv (argv[0] included).
pub fn classify(_argv: &[String]) -> Kind {
    Kind::Tui
}

/// Pids of `pid`'s ancestors, nearest first (for mapping a process to a tmux pane).
pub fn ancestors(_pid: u32) -> Vec<u32> {
    Vec::new()
}

/// CPU% as the delta of cumulative CPU time between two scans, per (pid, start time).
#[derive(Default)]
pub struct CpuSampler {
    prev: HashMap<(u32, i64), (u64, Instant)>,
}

impl CpuSampler {
    /// CPU% (100 = one core) for each process seen in the previous call too; others are absent.
    pub fn sample(&mut self, _procs: &[&ProcessInfo], _now: Instant) -> HashMap<u32, f32> {
        let _ = &self.prev;
        HashMap::new()
    }
}
