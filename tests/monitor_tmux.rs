//! End to end: `otop --demo` in a private tmux server, driven with `send-keys`, read back with
//! `capture-pane`. Skipped (with a reason) only when tmux is not installed.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{TmuxServer, have_tmux};

/// The shell pane every test types into.
const T: &str = "t";

#[test]
fn demo_monitor_in_tmux() {
    if !have_tmux() {
        return;
    }
    let srv = TmuxServer::shell(120, 40);
    let cmd = format!(
        "{} --demo --interval 0.5; echo otop-exit=$?",
        env!("CARGO_BIN_EXE_otop")
    );
    srv.type_text(T, &cmd);
    srv.send(T, &["Enter"]);

    let s = srv.wait_text(T, "STATUS▲");
    assert!(s.contains("sort STATUS▲"), "{s}");
    srv.wait_text(T, "Fix flaky CI on macOS");
    assert_eq!(srv.display(T, "#{alternate_on}"), "1");
    assert_eq!(srv.display(T, "#W"), "otop", "window renamed while running");

    srv.send(T, &["j"]);
    srv.send(T, &[">"]);
    srv.wait_text(T, "sort WAITED▼");
    // The fleet view: a strip per session on one axis, its legend; the same key goes back.
    srv.send(T, &["f"]);
    let s = srv.wait_text(T, "underlined: seen by otop only");
    assert!(s.contains("f back") && s.contains('◆'), "{s}");
    srv.send(T, &["f"]);
    srv.wait_text(T, "LONGEST");
    srv.send(T, &[">"]);
    srv.wait_text(T, "sort SID▲");
    srv.send(T, &["s"]);
    srv.wait_text(T, "sort SID▼");

    srv.send(T, &["/"]);
    srv.type_text(T, "billing");
    let s = srv.wait_text(T, "/billing█");
    srv.wait_screen(T, "only the billing row", |s| {
        s.contains("Migrate billing schema") && !s.contains("Fix flaky CI")
    });
    assert!(s.contains("shown"), "{s}");
    srv.send(T, &["Enter"]);
    srv.wait_text(T, "filter “billing”");

    srv.send(T, &["Enter"]);
    let s = srv.wait_text(T, "cwd /home/dev/src/billing");
    assert!(s.contains("session ses_"), "{s}");
    srv.wait_text(T, "cargo test --workspace");
    srv.send(T, &["Tab"]);
    srv.wait_text(T, "assistant");

    srv.send(T, &["Escape"]);
    srv.wait_text(T, "TITLE");
    srv.send(T, &["q"]);
    let s = srv.wait_text(T, "otop-exit=0");
    assert!(!s.contains("TITLE"), "monitor still on screen:\n{s}");
    assert_eq!(srv.display(T, "#{alternate_on}"), "0");
    srv.wait_screen(T, "window name restored", |_| {
        srv.display(T, "#W") != "otop"
    });
}

#[test]
fn sigterm_restores_the_terminal() {
    if !have_tmux() {
        return;
    }
    let srv = TmuxServer::shell(80, 24);
    let cmd = format!("{} --demo; echo otop-exit=$?", env!("CARGO_BIN_EXE_otop"));
    srv.type_text(T, &format!("{cmd}\n"));
    srv.wait_text(T, "STATUS▲");
    // otop is the pane shell's child.
    let pane_pid = srv.display(T, "#{pane_pid}");
    let out = Command::new("pgrep")
        .args(["-P", &pane_pid, "-x", "otop"])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "otop pid not found");
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success())
    );
    srv.wait_text(T, "otop-exit=0");
    assert_eq!(srv.display(T, "#{alternate_on}"), "0");
}

#[test]
fn a_hangup_ends_the_monitor() {
    if !have_tmux() {
        return;
    }
    let srv = TmuxServer::shell(80, 24);
    srv.type_text(T, &format!("exec {} --demo\n", env!("CARGO_BIN_EXE_otop")));
    srv.wait_text(T, "STATUS▲");
    let pid = srv.display(T, "#{pane_pid}");
    // The terminal goes away (the server dies): otop must not outlive it.
    let _ = srv.tmux(&["kill-server"]);
    let gone = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            Instant::now() < gone,
            "otop (pid {pid}) is still running after its terminal hung up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
