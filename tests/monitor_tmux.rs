//! End to end: `otop --demo` in a private tmux server, driven with `send-keys`, read back with
//! `capture-pane`. Skipped (with a reason) only when tmux is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Server {
    _dir: tempfile::TempDir,
    sock: PathBuf,
}

impl Server {
    fn start(width: u16, height: u16) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let sock = dir.path().join("sock");
        let server = Server { _dir: dir, sock };
        let out = server.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "env PS1='$ ' NO_COLOR= sh",
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        server
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.tmux(&args).status.success());
    }

    fn send_text(&self, text: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "t", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self.tmux(&["display", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the screen until `ok` holds; panics with the last screen after a deadline.
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |s| s.contains(needle))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn demo_monitor_in_tmux() {
    if !have_tmux() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let srv = Server::start(120, 40);
    srv.wait_for("$");
    let cmd = format!(
        "{} --demo --interval 0.5; echo otop-exit=$?",
        env!("CARGO_BIN_EXE_otop")
    );
    srv.send_text(&cmd);
    srv.send(&["Enter"]);

    let s = srv.wait_for("STATUS▲");
    assert!(s.contains("sort STATUS▲"), "{s}");
    srv.wait_for("Fix flaky CI on macOS");
    assert_eq!(srv.display("#{alternate_on}"), "1");
    assert_eq!(srv.display("#W"), "otop", "window renamed while running");

    srv.send(&["j"]);
    srv.send(&[">"]);
    srv.wait_for("sort SID▲");
    srv.send(&["s"]);
    srv.wait_for("sort SID▼");

    srv.send(&["/"]);
    srv.send_text("billing");
    let s = srv.wait_for("/billing█");
    srv.wait("only the billing row", |s| {
        s.contains("Migrate billing schema") && !s.contains("Fix flaky CI")
    });
    assert!(s.contains("shown"), "{s}");
    srv.send(&["Enter"]);
    srv.wait_for("filter “billing”");

    srv.send(&["Enter"]);
    let s = srv.wait_for("cwd /home/dev/src/billing");
    assert!(s.contains("session ses_"), "{s}");
    srv.wait_for("cargo test --workspace");
    srv.send(&["Tab"]);
    srv.wait_for("assistant");

    srv.send(&["Escape"]);
    srv.wait_for("TITLE");
    srv.send(&["q"]);
    let s = srv.wait_for("otop-exit=0");
    assert!(!s.contains("TITLE"), "monitor still on screen:\n{s}");
    assert_eq!(srv.display("#{alternate_on}"), "0");
    srv.wait("window name restored", |_| srv.display("#W") != "otop");
}

#[test]
fn sigterm_restores_the_terminal() {
    if !have_tmux() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let srv = Server::start(80, 24);
    srv.wait_for("$");
    let cmd = format!("{} --demo; echo otop-exit=$?", env!("CARGO_BIN_EXE_otop"));
    srv.send_text(&format!("{cmd}\n"));
    srv.wait_for("STATUS▲");
    // otop is the pane shell's child.
    let pane_pid = srv.display("#{pane_pid}");
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
    srv.wait_for("otop-exit=0");
    assert_eq!(srv.display("#{alternate_on}"), "0");
}

#[test]
fn a_hangup_ends_the_monitor() {
    if !have_tmux() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let srv = Server::start(80, 24);
    srv.wait_for("$");
    srv.send_text(&format!("exec {} --demo\n", env!("CARGO_BIN_EXE_otop")));
    srv.wait_for("STATUS▲");
    let pid = srv.display("#{pane_pid}");
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
