//! Ending an opencode process: a signal (SIGTERM unless told otherwise), then SIGKILL when it
//! still runs after a grace. Only a process that is opencode, this user's, and the very process
//! the row showed (same pid, same start time), read again right before each signal; on Linux the
//! signal goes through a pidfd opened before that check, so a pid reused in between is never
//! the one signalled. The session stays in opencode's database and can be resumed.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::sanitize::clean;
use crate::source::file;
use crate::source::process;

/// How long SIGKILL may take to show.
const KILLED: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

/// The first signal `otop end` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    Term,
    Int,
    Hup,
    Quit,
    Kill,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
            Signal::Hup => "SIGHUP",
            Signal::Quit => "SIGQUIT",
            Signal::Kill => "SIGKILL",
        }
    }

    fn raw(self) -> rustix::process::Signal {
        use rustix::process::Signal as S;
        match self {
            Signal::Term => S::TERM,
            Signal::Int => S::INT,
            Signal::Hup => S::HUP,
            Signal::Quit => S::QUIT,
            Signal::Kill => S::KILL,
        }
    }
}

/// Why the process `pid`, seen started at `started_at`, may not be signalled now; None when it
/// may: it still is that process, it runs as this user, and it is opencode.
pub fn refusal(pid: u32, started_at: i64) -> Option<String> {
    let Some((info, owner)) = process::reread(pid) else {
        return Some(format!("pid {pid} has already ended"));
    };
    if info.started_at != started_at {
        return Some(format!(
            "pid {pid} is no longer the process that was seen (a new one has its pid)"
        ));
    }
    if owner.is_none() || owner != file::uid() {
        return Some(format!("pid {pid} belongs to another user"));
    }
    if !process::is_opencode(&info.name, info.exe.as_deref(), &info.argv) {
        return Some(format!(
            "pid {pid} ({}) is not an opencode process",
            clean(&info.name)
        ));
    }
    None
}

/// Whether `pid` started at `started_at` is gone (exited, reaped or a zombie).
fn gone(pid: u32, started_at: i64) -> bool {
    process::reread(pid).is_none_or(|(info, _)| info.started_at != started_at)
}

