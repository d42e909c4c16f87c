//! `otop sessions --json` against real processes: stand-in `opencode` executables running in
//! panes of a private tmux server, and a database the test builds. Each process must map to
//! the right session, pane and state.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use otop::collect::now_ms;
use otop::source::db::types::Tokens;
use otop::testkit::fixture::AssistantSpec;
use serde_json::Value;
use support::world::{Running, World, running, session};
use support::{TmuxServer, have_tmux, otop, wait_for};

fn sessions_json(data: &Path, all: bool) -> Vec<Value> {
    let data = data.display().to_string();
    let mut args = vec!["sessions", "--json"];
    if all {
        args.push("--all");
    }
    let (code, out, err) = otop(&args, &[("XDG_DATA_HOME", &data), ("OPENCODE_DB", "")]);
    assert_eq!(code, 0, "otop sessions failed: {err}");
    serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("bad JSON {e}: {out}"))
}

fn row_of(rows: &[Value], pid: u32) -> Option<&Value> {
    rows.iter()
        .find(|r| r["pid"] == pid && r["session"]["parent_id"].is_null())
}

#[test]
fn each_process_maps_to_its_session_and_pane() {
    if !have_tmux() {
        return;
    }
    let w = World::new();
    let (data, proj_a, proj_b) = (&w.data, w.project("proj-a"), w.project("proj-b"));

    // Two tmux sessions; proj-a has two processes (one resumed with -s), proj-b one.
    let srv = TmuxServer::start("one", &proj_a, &w.opencode());
    let pane_a = srv.display("one:0", "#{pane_id}");
    let pane_flag = srv.window("one", &proj_a, &w.opencode_resumed("ses_flagged"));
    let pane_b = srv.session("two", &proj_b, &w.opencode());
    let (pid_a, pid_flag, pid_b) = (
        srv.pane_pid(&pane_a),
        srv.pane_pid(&pane_flag),
        srv.pane_pid(&pane_b),
    );

    // The processes must be running before their sessions show activity.
    std::thread::sleep(Duration::from_millis(100));
    let t = now_ms();
    let mut fx = w.fixture();

    // An old session in proj-a, untouched since long before: nobody runs it.
    let old = session(&mut fx, "ses_old", "Old work", &proj_a, t - 86_400_000);
    fx.user_message(&old, t - 86_400_000).unwrap();

    // proj-a, plain process: a finished reply → idle.
    let a = session(&mut fx, "ses_alpha", "Fix the parser", &proj_a, t);
    fx.user_message(&a, t + 1).unwrap();
    let m = fx
        .assistant_message(
            &a,
            t + 2,
            AssistantSpec {
                completed: Some(t + 3),
                finish: Some("stop".into()),
                tokens: Tokens {
                    input: 900,
                    output: 120,
                    cache_read: 100,
                    ..Tokens::default()
                },
                ..AssistantSpec::default()
            },
        )
        .unwrap();
    fx.text_part(&m, t + 2, "Done.\nThe parser handles CRLF now.\n")
        .unwrap();

    // proj-a, resumed with -s: a question is pending → waiting.
    let f = session(
        &mut fx,
        "ses_flagged",
        "Pick a colour",
        &proj_a,
        t - 3_600_000,
    );
    running(&mut fx, &f, t, Running::Question);

    // proj-b: bash running with metadata → working, tool:bash.
    let b = session(&mut fx, "ses_beta", "Run the tests", &proj_b, t);
    running(&mut fx, &b, t, Running::Bash);
    drop(fx);

    let rows = wait_for(Duration::from_secs(10), || {
        let rows = sessions_json(data, false);
        [pid_a, pid_flag, pid_b]
            .iter()
            .all(|p| row_of(&rows, *p).is_some())
            .then_some(rows)
    })
    .unwrap_or_else(|| {
        panic!(
            "not every process matched: {:#?}",
            sessions_json(data, true)
        )
    });

    let expect = [
        (pid_a, "ses_alpha", &pane_a, "idle", "activity"),
        (pid_flag, "ses_flagged", &pane_flag, "waiting", "flag"),
        (pid_b, "ses_beta", &pane_b, "working", "activity"),
    ];
    for (pid, sid, pane, state, rule) in expect {
        let r = row_of(&rows, pid).unwrap();
        assert_eq!(r["session"]["id"], sid, "pid {pid}: {r:#}");
        assert_eq!(r["tmux"]["pane_id"], pane.as_str(), "pid {pid}: {r:#}");
        assert_eq!(r["tmux"]["socket"], srv.socket_str(), "pid {pid}");
        assert_eq!(r["state"], state, "pid {pid}: {r:#}");
        assert_eq!(r["match"], rule, "pid {pid}: {r:#}");
        assert_eq!(r["kind"], "tui");
    }
    let b_row = row_of(&rows, pid_b).unwrap();
    assert_eq!(b_row["status"], "tool:bash");
    assert_eq!(b_row["tmux"]["session"], "two");
    let a_row = row_of(&rows, pid_a).unwrap();
    assert_eq!(
        a_row["session"]["last_output"],
        "The parser handles CRLF now."
    );
    assert_eq!(a_row["session"]["tokens"]["context"], 1000);
    assert!(
        rows.iter().all(|r| r["session"]["id"] != "ses_old"),
        "nobody runs the old session"
    );

    // The table for people shows the same, one line per session.
    let (code, table, _) = otop(
        &["sessions"],
        &[("XDG_DATA_HOME", &data.display().to_string())],
    );
    assert_eq!(code, 0);
    for needle in ["ses_alpha", "ses_flagged", "ses_beta", "waiting", "two:0.0"] {
        assert!(table.contains(needle), "table lacks {needle}:\n{table}");
    }
}

