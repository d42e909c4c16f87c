//! scan() against real stand-ins: copies of system binaries named `opencode`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::*;
use crate::testkit::standin::{Standin, opencode_copy, wait_for};

fn find(pid: u32) -> Option<OpencodeProcess> {
    scan().into_iter().find(|p| p.info.pid == pid)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[test]
fn scan_finds_a_standin_with_its_cwd_env_and_start_time() {
    let dir = tempfile::tempdir().unwrap();
    let bin = opencode_copy(dir.path(), "bin", "/bin/sleep");
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    let oc = Standin::spawn(&format!("{bin} 30"), &project, &[("TMUX_PANE", "%99")]);
    assert!(wait_for(|| find(oc.pid).is_some()), "stand-in not found");
    let p = find(oc.pid).unwrap();
    assert_eq!(p.kind, Kind::Tui);
    assert_eq!(p.owner, None);
    assert_eq!(p.info.exe.as_deref(), Some(bin.as_str()));
    let cwd = project.canonicalize().unwrap();
    assert_eq!(p.info.cwd.as_deref(), Some(cwd.to_str().unwrap()));
    assert_eq!(p.info.env.tmux_pane.as_deref(), Some("%99"));
    assert!(
        (now_ms() - p.info.started_at).abs() < 5_000,
        "started_at {}",
        p.info.started_at
    );
    assert!(p.info.rss_bytes > 0);
}

#[test]
fn ancestors_start_with_the_parent_and_end_at_init() {
    let chain = ancestors(std::process::id());
    assert_eq!(chain.first(), Some(&std::os::unix::process::parent_id()));
    assert!(chain.last() == Some(&1) || chain.len() < 64, "{chain:?}");
}

#[test]
fn a_command_opencode_started_is_its_helper_not_a_second_opencode() {
    let dir = tempfile::tempdir().unwrap();
    let shell = opencode_copy(dir.path(), "a", "/bin/sh");
    let tool = opencode_copy(dir.path(), "b", "/bin/sleep");
    // The "opencode" shell starts another "opencode" with OPENCODE_PID set, as opencode does.
    let script = format!("'OPENCODE_PID=$$ {tool} 30 & wait'");
    let oc = Standin::spawn(&format!("{shell} -c {script}"), dir.path(), &[]);
    let helper_of = |t: &[OpencodeProcess]| {
        t.iter()
            .find(|p| p.info.ppid == oc.pid)
            .map(|p| (p.kind, p.owner))
    };
    assert!(wait_for(|| helper_of(&scan()).is_some()), "child not seen");
    let table = scan();
    // Killing the shell leaves its child running: clean it up too.
    let _child = table
        .iter()
        .find(|p| p.info.ppid == oc.pid)
        .map(|p| Standin { pid: p.info.pid });
    assert_eq!(helper_of(&table), Some((Kind::Helper, Some(oc.pid))));
    let opencodes: Vec<u32> = table
        .iter()
        .filter(|p| {
            p.kind != Kind::Helper
                && p.info
                    .exe
                    .as_deref()
                    .is_some_and(|e| e.starts_with(dir.path().to_str().unwrap()))
        })
        .map(|p| p.info.pid)
        .collect();
    assert_eq!(opencodes, vec![oc.pid]);
}

#[test]
fn a_busy_opencode_shows_high_cpu_and_an_idle_one_low() {
    let dir = tempfile::tempdir().unwrap();
    let busy_bin = opencode_copy(dir.path(), "busy", "/usr/bin/yes");
    let idle_bin = opencode_copy(dir.path(), "idle", "/bin/sleep");
    let busy = Standin::spawn(&busy_bin, dir.path(), &[]);
    let idle = Standin::spawn(&format!("{idle_bin} 30"), dir.path(), &[]);
    assert!(wait_for(
        || find(busy.pid).is_some() && find(idle.pid).is_some()
    ));
    let mut sampler = CpuSampler::default();
    let mut measure = || {
        let table = scan();
        let infos: Vec<&ProcessInfo> = table.iter().map(|p| &p.info).collect();
        sampler.sample(&infos, Instant::now())
    };
    assert!(measure().is_empty(), "first sample has no CPU%");
    // Two cores are shared with other work: a busy process may miss one window, so take the
    // best of a few, while an idle one must stay idle in every window.
    let mut best = 0.0f32;
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(300));
        let pct = measure();
        assert!(pct[&idle.pid] < 5.0, "idle {:?}", pct.get(&idle.pid));
        best = best.max(pct[&busy.pid]);
        if best > 20.0 {
            break;
        }
    }
    // Under heavy load a busy process may get little of a window; it still gets far more than
    // an idle one (the arithmetic itself is tested on literals).
    assert!(best > 5.0, "busy {best}");
}

