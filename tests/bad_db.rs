//! Bad databases degrade, never crash: for each, the monitor says what is wrong, `otop status`
//! prints its empty segment and exits 0, and `otop sessions` exits non-zero with one line when
//! nothing could be read (or lists what it could).

#![allow(clippy::unwrap_used)]

#[path = "rel/mod.rs"]
mod rel;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use otop::collect::{Collector, CollectorOptions, Focus, Snapshot, Source, now_ms};
use otop::monitor::state::App;
use otop::monitor::state::action::Action;
use otop::paths::Env;
use otop::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec};
use otop::testkit::standin::Standin;
use otop::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use support::{StandIns, otop, wait_for};

/// One refresh of the monitor's collector on `db`.
fn snapshot(db: &Path) -> Snapshot {
    let opts = CollectorOptions {
        db: Some(db.to_path_buf()),
        totals: true,
        logs: false,
        tmux: false,
        ..CollectorOptions::default()
    };
    Collector::new(opts, Env::default()).collect(&Focus::default(), now_ms())
}

/// The monitor's screen for `snap`.
fn monitor_screen(snap: Snapshot) -> String {
    let mut app = App::new(snap.taken_at, Theme::default());
    app.apply(Action::Resize(200, 12));
    app.ingest(snap);
    let mut term = Terminal::new(TestBackend::new(200, 12)).unwrap();
    term.draw(|f| otop::monitor::draw::draw(f, &app)).unwrap();
    term.backend().to_string()
}

/// `otop status` and `otop sessions` on an unreadable `db`: the status line stays quiet, the
/// table says why in one line, and fails unless the database is only missing (nothing has run
/// there: an empty answer is the truth).
fn assert_cli_degrades(db: &Path, why: &str) {
    let path = db.display().to_string();
    let (code, out, err) = otop(&["--db", &path, "status"], &[]);
    assert_eq!(code, 0, "status must not fail: {err}");
    assert_eq!(out, "\n", "status prints the empty segment");
    let (code, out, err) = otop(&["--db", &path, "status", "--empty", "-"], &[]);
    assert_eq!((code, out.as_str()), (0, "-\n"), "{err}");
    let (code, out, err) = otop(&["--db", &path, "sessions"], &[]);
    let missing = why == "no opencode database";
    assert_eq!(code == 0, missing, "sessions on {why}: {out}");
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("otop: ") && err.contains(why), "{err:?}");
}

fn assert_monitor_says(db: &Path, why: &str) {
    let snap = snapshot(db);
    assert!(snap.db_error.is_some(), "no db_error for {why}");
    let s = monitor_screen(snap);
    let line = s.lines().find(|l| l.contains("⚠ database:")).unwrap_or("");
    assert!(line.contains(why), "monitor should say {why:?}:\n{s}");
}

#[test]
fn unreadable_files_are_explained_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let good = d.join("good.db");
    let mut fx = Fixture::create(&good, Schema::Current).unwrap();
    for i in 0..200 {
        let sid = fx
            .session(SessionSpec {
                title: format!("session {i} {}", "x".repeat(200)),
                directory: "/src".into(),
                created: 1,
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, 2).unwrap();
    }
    fx.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(fx);
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 64 * 1024, "fixture too small to truncate");

    let cases: Vec<(PathBuf, &str)> = vec![
        (d.join("missing.db"), "no opencode database"),
        (
            {
                let p = d.join("empty.db");
                std::fs::write(&p, b"").unwrap();
                p
            },
            "empty file",
        ),
        (
            {
                let p = d.join("text.db");
                std::fs::write(&p, "this is a note, not a database\n").unwrap();
                p
            },
            "not an SQLite database",
        ),
        (
            {
                // The first page (header and schema) survives; the tables' pages do not.
                let p = d.join("truncated.db");
                std::fs::write(&p, &bytes[..8192]).unwrap();
                p
            },
            "truncated",
        ),
        (
            {
                let p = d.join("a-directory.db");
                std::fs::create_dir(&p).unwrap();
                p
            },
            "is a directory",
        ),
    ];
    for (path, why) in &cases {
        assert_monitor_says(path, why);
        assert_cli_degrades(path, why);
    }
}

