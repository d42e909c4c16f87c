//! `--demo` and `OTOP_DEMO` reach every command: status, sessions, jump, pick, watch and the
//! monitor all read the simulated fleet (in a HOME with no opencode at all), and nothing acts on
//! tmux: a jump says where it would go.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::{TmuxServer, have_tmux, otop, wait_for};

/// An empty HOME: no database, no configuration, no opencode.
fn empty_home() -> (tempfile::TempDir, Vec<(&'static str, String)>) {
    let tmp = tempfile::tempdir().unwrap();
    let at = |p: &str| tmp.path().join(p).display().to_string();
    let env = vec![
        ("HOME", at("")),
        ("XDG_DATA_HOME", at("data")),
        ("XDG_CONFIG_HOME", at("config")),
        ("XDG_STATE_HOME", at("state")),
        ("OPENCODE_DB", String::new()),
        ("OTOP_CONFIG", String::new()),
    ];
    (tmp, env)
}

fn run(args: &[&str], env: &[(&'static str, String)], demo: Option<&str>) -> (i32, String, String) {
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.push(("OTOP_DEMO", demo.unwrap_or("")));
    otop(args, &all)
}

const DEMO_TITLE: &str = "Refactor auth middleware";

#[test]
fn one_shot_commands_read_the_demo_fleet() {
    let (_home, env) = empty_home();
    let (code, out, err) = run(&["--demo", "status", "--plain"], &env, None);
    assert_eq!(code, 0, "{err}");
    // The demo's sessions move through their phases with the clock: any state may show, and
    // every one of its six sessions counts.
    let total: u32 = out
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u32>().ok())
        .sum();
    assert_eq!(total, 6, "{out}");

    let (code, out, err) = run(&["sessions", "--demo", "--json"], &env, None);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(rows.as_array().is_some_and(|r| r.len() >= 6), "{out}");
    assert!(out.contains(DEMO_TITLE), "{out}");

    let (code, out, err) = run(&["--demo", "sessions"], &env, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(DEMO_TITLE), "{out}");

    // By id: which demo session is waiting depends on the demo's phase at the wall clock.
    let id = rows
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["session"]["title"] == DEMO_TITLE)
        .and_then(|r| r["session"]["id"].as_str())
        .expect("the demo session's id")
        .to_string();
    let (code, out, err) = run(&["--demo", "jump", &id], &env, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("demo: would jump to "), "{out}");
}

#[test]
fn otop_demo_takes_the_usual_spellings_of_on_and_off() {
    let (_home, env) = empty_home();
    for on in ["1", "true", "yes", "on", "ON"] {
        let (code, out, err) = run(&["sessions"], &env, Some(on));
        assert_eq!(code, 0, "OTOP_DEMO={on}: {err}");
        assert!(out.contains(DEMO_TITLE), "OTOP_DEMO={on}: {out}");
    }
    for off in ["0", "false", "no", "off", ""] {
        let (code, out, _) = run(&["status", "--json"], &env, Some(off));
        assert_eq!(code, 0, "OTOP_DEMO={off}");
        assert!(!out.contains(DEMO_TITLE), "OTOP_DEMO={off}: {out}");
    }
    let (code, _, err) = run(&["sessions"], &env, Some("maybe"));
    assert_eq!(code, 2);
    assert!(err.contains("1, true, yes or on"), "{err}");
}

/// The picker and the monitor run inside a tmux pane (so `$TMUX` names a real server with a
/// client's pane to move); `enter` and `o` only say where they would go.
#[test]
fn the_demo_picker_and_monitor_move_nothing() {
    if !have_tmux() {
        return;
    }
    let (_home, env) = empty_home();
    let srv = TmuxServer::shell(120, 30);
    let exports: String = env
        .iter()
        .map(|(k, v)| format!("export {k}='{v}'; "))
        .collect();
    let bin = env!("CARGO_BIN_EXE_otop");
    srv.type_text("t", &format!("{exports}{bin} pick --demo\n"));
    srv.wait_text("t", "enter jump");
    srv.send("t", &["Enter"]);
    srv.wait_text("t", "demo: would jump to");
    srv.send("t", &["Escape"]);
    srv.wait_text("t", "$");

    srv.type_text("t", &format!("clear; OTOP_DEMO=yes {bin}\n"));
    srv.wait_text("t", DEMO_TITLE);
    srv.send("t", &["o"]);
    srv.wait_text("t", "demo: would jump to");
    srv.send("t", &["q"]);
    assert_eq!(srv.display("t", "#{pane_id}"), "%0");
}

/// `watch --tmux` on the demo keeps the status option of the user's server current from the
/// fleet, and marks none of the server's panes: demo panes are nobody's.
#[test]
fn the_demo_watcher_sets_the_status_and_marks_no_pane() {
    if !have_tmux() {
        return;
    }
    let (_home, env) = empty_home();
    let srv = TmuxServer::shell(80, 24);
    let mut child = Command::new(env!("CARGO_BIN_EXE_otop"))
        .args(["--demo", "watch", "--tmux", "--plain", "--interval", "0.2"])
        .arg("--socket")
        .arg(&srv.socket)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("TMUX")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_for(Duration::from_secs(10), || {
        let s = srv.ok(&["show-option", "-gqv", "@otop_status"]);
        (!s.trim().is_empty()).then_some(s)
    });
    let panes = srv.ok(&["list-panes", "-a", "-F", "#{pane_id}=#{@otop_state}"]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(status.is_some(), "no demo status was set");
    assert!(
        panes.lines().all(|l| l.ends_with('=')),
        "a pane was marked: {panes}"
    );
}
