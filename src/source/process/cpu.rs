//! CPU% of processes: the delta of their CPU time between two samples.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::os;
use super::types::ProcessInfo;

/// CPU% as the delta of cumulative CPU time between two scans, per (pid, start time).
#[derive(Default)]
pub struct CpuSampler {
    pub(super) prev: HashMap<(u32, i64), (u64, Instant)>,
}

impl CpuSampler {
    /// CPU% (100 = one core) for each process seen in the previous call too; others are absent.
    /// A lifetime average would be misleading: a freshly started idle TUI shows >20%.
    pub fn sample(&mut self, procs: &[&ProcessInfo], now: Instant) -> HashMap<u32, f32> {
        let out = self.update(procs, now);
        // Only this scan's processes: those that disappeared are dropped.
        let keep: HashSet<(u32, i64)> = procs.iter().map(|p| (p.pid, p.started_at)).collect();
        self.prev.retain(|k, _| keep.contains(k));
        out
    }

    /// CPU% of `procs` measured now, from their last sample; records this one, and leaves
    /// every other process's sample as it was.
    pub fn update(&mut self, procs: &[&ProcessInfo], now: Instant) -> HashMap<u32, f32> {
        let mut out = HashMap::new();
        for p in procs {
            let key = (p.pid, p.started_at);
            if let Some(&(cpu, then)) = self.prev.get(&key) {
                let wall_ms = now.saturating_duration_since(then).as_secs_f64() * 1000.0;
                if wall_ms > 0.0 {
                    let used = p.cpu_time_ms.saturating_sub(cpu) as f64;
                    out.insert(p.pid, (used / wall_ms * 100.0) as f32);
                }
            }
            self.prev.insert(key, (p.cpu_time_ms, now));
        }
        out
    }

    /// When all of `procs` have been sampled at least `window` ago (now, for one never sampled:
    /// there is nothing to wait for).
    pub fn ready_at(&self, procs: &[&ProcessInfo], window: Duration) -> Option<Instant> {
        procs
            .iter()
            .filter_map(|p| self.prev.get(&(p.pid, p.started_at)))
            .map(|&(_, then)| then + window)
            .max()
    }

    /// CPU% of `procs` over at least `window` since their last sample: waits for the rest of
    /// it, reads their CPU time again, and keeps the result as their latest sample. Processes
    /// that exited (or whose pid now names another process) are left out.
    pub fn measure(&mut self, procs: &[&ProcessInfo], window: Duration) -> HashMap<u32, f32> {
        if let Some(at) = self.ready_at(procs, window) {
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
        }
        let now: Vec<ProcessInfo> = procs
            .iter()
            .filter_map(|p| {
                let (started_at, cpu_time_ms) = os::cpu_time(p.pid)?;
                (started_at == p.started_at).then(|| ProcessInfo {
                    pid: p.pid,
                    started_at,
                    cpu_time_ms,
                    ..ProcessInfo::default()
                })
            })
            .collect();
        let refs: Vec<&ProcessInfo> = now.iter().collect();
        self.update(&refs, Instant::now())
    }
}