fn wait_gone(pid: u32, started_at: i64, within: Duration) -> bool {
    let start = Instant::now();
    loop {
        if gone(pid, started_at) {
            return true;
        }
        if start.elapsed() >= within {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// Ends `pid` (seen started at `started_at`): `signal`, then SIGKILL after `grace`. Returns a
/// line saying how it ended.
pub fn end(pid: u32, started_at: i64, signal: Signal, grace: Duration) -> Result<String, Error> {
    let target = Target::open(pid)?;
    let send = |sig: Signal| -> Result<(), Error> {
        if let Some(why) = refusal(pid, started_at) {
            return Err(Error::Refused(format!("{why}: no signal sent")));
        }
        target
            .signal(sig)
            .map_err(|e| Error::Refused(format!("cannot send {} to pid {pid}: {e}", sig.name())))
    };
    send(signal)?;
    if wait_gone(pid, started_at, grace) {
        return Ok(format!("ended pid {pid} ({})", signal.name()));
    }
    if signal == Signal::Kill {
        return Err(Error::Refused(format!(
            "pid {pid} still runs {} s after SIGKILL",
            grace.as_secs()
        )));
    }
    send(Signal::Kill)?;
    if wait_gone(pid, started_at, KILLED) {
        return Ok(format!(
            "ended pid {pid} (SIGKILL: it still ran {} s after {})",
            grace.as_secs_f32(),
            signal.name()
        ));
    }
    Err(Error::Refused(format!(
        "pid {pid} still runs {} s after SIGKILL",
        KILLED.as_secs()
    )))
}

/// Where a signal goes: a pidfd on Linux (the process itself, whatever reuses its pid later),
/// the pid elsewhere.
struct Target {
    pid: rustix::process::Pid,
    #[cfg(target_os = "linux")]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Target {
    fn open(pid: u32) -> Result<Target, Error> {
        let raw = i32::try_from(pid).ok();
        let pid_t = raw
            .and_then(rustix::process::Pid::from_raw)
            .ok_or_else(|| Error::Invalid(format!("{pid} is not a process id")))?;
        #[cfg(target_os = "linux")]
        {
            use rustix::process::{PidfdFlags, pidfd_open};
            let fd = match pidfd_open(pid_t, PidfdFlags::empty()) {
                Ok(fd) => Some(fd),
                Err(rustix::io::Errno::SRCH) => {
                    return Err(Error::Refused(format!("pid {pid} has already ended")));
                }
                // Kernels before 5.3: the pid, checked again right before.
                Err(_) => None,
            };
            Ok(Target { pid: pid_t, fd })
        }
        #[cfg(not(target_os = "linux"))]
        Ok(Target { pid: pid_t })
    }

    fn signal(&self, sig: Signal) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return Ok(rustix::process::pidfd_send_signal(fd, sig.raw())?);
        }
        Ok(rustix::process::kill_process(self.pid, sig.raw())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start time of `pid` once it runs as opencode (a fresh stand-in needs a moment to
    /// exec).
    fn started(pid: u32, name: &str) -> i64 {
        crate::testkit::standin::wait_for(|| {
            process::reread(pid).is_some_and(|(i, _)| i.name == name)
        });
        process::reread(pid).expect("running").0.started_at
    }

    /// A process that is not opencode is never signalled, even this user's own.
    #[test]
    fn refuses_what_is_not_opencode() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep");
        let pid = child.id();
        let at = started(pid, "sleep");
        let why = end(pid, at, Signal::Term, Duration::from_millis(100)).expect_err("refused");
        assert!(
            why.to_string().contains("is not an opencode process"),
            "{why}"
        );
        assert!(!gone(pid, at), "it was signalled");
        let why = refusal(pid, at + 10).expect("another start time");
        assert!(why.contains("no longer the process that was seen"), "{why}");
        let _ = child.kill();
        let _ = child.wait();
        assert!(refusal(pid, at).is_some_and(|w| w.contains("already ended")));
    }

    /// An opencode process (a stand-in named so) ends on SIGTERM; one that ignores SIGTERM gets
    /// SIGKILL after the grace.
    #[test]
    fn term_then_kill() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let sleep = crate::testkit::standin::opencode_copy(tmp.path(), "a", "/bin/sleep");
        let s = crate::testkit::standin::Standin::spawn(&format!("{sleep} 30"), tmp.path(), &[]);
        let at = started(s.pid, "opencode");
        let said = end(s.pid, at, Signal::Term, Duration::from_secs(5)).expect("ended");
        assert_eq!(said, format!("ended pid {} (SIGTERM)", s.pid));
        // A shell named opencode that ignores SIGTERM.
        let sh = crate::testkit::standin::opencode_copy(tmp.path(), "b", "/bin/sh");
        let s = crate::testkit::standin::Standin::spawn(
            &format!("{sh} -c 'trap \"\" TERM; sleep 30 & wait; sleep 30'"),
            tmp.path(),
            &[],
        );
        let at = started(s.pid, "opencode");
        // The trap is set once the shell has started its first sleep: SIGTERM before that
        // would end it, as it should, and the test would prove nothing.
        let children = format!("/proc/{0}/task/{0}/children", s.pid);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::read_to_string(&children).is_ok_and(|c| c.trim().is_empty())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let took = Instant::now();
        let said = end(s.pid, at, Signal::Term, Duration::from_millis(300)).expect("ended");
        assert!(said.contains("SIGKILL"), "{said}");
        assert!(took.elapsed() < Duration::from_secs(3));
    }

    /// Another user's process (pid 1, init, runs as root) is refused; so is a pid that is not
    /// running.
    #[test]
    fn refuses_another_users_process() {
        if file::uid() == Some(0) {
            return;
        }
        let at = process::reread(1).map(|(i, _)| i.started_at).unwrap_or(0);
        let why = refusal(1, at).expect("refused");
        assert!(why.contains("another user"), "{why}");
    }
}
