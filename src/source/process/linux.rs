//! Linux: process facts from `/proc` via procfs. Unreadable or vanished processes are skipped.

use std::io::Read;

use procfs::FromRead;
use procfs::process::{Process, Stat};
use std::sync::atomic::{AtomicI32, Ordering};

use super::types::ProcessInfo;
use super::{OpenFiles, basename, is_interesting_file, proc_env};

/// Every readable process with its cheap facts, all from `/proc/<pid>/stat` (one read each);
/// argv is read later, and only for processes that may matter ([`read_argv`]). With `only`,
/// just the processes whose short name it accepts ([`short_name_passes`]: cheaper than `stat`,
/// which the kernel assembles from many fields).
pub fn read_all(only: Option<fn(&str) -> bool>) -> Vec<ProcessInfo> {
    // The pid list through libproc, as on macOS (on Linux it reads `/proc`'s numeric entries).
    let Ok(pids) = libproc::processes::pids_by_type(libproc::processes::ProcFilter::All) else {
        return Vec::new();
    };
    let clock = Clock::now();
    let read = |pids: &[u32]| -> Vec<ProcessInfo> {
        let mut buf = Vec::with_capacity(1024);
        let mut out = Vec::new();
        for &pid in pids {
            let exe = match only {
                Some(keep) => match short_name_passes(pid, keep, &mut buf) {
                    Some(exe) => exe,
                    None => continue,
                },
                None => None,
            };
            out.extend(read_basic(pid, &clock, &mut buf).map(|p| ProcessInfo { exe, ..p }));
        }
        out
    };
    // Each read is an open, a read and a close in the kernel (about 8 µs): on a machine of
    // hundreds of processes, half of them on a second thread saves the one-shot status a
    // millisecond or more.
    if pids.len() < 64 {
        return read(&pids);
    }
    let (a, b) = pids.split_at(pids.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| read(b));
        let mut out = read(a);
        out.extend(other.join().unwrap_or_default());
        out
    })
}

/// Whether `keep` accepts the process's short name: its executable's file name, from one
/// readlink (an open, a read and a close for `comm`), or `comm` where the executable may not
/// be read (another user's process). Kernel threads and exited processes have neither.
/// Accepted, it gives the executable's path when it was read, so it is not read again.
fn short_name_passes(
    pid: u32,
    keep: fn(&str) -> bool,
    buf: &mut Vec<u8>,
) -> Option<Option<String>> {
    match rustix::fs::readlink(format!("/proc/{pid}/exe"), std::mem::take(buf)) {
        Ok(target) => {
            let path = String::from_utf8_lossy(target.as_bytes()).into_owned();
            *buf = target.into_bytes();
            keep(basename(&path)).then_some(Some(path))
        }
        Err(rustix::io::Errno::ACCESS | rustix::io::Errno::PERM) => read_into(pid, "comm", buf)
            .is_ok_and(|()| keep(String::from_utf8_lossy(buf).trim_end_matches('\n')))
            .then_some(None),
        Err(_) => None,
    }
}