#[test]
fn the_status_scan_reads_opencode_and_its_database_but_not_its_helpers() {
    let dir = tempfile::tempdir().unwrap();
    let shell = opencode_copy(dir.path(), "a", "/bin/sh");
    let db = dir.path().join("opencode.db");
    std::fs::write(&db, b"x").unwrap();
    // An "opencode" holding its database open, with a command it started (a helper).
    let script = format!("'exec 7<{}; sleep 30 & wait'", db.display());
    let oc = Standin::spawn(&format!("{shell} -c {script}"), dir.path(), &[]);
    let full = || scan_with(OpenFiles::All, true);
    assert!(
        wait_for(|| full().iter().any(|p| p.owner == Some(oc.pid))),
        "helper not seen by the full scan"
    );
    let _child = full()
        .iter()
        .find(|p| p.owner == Some(oc.pid))
        .map(|p| Standin { pid: p.info.pid });
    let quick = scan_with(OpenFiles::Database, false);
    let me = quick
        .iter()
        .find(|p| p.info.pid == oc.pid)
        .expect("opencode seen");
    assert_eq!(me.kind, Kind::Tui);
    // The full path the short-name filter read, kept for the row.
    assert_eq!(me.info.exe.as_deref(), Some(shell.as_str()));
    assert_eq!(me.info.open_files, vec![db.display().to_string()]);
    assert!(
        !quick.iter().any(|p| p.owner == Some(oc.pid)),
        "no helper rows for the status line"
    );
}

#[test]
fn each_process_gets_its_own_database_whatever_descriptor_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let shell = opencode_copy(dir.path(), "a", "/bin/sh");
    let logs = dir.path().join("opencode/log");
    std::fs::create_dir_all(&logs).unwrap();
    let (db_a, db_b, log) = (
        dir.path().join("opencode.db"),
        dir.path().join("opencode-beta.db"),
        logs.join("2026-11-24T000000.log"),
    );
    for f in [&db_a, &db_b, &log] {
        std::fs::write(f, b"x").unwrap();
    }
    // One holds its database at 9; the other its database at 7 and its log at 9, so what one
    // process teaches the scan about descriptor numbers must not decide the other's database.
    let a = Standin::spawn(
        &format!("{shell} -c 'exec 9<{}; sleep 30 & wait'", db_a.display()),
        dir.path(),
        &[],
    );
    let b = Standin::spawn(
        &format!(
            "{shell} -c 'exec 7<{} 9<{}; sleep 30 & wait'",
            db_b.display(),
            log.display()
        ),
        dir.path(),
        &[],
    );
    let files_of = |pid: u32| {
        scan_with(OpenFiles::Database, false)
            .into_iter()
            .find(|p| p.info.pid == pid)
            .map(|p| p.info.open_files)
    };
    assert!(wait_for(|| files_of(a.pid).is_some_and(|f| !f.is_empty())));
    assert!(wait_for(|| files_of(b.pid).is_some_and(|f| !f.is_empty())));
    // Either order, several times over: the hint left by the previous scan differs.
    for _ in 0..3 {
        assert_eq!(files_of(a.pid), Some(vec![db_a.display().to_string()]));
        assert_eq!(files_of(b.pid), Some(vec![db_b.display().to_string()]));
    }
}

#[test]
fn an_environment_larger_than_a_page_is_read_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let bin = opencode_copy(dir.path(), "bin", "/bin/sleep");
    let big = "x".repeat(20_000);
    // Sorted before TMUX_PANE, so the pane is read from past the first pages.
    let oc = Standin::spawn(
        &format!("{bin} 30"),
        dir.path(),
        &[("AAA_BIG", big.as_str()), ("TMUX_PANE", "%42")],
    );
    assert!(wait_for(|| find(oc.pid).is_some()), "stand-in not found");
    let p = find(oc.pid).unwrap();
    assert_eq!(p.info.env.tmux_pane.as_deref(), Some("%42"));
}
