//! macOS: process facts via libproc (`proc_pidinfo`) and `sysctl(KERN_PROCARGS2)` for argv and
//! environment. Not compiled in Linux CI; kept small and defensive.

use std::ffi::{c_char, c_int, c_void};

use libproc::libproc::proc_pid::{PIDInfo, PidInfoFlavor, pidinfo, pidpath};
use libproc::libproc::task_info::TaskAllInfo;
use libproc::processes::{ProcFilter, pids_by_type};

use super::types::ProcessInfo;
use super::{parse_procargs2, proc_env};

/// Every process we may read, with cheap facts; another user's processes fail and are skipped.
/// With `only`, just the processes whose short name it accepts.
pub fn read_all(only: Option<fn(&str) -> bool>) -> Vec<ProcessInfo> {
    let Ok(pids) = pids_by_type(ProcFilter::All) else {
        return Vec::new();
    };
    let tb = timebase();
    pids.into_iter()
        .filter(|&pid| pid > 0)
        .filter_map(|pid| read_basic(pid, tb))
        .filter(|p| only.is_none_or(|keep| keep(&p.name)))
        .collect()
}

/// argv comes with [`read_all`] on macOS.
pub fn read_argv(_info: &mut ProcessInfo) {}

/// Adds exe, cwd and environment. Open files are not read on macOS.
pub fn read_details(info: &mut ProcessInfo, _files: Option<super::OpenFiles>) {
    let pid = info.pid as i32;
    info.exe = pidpath(pid).ok();
    info.cwd = pidinfo::<VnodePathInfo>(pid, 0)
        .ok()
        .and_then(|v| cstr(&v.cdir_path));
    if let Some(buf) = procargs2(pid) {
        let (_, env) = parse_procargs2(&buf);
        info.env = proc_env(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
}

/// Not read on macOS yet (libproc's `PROC_PIDFDVNODEPATHINFO` has the offset): shared-log
/// runs are paired by their start there.
pub fn write_offsets(_pid: u32, _path: &str) -> Vec<super::types::WriteOffset> {
    Vec::new()
}

/// The user a process runs as (`pbi_uid`, its real uid); None when it cannot be read (another
/// user's process, unless otop runs as root) or is gone.
///
/// Other users' processes on macOS, in one place: `proc_pidinfo(PROC_PIDTASKALLINFO)` answers
/// only for the caller's own processes (and root's calls), so [`read_all`] never lists another
/// user's process unless otop runs as root; as root it does, with `pbi_uid` its real uid, which
/// `process::Scanner::scan` compares with `getuid()` (`source::file::uid`) like the effective
/// uid of `/proc/<pid>` on Linux. A process whose owner cannot be read is not counted as ours.
pub fn owner(pid: u32) -> Option<u32> {
    let all = pidinfo::<TaskAllInfo>(pid as i32, 0).ok()?;
    Some(all.pbsd.pbi_uid)
}

pub fn parent_of(pid: u32) -> Option<u32> {
    let all = pidinfo::<TaskAllInfo>(pid as i32, 0).ok()?;
    Some(all.pbsd.pbi_ppid)
}

/// One process's cheap facts, as [`read_all`] gives them; None once it is gone.
pub fn one(pid: u32) -> Option<ProcessInfo> {
    read_basic(pid, timebase())
}

/// A process's start time and CPU time, in the units [`read_all`] gives them.
pub fn cpu_time(pid: u32) -> Option<(i64, u64)> {
    let p = read_basic(pid, timebase())?;
    Some((p.started_at, p.cpu_time_ms))
}

fn read_basic(pid: u32, tb: (u32, u32)) -> Option<ProcessInfo> {
    let all = pidinfo::<TaskAllInfo>(pid as i32, 0).ok()?;
    let bsd = &all.pbsd;
    let name = cstr(&bsd.pbi_name)
        .filter(|n| !n.is_empty())
        .or_else(|| cstr(&bsd.pbi_comm))
        .unwrap_or_default();
    let argv = procargs2(pid as i32)
        .map(|b| parse_procargs2(&b).0)
        .unwrap_or_default();
    // Task times are Mach absolute time units; the timebase turns them into nanoseconds.
    let mach = all.ptinfo.pti_total_user + all.ptinfo.pti_total_system;
    let cpu_ns = u128::from(mach) * u128::from(tb.0) / u128::from(tb.1.max(1));
    Some(ProcessInfo {
        pid,
        ppid: bsd.pbi_ppid,
        name,
        argv,
        tty: tty_path(bsd.e_tdev),
        started_at: bsd.pbi_start_tvsec as i64 * 1000 + bsd.pbi_start_tvusec as i64 / 1000,
        cpu_time_ms: u64::try_from(cpu_ns / 1_000_000).unwrap_or(u64::MAX),
        rss_bytes: all.ptinfo.pti_resident_size,
        ..ProcessInfo::default()
    })
}

/// Pseudo-terminal slaves are major 16, named `/dev/ttysNNN`; NODEV (all ones) means none.
fn tty_path(dev: u32) -> Option<String> {
    if dev == u32::MAX || dev == 0 {
        return None;
    }
    let (major, minor) = ((dev >> 24) & 0xff, dev & 0xff_ffff);
    (major == 16).then(|| format!("/dev/ttys{minor:03}"))
}

fn cstr(chars: &[c_char]) -> Option<String> {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    Some(String::from_utf8_lossy(&bytes).into_owned()).filter(|s| !s.is_empty())
}

fn timebase() -> (u32, u32) {
    let mut info = libc::mach_timebase_info { numer: 1, denom: 1 };
    // SAFETY: writes into a valid, owned struct.
    #[allow(deprecated)]
    let rc = unsafe { libc::mach_timebase_info(&mut info) };
    if rc == 0 {
        (info.numer, info.denom)
    } else {
        (1, 1)
    }
}

/// Raw `KERN_PROCARGS2` bytes (argc, exec path, argv, environ); only our own user's processes.
fn procargs2(pid: c_int) -> Option<Vec<u8>> {
    let mut mib = [libc::CTL_KERN, libc::KERN_PROCARGS2, pid];
    let mut size: libc::size_t = 256 * 1024;
    let mut buf = vec![0u8; size];
    // SAFETY: buf is `size` bytes long; the kernel writes at most that and updates `size`.
    let rc = unsafe {
        libc::sysctl(
            mib.as_mut_ptr(),
            3,
            buf.as_mut_ptr().cast::<c_void>(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return None;
    }
    buf.truncate(size);
    Some(buf)
}

/// `struct proc_vnodepathinfo`: cwd then root, each a `vnode_info` (152 bytes) and a path.
/// libproc 0.15 has the flavor but no type for it.
#[repr(C)]
struct VnodePathInfo {
    _cdir_info: [u8; 152],
    cdir_path: [c_char; 1024],
    _rdir_info: [u8; 152],
    _rdir_path: [c_char; 1024],
}

impl PIDInfo for VnodePathInfo {
    fn flavor() -> PidInfoFlavor {
        PidInfoFlavor::VNodePathInfo
    }
}
