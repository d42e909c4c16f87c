//! What a user can do to otop's command line without making it panic, hang or write where it
//! should not: close its output early, run a full-screen view without a terminal, give it
//! absurd numbers or a configuration file that is not a file.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otop::testkit::fixture::{Fixture, Schema};
use support::otop;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otop"));
    cmd.env_remove("TMUX")
        .env_remove("TMUX_PANE")
        .env("OTOP_CONFIG", "/nonexistent/otop.toml")
        .stdin(Stdio::null());
    cmd
}

/// Runs `args` with stdout a pipe whose reader is already gone: every write fails with EPIPE.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("opencode.db");
    Fixture::create(&db, Schema::Current).unwrap();
    let db = db.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["--help"],
        &["--version"],
        &["completions", "bash"],
        &["man"],
        &["config", "--print-default"],
        &["config", "--path"],
        &["status", "--db", db],
        &["status", "--json", "--db", db],
        &["status", "--empty", "none", "--db", db],
        &["sessions", "--db", db],
        &["sessions", "--json", "--all", "--db", db],
        &["doctor", "--db", db],
        &["plugin", "status"],
    ];
    for args in commands {
        let (code, stderr) = with_closed_stdout(args);
        assert!(
            !stderr.contains("panicked") && code != Some(101),
            "{args:?}: exit {code:?}, stderr {stderr}"
        );
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn full_screen_views_without_a_terminal_say_so_and_write_nothing() {
    for args in [&["pick"][..], &["--demo"][..]] {
        let out = bin().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} wrote {:?}", out.stdout);
        assert!(stderr.contains("needs a terminal"), "{stderr}");
        // What to do instead, for the view at hand.
        let instead = if args[0] == "pick" {
            "display-popup -E"
        } else {
            "otop sessions --json"
        };
        assert!(stderr.contains(instead), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn absurd_intervals_are_refused_when_parsed() {
    for bad in ["nan", "inf", "1e30", "-1", "0"] {
        let flag = format!("--interval={bad}");
        for args in [
            &[flag.as_str()][..],
            &["watch", "--tmux", "--socket", "/nonexistent", &flag][..],
        ] {
            let out = bin().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains("interval"), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

#[test]
fn a_configuration_that_is_not_a_file_is_reported_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("config.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for config in [fifo.to_str().unwrap(), "/dev/zero"] {
        let started = Instant::now();
        let out = bin()
            .args(["sessions", "--config", config])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(started.elapsed() < Duration::from_secs(5), "{config}");
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        // doctor reports it among the rest instead of failing.
        let out = bin().args(["doctor", "--config", config]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("not a regular file"), "{stdout}");
    }
}

#[test]
fn config_directories_that_are_files_mean_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let db = dir.path().join("opencode.db");
    Fixture::create(&db, Schema::Current).unwrap();
    for base in [file.to_str().unwrap(), "/dev/null"] {
        let out = bin()
            .env_remove("OTOP_CONFIG")
            .env("XDG_CONFIG_HOME", base)
            .env("HOME", base)
            .args(["status", "--json", "--db", db.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{base}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("\"total\""));
    }
}

/// Issue 28: a planted opencode 2 `service.json` (its shared server's registration, in
/// opencode's state directory): `otop sessions` and doctor say that opencode 2 is not read yet
/// and which version was found; a 1.x one says nothing.
#[test]
fn signs_of_opencode_2_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(state.join("opencode")).unwrap();
    let service = state.join("opencode/service.json");
    let env = [
        ("XDG_STATE_HOME", state.display().to_string()),
        (
            "XDG_DATA_HOME",
            dir.path().join("data").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME",
            dir.path().join("config").display().to_string(),
        ),
        (
            "XDG_RUNTIME_DIR",
            dir.path().join("run").display().to_string(),
        ),
        ("OPENCODE_DB", String::new()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    std::fs::write(
        &service,
        r#"{"id":"srv_1","version":"2.0.4","url":"http://127.0.0.1:4096","pid":1}"#,
    )
    .unwrap();
    let (code, _, err) = otop(&["sessions"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("opencode 2.0.4 runs here") && err.contains("not shown yet"),
        "{err}"
    );
    assert!(err.contains("no opencode 1 session is running"), "{err}");
    let (code, out, _) = otop(&["doctor"], &env);
    assert_eq!(code, 1);
    let line = out
        .lines()
        .find(|l| l.contains("opencode 2.0.4"))
        .unwrap_or("");
    assert!(line.starts_with("!!  opencode"), "{out}");

    std::fs::write(&service, r#"{"version":"1.18.33"}"#).unwrap();
    let (_, _, err) = otop(&["sessions"], &env);
    assert!(!err.contains("runs here"), "{err}");
}