#[test]
fn a_database_locked_by_another_process_is_reported_busy() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("locked.db");
    // A rollback-journal database: an exclusive transaction there shuts readers out (in WAL
    // mode, the mode opencode uses, readers never wait).
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(Schema::Current.ddl()).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE; INSERT INTO project (id, worktree, time_created, time_updated, sandboxes) VALUES ('p', '/', 0, 0, '[]');")
        .unwrap();
    assert_monitor_says(&db, "busy");
    assert_cli_degrades(&db, "busy");
    conn.execute_batch("COMMIT").unwrap();
    let snap = snapshot(&db);
    assert_eq!(snap.db_error, None, "readable again once the lock goes");
}

fn standin(s: &StandIns, sid: &str) -> Standin {
    s.spawn_session(sid, s.dir.path(), &[])
}

/// `otop sessions --json --db db` until the stand-in's row appears; that row.
fn row_for(db: &Path, oc: &Standin) -> Value {
    let path = db.display().to_string();
    wait_for(Duration::from_secs(10), || {
        let (code, out, err) = otop(&["--db", &path, "sessions", "--json"], &[]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
        rows.into_iter().find(|r| r["pid"] == oc.pid)
    })
    .unwrap_or_else(|| panic!("no row for the stand-in on {}", db.display()))
}

/// Odd but readable databases: every command works and shows the session.
#[test]
fn odd_schemas_and_contents_still_show_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let standins = StandIns::new();
    let oc = standin(&standins, "ses_odd");
    let t = now_ms();

    // The schema of opencode 1.2.27.
    let old = d.join("old.db");
    let mut fx = Fixture::create(&old, Schema::Old).unwrap();
    let sid = fx
        .session(SessionSpec {
            id: "ses_odd".into(),
            title: "old schema".into(),
            directory: "/src".into(),
            created: t,
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, t + 1).unwrap();
    drop(fx);

    // A future opencode that renamed columns and dropped a table.
    let future = d.join("future.db");
    let c = rusqlite::Connection::open(&future).unwrap();
    c.execute_batch(
        "CREATE TABLE session (id TEXT PRIMARY KEY, name TEXT, path TEXT, created_ms INTEGER, updated_ms INTEGER);
         CREATE TABLE message (id TEXT PRIMARY KEY, session TEXT, created_ms INTEGER, payload TEXT);
         INSERT INTO session VALUES ('ses_odd', 'future schema', '/src', 1, 2);
         INSERT INTO message VALUES ('msg_1', 'ses_odd', 1, '{}');",
    )
    .unwrap();
    drop(c);

    // Current schema without its NOT NULL constraints, and NULL in every column.
    let nulls = d.join("nulls.db");
    let c = rusqlite::Connection::open(&nulls).unwrap();
    c.execute_batch(&Schema::Current.ddl().replace("NOT NULL", ""))
        .unwrap();
    c.execute_batch(
        "INSERT INTO session (id) VALUES ('ses_odd');
         INSERT INTO message (id, session_id) VALUES ('msg_1', 'ses_odd');
         INSERT INTO part (id, message_id, session_id) VALUES ('prt_1', 'msg_1', 'ses_odd');
         INSERT INTO todo (session_id, position) VALUES ('ses_odd', 0);",
    )
    .unwrap();
    drop(c);

    // Malformed, mistyped, deeply nested and huge (10 MB) JSON.
    let json = d.join("json.db");
    let mut fx = Fixture::create(&json, Schema::Current).unwrap();
    let sid = fx
        .session(SessionSpec {
            id: "ses_odd".into(),
            title: "bad json".into(),
            directory: "/src".into(),
            created: t,
            model: Some(("p".into(), "m".into())),
            ..SessionSpec::default()
        })
        .unwrap();
    let m = fx
        .assistant_message(&sid, t + 3, AssistantSpec::default())
        .unwrap();
    fx.part_json(&m, t + 4, &"[".repeat(100_000)).unwrap();
    fx.part_json(&m, t + 5, r#"{"type":"tool","tool":7,"state":null}"#)
        .unwrap();
    let huge = serde_json::json!({"type": "text", "text": "y".repeat(10 << 20)}).to_string();
    fx.part_json(&m, t + 6, &huge).unwrap();
    // The latest messages: malformed, then mistyped.
    fx.message_json(&sid, t + 7, t + 7, "{not json").unwrap();
    fx.message_json(
        &sid,
        t + 8,
        t + 8,
        r#"{"role":5,"time":"soon","tokens":{"input":-1,"output":"many"},"modelID":[]}"#,
    )
    .unwrap();
    drop(fx);

    // Text that is not UTF-8 (SQLite does not check): a title with stray bytes and an escape.
    let utf8 = d.join("utf8.db");
    let mut fx = Fixture::create(&utf8, Schema::Current).unwrap();
    let sid = fx
        .session(SessionSpec {
            id: "ses_odd".into(),
            directory: "/src".into(),
            created: t,
            ..SessionSpec::default()
        })
        .unwrap();
    fx.todo(&sid, 0, "todo", "pending", "high").unwrap();
    fx.conn()
        .execute_batch(
            "UPDATE session SET title = CAST(X'666f801b5b324aff9b3331' AS TEXT);
             UPDATE todo SET content = CAST(X'c328' AS TEXT);",
        )
        .unwrap();
    drop(fx);
    let row = row_for(&utf8, &oc);
    assert_eq!(
        row["session"]["title"], "fo\u{fffd}\u{1b}[2J\u{fffd}\u{fffd}31",
        "read lossily, not refused"
    );
    let (code, out, err) = otop(&["--db", &utf8.display().to_string(), "sessions"], &[]);
    assert_eq!(code, 0, "{err}");
    rel::assert_inert("table of a non-UTF-8 title", &out);

    for (db, title) in [
        (&utf8, None),
        (&old, Some("old schema")),
        (&future, None),
        (&nulls, None),
        (&json, Some("bad json")),
    ] {
        let row = row_for(db, &oc);
        assert_eq!(row["session"]["id"], "ses_odd", "{}", db.display());
        if let Some(title) = title {
            assert_eq!(row["session"]["title"], title);
        }
        let path = db.display().to_string();
        let (code, out, _) = otop(&["--db", &path, "status", "--plain"], &[]);
        assert_eq!(code, 0);
        assert!(!out.trim().is_empty(), "a segment for {path}");
        let snap = snapshot(db);
        assert_eq!(snap.db_error, None, "{path}");
        let shown = snap.rows.iter().any(|r| r.session_id() == Some("ses_odd"));
        assert!(shown, "{path}: the monitor has the session");
        let s = monitor_screen(snap);
        assert!(!s.contains('⚠'), "{path}:\n{s}");
    }
    drop(oc);
}

#[test]
fn ten_thousand_sessions_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("big.db");
    let standins = StandIns::new();
    let oc = standin(&standins, "ses_9999");
    let t = now_ms();
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    fx.conn().execute_batch("BEGIN").unwrap();
    for i in 0..10_000 {
        let sid = fx
            .session(SessionSpec {
                id: format!("ses_{i:04}"),
                title: format!("session {i}"),
                directory: format!("/src/p{}", i % 50),
                created: t - 1_000_000 + i,
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, t - 1_000_000 + i).unwrap();
    }
    fx.conn().execute_batch("COMMIT").unwrap();
    let row = row_for(&db, &oc);
    assert_eq!(row["session"]["title"], "session 9999");
    let path = db.display().to_string();
    let (code, out, _) = otop(&["--db", &path, "status", "--plain"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains('1'), "{out:?}");
}

/// opencode's file deleted, then another put in its place, while the collector keeps running.
#[test]
fn a_database_deleted_or_replaced_under_a_running_collector() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    let standins = StandIns::new();
    let oc = standin(&standins, "ses_a");
    let make = |title: &str| {
        let mut fx = Fixture::create(&db, Schema::Current).unwrap();
        let sid = fx
            .session(SessionSpec {
                id: "ses_a".into(),
                title: title.into(),
                directory: "/src".into(),
                created: now_ms(),
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, now_ms()).unwrap();
    };
    let title_of = |snap: &Snapshot| {
        snap.rows
            .iter()
            .find(|r| r.pid() == Some(oc.pid))
            .and_then(|r| r.session.as_ref())
            .and_then(|s| s.title.clone())
    };
    make("first");
    let opts = CollectorOptions {
        db: Some(db.clone()),
        totals: true,
        logs: false,
        tmux: false,
        ..CollectorOptions::default()
    };
    let mut c = Collector::new(opts, Env::default());
    let seen = wait_for(Duration::from_secs(10), || {
        title_of(&c.collect(&Focus::default(), now_ms()))
    });
    assert_eq!(seen.as_deref(), Some("first"));

    for f in ["opencode.db", "opencode.db-wal", "opencode.db-shm"] {
        let _ = std::fs::remove_file(tmp.path().join(f));
    }
    let snap = c.collect(&Focus::default(), now_ms());
    let err = snap
        .db_error
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(err.contains("no opencode database"), "deleted: {err:?}");
    assert!(monitor_screen(snap).contains("no opencode database"));

    make("second");
    let snap = c.collect(&Focus::default(), now_ms());
    assert_eq!(snap.db_error, None);
    assert_eq!(title_of(&snap).as_deref(), Some("second"));

    // Replaced by rename (how a restore or a sync tool swaps a file): the new one is read.
    let other = tmp.path().join("new.db");
    {
        let mut fx = Fixture::create(&other, Schema::Current).unwrap();
        let sid = fx
            .session(SessionSpec {
                id: "ses_a".into(),
                title: "third".into(),
                directory: "/src".into(),
                created: now_ms(),
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, now_ms()).unwrap();
        fx.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    for f in ["opencode.db-wal", "opencode.db-shm"] {
        let _ = std::fs::remove_file(tmp.path().join(f));
    }
    std::fs::rename(&other, &db).unwrap();
    let snap = c.collect(&Focus::default(), now_ms());
    assert_eq!(snap.db_error, None);
    assert_eq!(title_of(&snap).as_deref(), Some("third"));
}

/// One session row with a value of the wrong type (`time_created` as TEXT), run by a live
/// process: every command still shows the other session, and doctor counts the skipped row.
#[test]
fn one_bad_row_hides_only_its_own_session() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    let standins = StandIns::new();
    let good = standin(&standins, "ses_good");
    let bad = standin(&standins, "ses_bad");
    let t = now_ms();
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    for (id, title) in [("ses_good", "good session"), ("ses_bad", "bad session")] {
        let sid = fx
            .session(SessionSpec {
                id: id.into(),
                title: title.into(),
                directory: "/src".into(),
                created: t,
                ..SessionSpec::default()
            })
            .unwrap();
        fx.user_message(&sid, t + 1).unwrap();
    }
    fx.conn()
        .execute_batch("UPDATE session SET time_created = 'yesterday' WHERE id = 'ses_bad'")
        .unwrap();
    drop(fx);

    let row = row_for(&db, &good);
    assert_eq!(row["session"]["title"], "good session");
    let path = db.display().to_string();
    let (code, out, err) = otop(&["--db", &path, "status", "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let status: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = status["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, ["ses_good"], "{out}");
    let (code, out, _) = otop(&["--db", &path, "status", "--plain"], &[]);
    assert_eq!(code, 0);
    assert!(!out.trim().is_empty(), "a segment: {out:?}");
    let snap = snapshot(&db);
    assert_eq!(snap.db_error, None);
    assert!(snap.rows.iter().any(|r| r.session_id() == Some("ses_good")));
    let (code, out, err) = otop(&["--db", &path, "doctor"], &[]);
    assert_eq!(code, 1, "a skipped row fails the check: {err}");
    let line = out.lines().find(|l| l.contains("database")).unwrap_or("");
    assert!(
        line.starts_with("!!") && line.contains("1 row of the running sessions skipped"),
        "{out}"
    );
    drop((good, bad));
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    })
}

/// `cmd` as the unprivileged user nobody, when this runs as root and `setpriv` exists (root
/// may write any directory, so a read-only one needs another user); None otherwise.
fn as_nobody(args: &[&str], home: &Path) -> Option<(i32, String, String)> {
    let root = is_root();
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    if !root || setpriv.is_err() {
        eprintln!("skipping: needs root and setpriv to run otop as another user");
        return None;
    }
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_otop"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("TMUX")
        .output()
        .unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// A WAL database in a directory otop's user cannot write: read when nothing is writing it (no
/// `-wal`: SQLite cannot create its `-shm` there), explained when a `-wal` is left without
/// its `-shm`; nothing is created beside it.
#[test]
fn a_database_in_a_read_only_directory_is_read_or_explained() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let standins = StandIns::new();
    // The stand-in runs as the user otop runs as below (another user's processes are never
    // listed): nobody, where this runs as root.
    let oc = if is_root() {
        standins.spawn_session_as(65534, "ses_ro", standins.dir.path())
    } else {
        standin(&standins, "ses_ro")
    };
    let (clean, left) = (root.join("clean"), root.join("left"));
    for d in [&clean, &left] {
        std::fs::create_dir(d).unwrap();
    }
    let mut fx = Fixture::create(&clean.join("opencode.db"), Schema::Current).unwrap();
    let sid = fx
        .session(SessionSpec {
            id: "ses_ro".into(),
            title: "read only".into(),
            directory: "/src".into(),
            created: now_ms(),
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, now_ms()).unwrap();
    // A copy taken while the writer runs: the database and its -wal, no -shm.
    for f in ["opencode.db", "opencode.db-wal"] {
        std::fs::copy(clean.join(f), left.join(f)).unwrap();
    }
    drop(fx);
    assert!(!clean.join("opencode.db-wal").exists());
    for d in [&clean, &left] {
        for f in std::fs::read_dir(d).unwrap() {
            let f = f.unwrap().path();
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o555)).unwrap();
    }

    let db = clean.join("opencode.db").display().to_string();
    let Some((code, out, err)) = as_nobody(&["--db", &db, "sessions", "--json"], root) else {
        return;
    };
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let row = rows.iter().find(|r| r["pid"] == oc.pid);
    assert_eq!(
        row.map(|r| r["session"]["title"].clone()),
        Some("read only".into()),
        "{out}"
    );
    let (code, out, err) = as_nobody(&["--db", &db, "status", "--json"], root).unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ses_ro"), "{out}");
    let (_, out, _) = as_nobody(&["--db", &db, "doctor"], root).unwrap();
    assert!(out.lines().next().unwrap_or("").starts_with("ok "), "{out}");
    let files: Vec<_> = std::fs::read_dir(&clean).unwrap().collect();
    assert_eq!(files.len(), 1, "nothing created beside the database");

    let db = left.join("opencode.db").display().to_string();
    let (code, out, err) = as_nobody(&["--db", &db, "sessions"], root).unwrap();
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("-shm file does not exist") && err.contains("not writable"),
        "{err}"
    );
    let (_, out, _) = as_nobody(&["--db", &db, "doctor"], root).unwrap();
    assert!(out.contains("-shm file does not exist"), "{out}");
    for d in [&clean, &left] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    drop(oc);
}
