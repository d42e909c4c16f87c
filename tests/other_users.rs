//! Another local user's processes are not yours: a process of theirs named like opencode, even
//! one started as `opencode -s <your session id>` (your ids are visible in `ps`), takes no part
//! in correlation and is never listed. Run for real as root, with the other process under uid
//! 65534 (`setpriv`); skipped, saying so, where that cannot be done.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use otop::collect::{Collector, CollectorOptions, Focus, Source, now_ms};
use otop::paths::Env;
use otop::testkit::fixture::{Fixture, Schema, SessionSpec};
use support::{StandIns, wait_for};

/// Whether this test can start a process as another user.
fn can_switch_user() -> bool {
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    root && Command::new("setpriv").arg("--version").output().is_ok()
}

#[test]
fn another_users_opencode_with_your_session_id_is_not_listed_nor_correlated() {
    if !can_switch_user() {
        eprintln!("skipping: needs root and setpriv to run a process as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let db = tmp.path().join("opencode.db");
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    let t = now_ms();
    let sid = fx
        .session(SessionSpec {
            id: "ses_mine".into(),
            title: "mine".into(),
            directory: proj.display().to_string(),
            created: t,
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, t + 1).unwrap();
    let standins = StandIns::new();
    let mine = standins.spawn_session("ses_mine", &proj, &[]);
    let theirs = standins.spawn_session_as(65534, "ses_mine", Path::new("/"));
    // The other user's process is there, under its uid (setpriv execs in place).
    let theirs_up = wait_for(Duration::from_secs(5), || {
        let status = std::fs::read_to_string(format!("/proc/{}/status", theirs.pid)).ok()?;
        let uid = status.lines().find(|l| l.starts_with("Uid:"))?.to_string();
        let argv = std::fs::read(format!("/proc/{}/cmdline", theirs.pid)).ok()?;
        (uid.contains("65534") && argv.windows(8).any(|w| w == b"ses_mine")).then_some(())
    });
    assert!(theirs_up.is_some(), "the other user's stand-in runs");
    let scanned = wait_for(Duration::from_secs(5), || {
        let all = otop::source::process::scan();
        all.iter().any(|p| p.info.pid == mine.pid).then_some(all)
    })
    .expect("my stand-in is scanned");
    assert!(
        scanned.iter().all(|p| p.info.pid != theirs.pid),
        "another user's process is listed"
    );
    let opts = CollectorOptions {
        db: Some(db.clone()),
        ..CollectorOptions::default()
    };
    let mut c = Collector::new(opts, Env::default());
    let snap = c.collect(&Focus::default(), now_ms());
    assert!(snap.rows.iter().all(|r| r.pid() != Some(theirs.pid)));
    let row = snap
        .rows
        .iter()
        .find(|r| r.session_id() == Some("ses_mine"))
        .expect("my session has its row");
    assert_eq!(row.pid(), Some(mine.pid), "my session is my process's");
}
