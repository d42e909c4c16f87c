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

#[test]
fn a_missing_database_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().display().to_string();
    let (code, out, err) = otop(
        &["sessions"],
        &[("XDG_DATA_HOME", &data), ("OPENCODE_DB", "")],
    );
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{data}/opencode/opencode.db")),
        "{err}"
    );
    assert!(err.contains("--db") && err.contains("OPENCODE_DB"), "{err}");

    // doctor says the same in its database line, and the rest still runs.
    let (code, out, _) = otop(
        &["doctor"],
        &[("XDG_DATA_HOME", &data), ("OPENCODE_DB", "")],
    );
    assert_eq!(code, 0);
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
