//! Hostile text through the command-line outputs: `otop sessions` (table and JSON),
//! `otop status`, `otop report` and `otop jump`, against a real stand-in process and a database
//! whose text fields all carry terminal escapes, bidi controls and tmux formats. Checked byte by
//! byte.

#![allow(clippy::unwrap_used)]

#[path = "rel/mod.rs"]
mod rel;
mod support;

use std::time::Duration;

use otop::source::db::types::ToolStatus;
use otop::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec, ToolSpec};
use rel::{HOSTILE, assert_inert, assert_no_controls};
use serde_json::Value;
use support::{StandIns, otop, wait_for};

#[test]
fn hostile_text_reaches_no_terminal_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // The working directory's name is hostile too (Linux allows any byte but / and NUL).
    let proj = tmp.path().join("proj\u{1b}]0;pwned\u{7}\u{202e}#(x)");
    std::fs::create_dir_all(&proj).unwrap();
    let db = data.join("opencode/opencode.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();

    let standins = StandIns::new();
    let data_s = data.display().to_string();
    let oc = standins.spawn_session("ses_hostile", &proj, &[("XDG_DATA_HOME", data_s.as_str())]);
    std::thread::sleep(Duration::from_millis(100));
    let t = chrono::Utc::now().timestamp_millis();
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    let h = HOSTILE.to_string();
    let sid = fx
        .session(SessionSpec {
            id: "ses_hostile".into(),
            title: h.clone(),
            directory: proj.display().to_string(),
            created: t,
            model: Some((h.clone(), h.clone())),
            agent: Some(h.clone()),
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, t + 1).unwrap();
    let m = fx
        .assistant_message(
            &sid,
            t + 2,
            AssistantSpec {
                model: (h.clone(), h.clone()),
                ..AssistantSpec::default()
            },
        )
        .unwrap();
    fx.text_part(&m, t + 3, &h).unwrap();
    fx.tool_part(
        &m,
        t + 4,
        ToolSpec {
            tool: h.clone(),
            status: ToolStatus::Running,
            title: Some(h.clone()),
            ..ToolSpec::default()
        },
    )
    .unwrap();
    fx.todo(&sid, 0, &h, "in_progress", "high").unwrap();

    let env = [("XDG_DATA_HOME", data_s.as_str()), ("OPENCODE_DB", "")];

    // JSON keeps the title exactly: the encoder escapes, nothing is altered.
    let rows = wait_for(Duration::from_secs(10), || {
        let (code, out, err) = otop(&["sessions", "--json"], &env);
        assert_eq!(code, 0, "{err}");
        assert_no_controls("sessions --json", &out);
        let v: Vec<Value> = serde_json::from_str(&out).unwrap();
        v.iter().any(|r| r["pid"] == oc.pid).then_some(v)
    })
    .expect("the stand-in shows up");
    let row = rows.iter().find(|r| r["pid"] == oc.pid).unwrap();
    assert_eq!(row["session"]["title"], HOSTILE);
    assert_eq!(row["session"]["todos"][0]["content"], HOSTILE);

    for args in [&["sessions"][..], &["sessions", "--all"]] {
        let (code, out, err) = otop(args, &env);
        assert_eq!(code, 0, "{err}");
        assert_inert(&format!("{args:?}"), &out);
        assert!(
            out.contains("ses_hostile") && out.contains("txt.exe"),
            "{out}"
        );
    }

    // Only this database: a waiting session of a real opencode elsewhere on the machine would
    // otherwise be the most urgent title.
    let db_s = db.display().to_string();
    let (code, out, _) = otop(&["status", "--db", &db_s, "--format", "{title}"], &env);
    assert_eq!(code, 0);
    assert_inert("status {title}", &out);
    assert!(
        out.contains("##(touch /tmp/gotcha)##[fg=red]##{pane_id}"),
        "{out:?}"
    );
    let args = ["status", "--db", &db_s, "--plain", "--format", "{title}"];
    let (code, out, _) = otop(&args, &env);
    assert_eq!(code, 0);
    assert_inert("status --plain {title}", &out);
    let (code, out, _) = otop(&["status", "--db", &db_s, "--json"], &env);
    assert_eq!(code, 0);
    assert_no_controls("status --json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sessions"][0]["title"], HOSTILE);

    // The day's report: the text inert, the JSON escaped and exact.
    let (code, out, err) = otop(&["--db", &db_s, "report"], &env);
    assert_eq!(code, 0, "{err}");
    assert_inert("report", &out);
    assert!(out.contains("txt.exe"), "{out}");
    let (code, out, err) = otop(&["--db", &db_s, "report", "--json"], &env);
    assert_eq!(code, 0, "{err}");
    assert_no_controls("report --json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sessions"][0]["title"], HOSTILE, "{v}");

    // Outside tmux, jump says where the session is: title and cwd quoted, inert.
    let (code, out, err) = otop(&["jump", "ses_hostile"], &env);
    assert_eq!(code, 0, "{err}");
    assert_inert("jump", &out);
    assert!(out.contains("txt.exe") && out.contains("proj"), "{out}");
    // Errors quote what the user typed, also inert.
    // (argv cannot hold NUL; everything else goes.)
    let typed = HOSTILE.replace('\0', "");
    let (code, out, err) = otop(&["jump", &typed], &env);
    assert_ne!(code, 0);
    assert_inert("jump error stdout", &out);
    assert_inert("jump error", &err);
    assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
}

/// `otop doctor --db PATH` quotes the path in every line it prints: a database that exists at a
/// hostile path, and one that does not.
#[test]
fn doctor_prints_a_hostile_database_path_inert() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(HOSTILE.replace(['\0', '/'], ""));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("opencode.db");
    Fixture::create(&db, Schema::Current).unwrap();
    for path in [db.clone(), dir.join("missing.db")] {
        let p = path.display().to_string();
        let (code, out, err) = otop(&["doctor", "--db", &p], &[]);
        // 1 for the missing one: a check failed.
        assert!(matches!(code, 0 | 1), "{err}");
        assert_inert("doctor", &out);
        assert_inert("doctor stderr", &err);
        assert!(out.contains("txt.exe"), "the path is shown: {out}");
    }
}
