//! Process churn and a hostile environment: stand-ins starting and exiting by the thousand
//! while a collector refreshes and `otop status` runs; a plugin file left by a previous
//! process with the same pid; no tmux, a hanging tmux, an unprivileged user who cannot read
//! other users' `/proc`, `TERM=dumb` and a C locale.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use otop::collect::{Collector, CollectorOptions, Focus, Source, now_ms};
use otop::model::state::MatchRule;
use otop::paths::Env;
use otop::testkit::fixture::{Fixture, Schema, SessionSpec};
use otop::testkit::standin::Standin;
use support::{StandIns, otop, wait_for};

fn collector(db: Option<&Path>) -> Collector {
    let opts = CollectorOptions {
        db: db.map(Path::to_path_buf),
        totals: true,
        logs: true,
        tmux: true,
        ..CollectorOptions::default()
    };
    Collector::new(opts, Env::default())
}

#[test]
fn a_thousand_short_lived_standins_leave_no_stale_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    Fixture::create(&db, Schema::Current).unwrap();
    let standins = StandIns::new();
    let bin = standins.dir.path().join("sleep/opencode");
    let ours = |rows: &[otop::model::row::Row]| {
        rows.iter()
            .filter(|r| {
                r.process
                    .as_ref()
                    .and_then(|p| p.info.exe.as_deref())
                    .is_some_and(|e| Path::new(e) == bin)
            })
            .count()
    };
    // 1,000 stand-ins, 20 at a time, each living 0–40 ms; the shell, not this process, is
    // their parent (a collector leaves its own children out).
    let mut churn = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "for i in $(seq 1000); do '{}' 0.0$((i % 5)) & \
             if [ $((i % 20)) = 0 ]; then wait; fi; done; wait",
            bin.display()
        ))
        .spawn()
        .unwrap();
    let mut c = collector(Some(&db));
    let (mut refreshes, mut seen) = (0, 0);
    let db_s = db.display().to_string();
    let done = loop {
        let snap = c.collect(&Focus::default(), now_ms());
        assert_eq!(snap.db_error, None);
        seen = seen.max(ours(&snap.rows));
        refreshes += 1;
        if refreshes % 5 == 0 {
            let (code, _, err) = otop(&["--db", &db_s, "status"], &[]);
            assert_eq!(code, 0, "{err}");
        }
        if let Some(status) = churn.try_wait().unwrap() {
            break status;
        }
    };
    assert!(done.success());
    assert!(
        seen > 0,
        "the collector saw some of the churn ({refreshes} refreshes)"
    );
    // Every stand-in has exited: the very next refresh shows none of them.
    let snap = c.collect(&Focus::default(), now_ms());
    assert_eq!(ours(&snap.rows), 0, "stale rows after the processes exited");
}

/// When the process `pid` started, as a scan reads it, once a scan finds it.
fn scanned_start(pid: u32) -> i64 {
    wait_for(Duration::from_secs(5), || {
        otop::source::process::scan()
            .into_iter()
            .find(|p| p.info.pid == pid)
            .map(|p| p.info.started_at)
    })
    .expect("stand-in scanned")
}

/// A database at `db` of two sessions: `ses_here` in `proj` (what the directory evidence
/// picks) and `other` elsewhere (what only the plugin can tell).
fn two_sessions(db: &Path, proj: &Path, other: &str) {
    let t = now_ms();
    let mut fx = Fixture::create(db, Schema::Current).unwrap();
    for (id, dir) in [
        ("ses_here", proj.display().to_string()),
        (other, "/elsewhere".to_string()),
    ] {
        let sid = fx
            .session(SessionSpec {
                id: id.into(),
                title: id.into(),
                directory: dir,
                created: t,
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, t + 1).unwrap();
    }
}

/// A plugin file whose recorded start time is not the live process's is a previous process's
/// (the pid was reused): ignored. With the right start time, the same file is used.
#[test]
fn a_plugin_file_from_a_reused_pid_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let proj = tmp.path().join("proj");
    let oc_dir = data.join("opencode");
    std::fs::create_dir_all(oc_dir.join("otop")).unwrap();
    std::fs::create_dir_all(&proj).unwrap();
    let standins = StandIns::new();
    let data_s = data.display().to_string();
    let oc = standins.spawn_session("ses_nothing", &proj, &[("XDG_DATA_HOME", data_s.as_str())]);
    let started_at = scanned_start(oc.pid);
    two_sessions(&oc_dir.join("opencode.db"), &proj, "ses_elsewhere");
    let plugin = |started: i64| {
        let body = serde_json::json!({"format": 1, "pid": oc.pid, "started_at": started,
            "session_id": "ses_elsewhere", "sessions": {"ses_elsewhere": {"status": "busy"}}});
        std::fs::write(
            oc_dir.join(format!("otop/{}.json", oc.pid)),
            body.to_string(),
        )
        .unwrap();
    };
    let matched = |c: &mut Collector| {
        let snap = c.collect(&Focus::default(), now_ms());
        snap.rows
            .iter()
            .find(|r| r.pid() == Some(oc.pid) && r.session.is_some())
            .map(|r| (r.session_id().unwrap_or("").to_string(), r.matched))
    };
    let mut c = collector(None);
    plugin(started_at - 3_600_000);
    let (sid, rule) = matched(&mut c).expect("a row for the stand-in");
    assert_eq!(sid, "ses_here", "the stale plugin file was believed");
    assert_ne!(rule, Some(MatchRule::Plugin));
    plugin(started_at);
    let (sid, rule) = matched(&mut c).expect("a row for the stand-in");
    assert_eq!(
        (sid.as_str(), rule),
        ("ses_elsewhere", Some(MatchRule::Plugin))
    );
}

