//! Linux: process facts from `/proc` via procfs. Unreadable or vanished processes are skipped.

use procfs::process::{FDTarget, Process};

use super::process::{is_interesting_file, proc_env};
use super::process_types::ProcessInfo;

/// Every readable process with its cheap facts (stat, statm, cmdline); no environ/fds/cwd.
pub fn read_all() -> Vec<ProcessInfo> {
    let Ok(iter) = procfs::process::all_processes() else {
        return Vec::new();
    };
    let clock = Clock::now();
    iter.filter_map(Result::ok)
        .filter_map(|p| read_basic(&p, &clock))
        .collect()
}

/// Adds exe, cwd, environ and the interesting open files; each may fail on its own
/// (another user's process) and is then left empty.
pub fn read_details(info: &mut ProcessInfo) {
    let Ok(p) = Process::new(info.pid as i32) else {
        return;
    };
    info.exe = p.exe().ok().map(|e| e.to_string_lossy().into_owned());
    info.cwd = p.cwd().ok().map(|c| c.to_string_lossy().into_owned());
    if let Ok(env) = p.environ() {
        let pairs: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        info.env = proc_env(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    if let Ok(fds) = p.fd() {
        let mut files: Vec<String> = fds
            .filter_map(Result::ok)
            .filter_map(|fd| match fd.target {
                FDTarget::Path(path) => Some(path.to_string_lossy().into_owned()),
                _ => None,
            })
            .filter(|path| is_interesting_file(path))
            .collect();
        files.sort();
        files.dedup();
        info.open_files = files;
    }
}

/// The parent pid, if the process still exists.
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat = Process::new(pid as i32).ok()?.stat().ok()?;
    u32::try_from(stat.ppid).ok()
}

/// Converts kernel clock ticks to wall-clock and CPU milliseconds.
struct Clock {
    boot_ms: i64,
    ticks: u64,
}

impl Clock {
    fn now() -> Self {
        let boot = procfs::boot_time_secs().unwrap_or(0);
        Clock {
            boot_ms: i64::try_from(boot).unwrap_or(0) * 1000,
            ticks: procfs::ticks_per_second().max(1),
        }
    }

    fn ms(&self, ticks: u64) -> u64 {
        ticks.saturating_mul(1000) / self.ticks
    }
}

fn read_basic(p: &Process, clock: &Clock) -> Option<ProcessInfo> {
    let stat = p.stat().ok()?;
    let argv = p.cmdline().unwrap_or_default();
    let rss_pages = p.statm().map(|m| m.resident).unwrap_or(stat.rss);
    Some(ProcessInfo {
        pid: u32::try_from(stat.pid).ok()?,
        ppid: u32::try_from(stat.ppid).unwrap_or(0),
        name: stat.comm.clone(),
        argv,
        tty: tty_path(stat.tty_nr),
        started_at: clock.boot_ms + i64::try_from(clock.ms(stat.starttime)).unwrap_or(0),
        cpu_time_ms: clock.ms(stat.utime + stat.stime),
        rss_bytes: rss_pages.saturating_mul(procfs::page_size()),
        ..ProcessInfo::default()
    })
}

/// `/dev/pts/N` or `/dev/ttyN` for a `tty_nr` from `/proc/<pid>/stat`; None without a terminal.
pub fn tty_path(tty_nr: i32) -> Option<String> {
    if tty_nr == 0 {
        return None;
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        // Unix98 ptys: 8 majors of 256 minors each.
        136..=143 => Some(format!("/dev/pts/{}", (major - 136) * 256 + minor)),
        4 if minor < 64 => Some(format!("/dev/tty{minor}")),
        4 => Some(format!("/dev/ttyS{}", minor - 64)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tty_numbers_map_to_device_paths() {
        assert_eq!(tty_path(0), None);
        assert_eq!(tty_path(34816), Some("/dev/pts/0".into())); // 136:0
        assert_eq!(tty_path(34819), Some("/dev/pts/3".into()));
        assert_eq!(tty_path((137 << 8) | 5), Some("/dev/pts/261".into()));
        // Minor numbers above 255 live in the high bits.
        assert_eq!(
            tty_path((1 << 20) | (136 << 8) | 4),
            Some("/dev/pts/260".into())
        );
        assert_eq!(tty_path(1025), Some("/dev/tty1".into())); // 4:1
        assert_eq!(tty_path((4 << 8) | 64), Some("/dev/ttyS0".into()));
        assert_eq!(tty_path(5 << 8), None);
    }
}
