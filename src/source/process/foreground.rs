//! Who reads the keys typed into a terminal: its foreground process group. Before otop types
//! an answer into a pane it checks here that the keys reach the very opencode process of the
//! session and nothing else; a screen that merely shows opencode's dialog proves nothing (a
//! `cat`, a pager or a shell can print the same text).
//!
//! The rule, decided by [`judge`] on facts the OS layer reads: the process is alive and the one
//! that was seen (same start time), its controlling terminal is the pane's, its process group is
//! that terminal's foreground group, and every other member of that group descends from it
//! (opencode's own tool commands). A wrapper or a shell sharing the group (`sh -c 'x & cat'`)
//! could read the keys too, so it is refused as well.

use crate::error::answer::Doubt;

/// What the OS says of one process, as far as its terminal goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub pid: u32,
    pub ppid: u32,
    pub pgrp: u32,
    /// Its controlling terminal's device number; 0 without one.
    pub tty: u64,
    /// The foreground process group of that terminal (`tpgid`); 0 when unknown.
    pub foreground: u32,
    pub name: String,
}

/// Parent chains longer than this are loops (pid reuse) or not worth following.
const MAX_DEPTH: usize = 64;

/// Whether keys typed into the pane whose first process is `pane_pid` reach `pid` (started at
/// `started_at`, in `cpu_time`'s units) and nothing else; if not, why.
pub fn check(pid: u32, started_at: i64, pane_pid: u32) -> Result<(), Doubt> {
    if super::os::cpu_time(pid).map(|t| t.0) != Some(started_at) {
        return Err(Doubt::Replaced(pid));
    }
    let pane = os::facts(pane_pid).ok_or(Doubt::PaneUnreadable(pane_pid))?;
    let own = os::facts(pid).ok_or(Doubt::Unreadable(pid))?;
    let members = os::group(pane.foreground);
    judge(&own, &pane, &members, &|p| os::facts(p).map(|f| f.ppid))
}

/// [`check`]'s rule on facts: `own` the opencode process, `pane` the pane's first process,
/// `members` the terminal's foreground group, `parent` a process's parent.
pub fn judge(
    own: &Facts,
    pane: &Facts,
    members: &[Facts],
    parent: &dyn Fn(u32) -> Option<u32>,
) -> Result<(), Doubt> {
    let who = |f: &Facts| format!("pid {} ({})", f.pid, crate::model::sanitize::clean(&f.name));
    if pane.tty == 0 || own.tty != pane.tty {
        return Err(Doubt::OtherTerminal { who: who(own) });
    }
    if pane.foreground == 0 || own.pgrp != pane.foreground {
        let front = members
            .iter()
            .find(|m| m.pid == pane.foreground)
            .or_else(|| members.first())
            .map_or("another process group".to_string(), who);
        return Err(Doubt::Behind {
            who: who(own),
            front,
        });
    }
    let descends = |mut p: u32| {
        for _ in 0..MAX_DEPTH {
            if p == own.pid {
                return true;
            }
            match parent(p) {
                Some(up) if up != p && up != 0 => p = up,
                _ => return false,
            }
        }
        false
    };
    match members.iter().find(|m| !descends(m.pid)) {
        Some(other) => Err(Doubt::Shared {
            who: who(own),
            other: who(other),
        }),
        None => Ok(()),
    }
}

#[cfg(target_os = "linux")]
mod os {
    use procfs::process::{Process, Stat};

    use super::Facts;

    fn of(stat: &Stat) -> Option<Facts> {
        if matches!(stat.state, 'Z' | 'X') {
            return None;
        }
        Some(Facts {
            pid: u32::try_from(stat.pid).ok()?,
            ppid: u32::try_from(stat.ppid).unwrap_or(0),
            pgrp: u32::try_from(stat.pgrp).ok()?,
            tty: u64::try_from(stat.tty_nr).unwrap_or(0),
            foreground: u32::try_from(stat.tpgid).unwrap_or(0),
            name: stat.comm.clone(),
        })
    }

    pub fn facts(pid: u32) -> Option<Facts> {
        of(&Process::new(i32::try_from(pid).ok()?).ok()?.stat().ok()?)
    }