/// A database and a stand-in for the CLI checks below.
fn world(tmp: &Path) -> (String, Standin, StandIns) {
    let db = tmp.join("opencode.db");
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    let sid = fx
        .session(SessionSpec {
            id: "ses_env".into(),
            title: "env".into(),
            directory: "/src".into(),
            created: now_ms(),
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, now_ms()).unwrap();
    // Readable by an unprivileged user too.
    Command::new("chmod")
        .args(["-R", "a+rwX"])
        .arg(tmp)
        .status()
        .unwrap();
    let standins = StandIns::new();
    let oc = standins.spawn_session("ses_env", tmp, &[]);
    (db.display().to_string(), oc, standins)
}

#[test]
fn no_tmux_a_hanging_tmux_a_dumb_terminal_and_a_c_locale() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, oc, _s) = world(tmp.path());
    let fake = tmp.path().join("fake-bin");
    std::fs::create_dir(&fake).unwrap();
    // A tmux that never answers (its child keeps the pipes open, as a stuck server would).
    std::fs::write(fake.join("tmux"), "#!/bin/sh\nsleep 20\n").unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(fake.join("tmux"))
        .status()
        .unwrap();
    let fake_path = format!("{}:/usr/bin:/bin", fake.display());
    let empty = tmp.path().join("no-bin");
    std::fs::create_dir(&empty).unwrap();
    let no_tmux = empty.display().to_string();
    let pid = oc.pid.to_string();
    for (what, env) in [
        ("no tmux on PATH", vec![("PATH", no_tmux.as_str())]),
        ("hanging tmux", vec![("PATH", fake_path.as_str())]),
        (
            "TERM=dumb, C locale, no server",
            vec![
                ("TERM", "dumb"),
                ("LANG", "C"),
                ("LC_ALL", "C"),
                ("TMUX_TMPDIR", no_tmux.as_str()),
            ],
        ),
    ] {
        let start = Instant::now();
        let ok = wait_for(Duration::from_secs(10), || {
            let (code, out, err) = otop(&["--db", &db, "sessions"], &env);
            assert_eq!(code, 0, "{what}: {err}");
            out.contains(&pid).then_some(out)
        });
        let out = ok.unwrap_or_else(|| panic!("{what}: the stand-in is not listed"));
        assert!(out.contains("ses_env"), "{what}: {out}");
        let (code, out, _) = otop(&["--db", &db, "status", "--plain"], &env);
        assert_eq!(code, 0, "{what}");
        assert!(!out.trim().is_empty(), "{what}: a segment");
        // Outside tmux, jump says where the session is rather than failing.
        let (code, out, err) = otop(&["--db", &db, "jump", "ses_env"], &env);
        assert_eq!(code, 0, "{what}: {err}");
        assert!(out.contains("\"env\" (ses_env): pid "), "{out}");
        // tmux calls time out after 1 s each: far below this bound even on a loaded machine.
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: took {:?}",
            start.elapsed()
        );
    }
}

/// Another user's processes are not yours: root's opencode, which an unprivileged user cannot
/// read the cwd, environment or open files of, is not listed to them at all (it used to be,
/// without what could not be read), and otop runs as usual.
#[test]
fn another_users_processes_are_not_listed_to_an_unprivileged_user() {
    let is_root = std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")));
    let have_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !is_root || !have_setpriv {
        eprintln!("skipping: needs root and setpriv to run otop as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (db, oc, _s) = world(tmp.path());
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_otop"))
        .args(["--db", &db, "sessions", "--all", "--json"])
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        rows.iter().all(|r| r["pid"] != oc.pid),
        "root's stand-in listed for another user: {rows:?}"
    );
}

/// The plugin writes its files under the process's `$XDG_DATA_HOME/opencode/otop`, wherever
/// its database is: with `OPENCODE_DB` elsewhere, otop reads them there (it used to look
/// beside the database, found nothing and silently ignored the plugin).
#[test]
fn the_plugin_is_found_where_it_writes_whatever_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let proj = tmp.path().join("proj");
    let plugin_dir = data.join("opencode/otop");
    std::fs::create_dir_all(&plugin_dir).unwrap();
    std::fs::create_dir_all(&proj).unwrap();
    let db = tmp.path().join("elsewhere/dev.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    two_sessions(&db, &proj, "ses_plugin");
    let standins = StandIns::new();
    let (data_s, db_s) = (data.display().to_string(), db.display().to_string());
    let oc = standins.spawn_session(
        "ses_nothing",
        &proj,
        &[
            ("XDG_DATA_HOME", data_s.as_str()),
            ("OPENCODE_DB", db_s.as_str()),
        ],
    );
    let started_at = scanned_start(oc.pid);
    let body = serde_json::json!({"format": 1, "pid": oc.pid, "started_at": started_at,
        "session_id": "ses_plugin", "sessions": {"ses_plugin": {"status": "busy"}}});
    std::fs::write(
        plugin_dir.join(format!("{}.json", oc.pid)),
        body.to_string(),
    )
    .unwrap();
    let mut c = collector(None);
    let snap = c.collect(&Focus::default(), now_ms());
    let row = snap
        .rows
        .iter()
        .find(|r| r.pid() == Some(oc.pid) && r.session.is_some())
        .expect("a row for the stand-in");
    assert_eq!(
        (row.session_id(), row.matched),
        (Some("ses_plugin"), Some(MatchRule::Plugin))
    );
    assert!(row.process.as_ref().is_some_and(|p| p.plugin));
    assert!(
        snap.plugin_dirs.contains(&plugin_dir),
        "{:?}",
        snap.plugin_dirs
    );
}