/// `/proc/<pid>/<name>` into `buf`, reusing its allocation.
/// The per-process files read here (`comm`, `stat`, `cmdline`, `environ`) hand over all they
/// hold up to the size asked, so a short read is the end: no second read to see EOF, and no
/// size or position queries as `read_to_end` makes (useless on /proc, where sizes read as 0).
fn read_into(pid: u32, name: &str, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    let mut f = std::fs::File::open(format!("/proc/{pid}/{name}"))?;
    loop {
        let start = buf.len();
        buf.resize(start + start.max(4096), 0);
        let asked = buf.len() - start;
        match f.read(&mut buf[start..]) {
            Ok(n) => {
                buf.truncate(start + n);
                if n < asked {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
}

/// Fills argv from `/proc/<pid>/cmdline` (NUL-separated; empty for kernel threads and zombies).
pub fn read_argv(info: &mut ProcessInfo) {
    let mut buf = Vec::new();
    if read_into(info.pid, "cmdline", &mut buf).is_err() {
        return;
    }
    if buf.last() == Some(&0) {
        buf.pop();
    }
    if !buf.is_empty() {
        info.argv = buf
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
    }
}

/// Adds exe, cwd, environ and the interesting open files `files` asks for; each may fail on
/// its own (another user's process) and is then left empty.
pub fn read_details(info: &mut ProcessInfo, files: Option<OpenFiles>) {
    let pid = info.pid;
    let link = |name: &str| {
        std::fs::read_link(format!("/proc/{pid}/{name}"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    if info.exe.is_none() {
        info.exe = link("exe");
    }
    info.cwd = link("cwd");
    let mut buf = Vec::new();
    if read_into(pid, "environ", &mut buf).is_ok() {
        info.env = proc_env(buf.split(|&b| b == 0).filter_map(|kv| {
            let eq = kv.iter().position(|&b| b == b'=')?;
            Some((&kv[..eq], &kv[eq + 1..]))
        }));
    }
    if let Some(want) = files {
        info.open_files = open_files(pid, want);
    }
}

/// The descriptor at which the last scanned process held its database: opencode opens it at
/// nearly always the same number in every process of one version (24 in 11 of 12 TUIs of
/// 1.18.33), so for the rest of a fleet one readlink finds it instead of one per descriptor
/// below it. Only a hint: what it names is checked, and a miss lists the descriptors.
static DB_FD_HINT: AtomicI32 = AtomicI32::new(-1);

/// The interesting files among `pid`'s descriptors, in descriptor order; for
/// [`OpenFiles::Database`] only up to the first database.
fn open_files(pid: u32, want: OpenFiles) -> Vec<String> {
    let is_db =
        |path: &str| path.starts_with('/') && path.ends_with(".db") && is_interesting_file(path);
    let hint = DB_FD_HINT.load(Ordering::Relaxed);
    if want == OpenFiles::Database
        && hint >= 0
        && let Ok(target) = std::fs::read_link(format!("/proc/{pid}/fd/{hint}"))
    {
        let path = target.to_string_lossy();
        if is_db(&path) {
            return vec![path.into_owned()];
        }
    }
    // One readlinkat per descriptor, relative to the fd directory: procfs's fd iterator opens
    // and stats each one as well (four system calls), and a full path is walked anew each time.
    use rustix::fs::{Mode, OFlags};
    let Ok(dir) = rustix::fs::openat(
        rustix::fs::CWD,
        format!("/proc/{pid}/fd"),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) else {
        return Vec::new();
    };
    let Ok(entries) = rustix::fs::Dir::read_from(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    let mut buf = Vec::with_capacity(256);
    // Listed in fd order; opencode opens its database early (fd 24 of 45 in 1.18).
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(fd) = name.to_str().ok().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(target) = rustix::fs::readlinkat(&dir, name, std::mem::take(&mut buf)) else {
            continue;
        };
        let path = String::from_utf8_lossy(target.as_bytes()).into_owned();
        buf = target.into_bytes();
        // Sockets, pipes and anonymous inodes read as `socket:[…]` and the like.
        if !path.starts_with('/') || !is_interesting_file(&path) {
            continue;
        }
        let db = is_db(&path);
        found.push(path);
        if db {
            DB_FD_HINT.store(fd, Ordering::Relaxed);
            if want == OpenFiles::Database {
                break;
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// See `process::write_offsets`: `/proc/<pid>/fdinfo/<fd>` has `pos:` and `ino:` lines.
pub fn write_offsets(pid: u32, path: &str) -> Vec<super::types::WriteOffset> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        if std::fs::read_link(e.path()).ok().as_deref() != Some(std::path::Path::new(path)) {
            continue;
        }
        let info = format!("/proc/{pid}/fdinfo/{}", e.file_name().to_string_lossy());
        let Ok(text) = std::fs::read_to_string(info) else {
            continue;
        };
        if let Some(o) = parse_fdinfo(&text) {
            out.push(o);
        }
    }
    out
}

/// `pos:\t1594\nflags:\t0102001\nmnt_id:\t27\nino:\t10027891\n` → offset and inode.
fn parse_fdinfo(text: &str) -> Option<super::types::WriteOffset> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Some(super::types::WriteOffset {
        offset: field("pos:")?,
        inode: field("ino:")?,
    })
}

/// The user a process runs as (`/proc/<pid>` belongs to its effective uid); None once gone.
pub fn owner(pid: u32) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}"))
        .ok()
        .map(|m| m.uid())
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
    page_size: u64,
}

impl Clock {
    fn now() -> Self {
        // Boot time never changes: read /proc/stat once per process, not once per scan.
        static BOOT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let boot = *BOOT.get_or_init(|| procfs::boot_time_secs().unwrap_or(0));
        Clock {
            boot_ms: i64::try_from(boot).unwrap_or(0) * 1000,
            ticks: procfs::ticks_per_second().max(1),
            page_size: procfs::page_size(),
        }
    }

    fn ms(&self, ticks: u64) -> u64 {
        ticks.saturating_mul(1000) / self.ticks
    }
}

fn read_basic(pid: u32, clock: &Clock, buf: &mut Vec<u8>) -> Option<ProcessInfo> {
    read_into(pid, "stat", buf).ok()?;
    let stat = Stat::from_read(&buf[..]).ok()?;
    // An exited process its parent has not reaped yet runs nothing.
    if matches!(stat.state, 'Z' | 'X') {
        return None;
    }
    Some(ProcessInfo {
        pid: u32::try_from(stat.pid).ok()?,
        ppid: u32::try_from(stat.ppid).unwrap_or(0),
        name: stat.comm.clone(),
        tty: tty_path(stat.tty_nr),
        started_at: clock.boot_ms + i64::try_from(clock.ms(stat.starttime)).unwrap_or(0),
        cpu_time_ms: clock.ms(stat.utime + stat.stime),
        // Same figure as statm's `resident`, without a second file per process.
        rss_bytes: stat.rss.saturating_mul(clock.page_size),
        ..ProcessInfo::default()
    })
}

/// One process's cheap facts, as [`read_all`] gives them; None once it is gone.
pub fn one(pid: u32) -> Option<ProcessInfo> {
    read_basic(pid, &Clock::now(), &mut Vec::with_capacity(1024))
}

/// A process's start time and CPU time, in the units [`read_all`] gives them.
pub fn cpu_time(pid: u32) -> Option<(i64, u64)> {
    let p = read_basic(pid, &Clock::now(), &mut Vec::with_capacity(1024))?;
    Some((p.started_at, p.cpu_time_ms))
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
    fn fdinfo_gives_offset_and_inode() {
        let text = "pos:\t1594\nflags:\t0102001\nmnt_id:\t27\nino:\t10027891\n";
        assert_eq!(
            parse_fdinfo(text),
            Some(crate::source::process::types::WriteOffset {
                inode: 10027891,
                offset: 1594
            })
        );
        assert_eq!(parse_fdinfo("pos:\t1\n"), None, "a kernel without ino:");
    }

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