    /// Every live process of group `pgrp` (`/proc/*/stat` is readable for every user's).
    pub fn group(pgrp: u32) -> Vec<Facts> {
        let Ok(all) = procfs::process::all_processes() else {
            return Vec::new();
        };
        all.flatten()
            .filter_map(|p| of(&p.stat().ok()?))
            .filter(|f| f.pgrp == pgrp)
            .collect()
    }
}

/// macOS: the same facts from `proc_pidinfo` (`proc_bsdinfo`: `pbi_pgid`, `e_tdev`,
/// `e_tpgid`), the group's members from `proc_listpids(PROC_PGRP_ONLY)`.
#[cfg(target_os = "macos")]
mod os {
    use libproc::libproc::proc_pid::{name, pidinfo};
    use libproc::libproc::task_info::TaskAllInfo;
    use libproc::processes::{ProcFilter, pids_by_type};

    use super::Facts;

    pub fn facts(pid: u32) -> Option<Facts> {
        let p = i32::try_from(pid).ok()?;
        let bsd = pidinfo::<TaskAllInfo>(p, 0).ok()?.pbsd;
        Some(Facts {
            pid,
            ppid: u32::try_from(bsd.pbi_ppid).unwrap_or(0),
            pgrp: u32::try_from(bsd.pbi_pgid).ok()?,
            // NODEV (-1) and 0 both mean no terminal.
            tty: u64::try_from(bsd.e_tdev)
                .ok()
                .filter(|d| *d != u64::from(u32::MAX))
                .unwrap_or(0),
            foreground: u32::try_from(bsd.e_tpgid).unwrap_or(0),
            name: name(p).unwrap_or_default(),
        })
    }

    pub fn group(pgrp: u32) -> Vec<Facts> {
        pids_by_type(ProcFilter::ByProgramGroup { pgrpid: pgrp })
            .unwrap_or_default()
            .into_iter()
            .filter(|&p| p > 0)
            .filter_map(facts)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pid: u32, ppid: u32, pgrp: u32, name: &str) -> Facts {
        Facts {
            pid,
            ppid,
            pgrp,
            tty: 34816,
            foreground: 0,
            name: name.into(),
        }
    }

    #[test]
    fn only_opencode_and_what_it_started_may_hold_the_terminal() {
        let mut shell = p(10, 1, 10, "bash");
        shell.foreground = 20;
        let oc = p(20, 10, 20, "opencode");
        let tool = p(30, 20, 20, "rg");
        let all = [shell.clone(), oc.clone(), tool.clone()];
        let parent = |pid: u32| all.iter().find(|f| f.pid == pid).map(|f| f.ppid);
        assert_eq!(
            judge(&oc, &shell, &[oc.clone(), tool.clone()], &parent),
            Ok(())
        );
        // opencode suspended, `cat` in front.
        let mut front = shell.clone();
        front.foreground = 40;
        let cat = p(40, 10, 40, "cat");
        let why =
            judge(&oc, &front, std::slice::from_ref(&cat), &parent).expect_err("cat in front");
        assert_eq!(
            why,
            Doubt::Behind {
                who: "pid 20 (opencode)".into(),
                front: "pid 40 (cat)".into()
            }
        );
        assert!(
            why.to_string()
                .ends_with("pid 40 (cat) is, and would read the keys")
        );
        // `sh -c '(opencode &); exec cat'`: one group, the cat no child of opencode.
        let mut sh = p(10, 1, 10, "cat");
        sh.foreground = 10;
        let mut bg = oc.clone();
        bg.pgrp = 10;
        let why = judge(&bg, &sh, &[sh.clone(), bg.clone()], &parent).expect_err("shared");
        assert_eq!(
            why,
            Doubt::Shared {
                who: "pid 20 (opencode)".into(),
                other: "pid 10 (cat)".into()
            }
        );
        // Another terminal.
        let mut elsewhere = oc.clone();
        elsewhere.tty = 34817;
        assert_eq!(
            judge(&elsewhere, &shell, &[elsewhere.clone()], &parent),
            Err(Doubt::OtherTerminal {
                who: "pid 20 (opencode)".into()
            })
        );
    }
}