/// No database and nothing running is an empty answer, as `jq` expects (`[]`, exit 0); a
/// person is told why the table is empty, in one line naming where otop looked.
#[test]
fn no_database_and_nothing_running_is_an_empty_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp
        .path()
        .join("opencode/opencode.db")
        .display()
        .to_string();
    // `--db`: every process (another test's, a user's) is read from this missing file, so none
    // is matched and none is shown without --all.
    let (code, out, err) = otop(&["--db", &db, "sessions", "--json"], &[]);
    assert_eq!((code, out.trim()), (0, "[]"), "{err}");
    let (code, out, err) = otop(&["--db", &db, "sessions"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no opencode session is running"), "{err}");
    assert!(err.contains(&db) && err.contains("--db"), "{err}");

    // doctor says so in its database line, fails for it, and the rest still runs.
    let (code, out, _) = otop(&["--db", &db, "doctor"], &[]);
    assert_eq!(code, 1, "{out}");
    let db_line = out
        .lines()
        .find(|l| l.contains("database"))
        .unwrap_or_default();
    assert!(
        db_line.starts_with("!!") && db_line.contains("no opencode database"),
        "{out}"
    );
    for topic in ["opencode", "tmux", "plugin", "terminal"] {
        assert!(
            out.lines().any(|l| l.contains(topic)),
            "doctor lacks {topic}:\n{out}"
        );
    }
}

/// A database that exists and cannot be read: the rows otop could read, then the reason, and
/// exit 1 (some sessions may be missing from the answer).
#[test]
fn an_unreadable_database_fails_after_what_could_be_read() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    std::fs::write(&db, b"this is not an SQLite database, just text").unwrap();
    let db = db.display().to_string();
    let (code, out, err) = otop(&["--db", &db, "sessions", "--json"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.trim(), "[]");
    assert!(err.starts_with("otop: ") && err.contains(&db), "{err}");
}

/// opencode processes that hold their own databases while otop's default path has none: every
/// command shows them, the same way (`sessions` used to fail with "no opencode database").
#[test]
fn every_command_reads_the_databases_the_processes_hold() {
    let w = World::new();
    let proj = w.project("proj");
    let t = now_ms();
    let mut fx = w.fixture();
    let sid = session(&mut fx, "ses_own_db", "Its own database", &proj, t - 60_000);
    running(&mut fx, &sid, t - 1_000, Running::Question);
    let data = w.data_env();
    let oc = w
        .standins
        .spawn_session("ses_own_db", &proj, &[("XDG_DATA_HOME", data.as_str())]);
    // otop's own environment points at an empty data directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let env = [
        ("XDG_DATA_HOME", elsewhere.path().to_str().unwrap()),
        ("OPENCODE_DB", ""),
    ];
    let rows = wait_for(Duration::from_secs(10), || {
        let (code, out, err) = otop(&["sessions", "--json"], &env);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
        row_of(&rows, oc.pid).is_some().then_some(rows)
    })
    .expect("sessions lists the stand-in's session");
    let row = row_of(&rows, oc.pid).unwrap();
    assert_eq!(row["session"]["id"], "ses_own_db");
    assert_eq!(row["state"], "waiting");

    let (code, out, err) = otop(&["status", "--json"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ses_own_db"), "{out}");
    let (code, out, err) = otop(&["jump", "ses_own_db"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Its own database"), "{out}");
}

/// Sessions mid-turn, silent for ten minutes, whose opencode uses no CPU (one waiting for the
/// model's first token, one cut off mid-answer): `otop sessions`, `otop status` and `otop jump
/// --next stalled` all call them stalled. The one-shot commands have no CPU sample of their
/// own; the collector takes one where the stall rule needs it.
#[test]
fn sessions_status_and_jump_agree_on_stalled_sessions() {
    let w = World::new();
    let proj = w.project("proj");
    let t = now_ms();
    let mut fx = w.fixture();
    let mut standins = Vec::new();
    for (id, parts) in [("ses_nothing", false), ("ses_partial", true)] {
        let sid = session(&mut fx, id, "Stuck", &proj, t - 1_200_000);
        fx.user_message(&sid, t - 600_000).unwrap();
        let m = fx
            .assistant_message(&sid, t - 600_000, AssistantSpec::default())
            .unwrap();
        if parts {
            fx.text_part(&m, t - 600_000, "Let me").unwrap();
        }
        let env = [("XDG_DATA_HOME", w.data_env())];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        standins.push(w.standins.spawn_session(id, &proj, &env));
    }
    let env = [
        ("XDG_DATA_HOME", w.data.to_str().unwrap()),
        ("OPENCODE_DB", ""),
    ];
    for oc in &standins {
        let row = wait_for(Duration::from_secs(10), || {
            row_of(&sessions_json(&w.data, false), oc.pid).cloned()
        })
        .expect("a row for the stand-in");
        assert_eq!(
            (row["state"].as_str(), row["status"].as_str()),
            (Some("stalled"), Some("stalled: no activity")),
            "{row}"
        );
    }
    let (code, out, err) = otop(&["status", "--json"], &env);
    assert_eq!(code, 0, "{err}");
    let status: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["stalled"], 2, "{out}");
    let (code, out, err) = otop(&["status", "--plain", "--format", "{stalled}"], &env);
    assert_eq!((code, out.trim()), (0, "2"), "{err}");
    let (code, out, err) = otop(&["jump", "--next", "stalled"], &env);
    assert_eq!(code, 0, "jump finds one: {err}");
    assert!(
        out.contains("ses_nothing") || out.contains("ses_partial"),
        "{out}"
    );
}
