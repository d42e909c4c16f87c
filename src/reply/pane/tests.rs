use super::*;
use crate::error::answer::Doubt;

fn request(ask: Ask) -> Request {
    Request {
        id: "prt_1".into(),
        session_id: "ses_1".into(),
        from_plugin: false,
        ask,
    }
}

fn bash(what: &str) -> Request {
    request(Ask::Permission {
        tool: "bash".into(),
        what: what.into(),
    })
}

fn perm(body: &[&str]) -> Dialog {
    Dialog::Permission {
        body: body.iter().map(|s| s.to_string()).collect(),
        options: Vec::new(),
        selected: Some(0),
    }
}

#[test]
fn the_dialog_must_show_that_very_command() {
    let d = perm(&["# Shell command", "$ sleep 7"]);
    assert!(shows(&d, &bash("sleep 7")));
    assert!(!shows(&d, &bash("sleep 70")));
    assert!(!shows(&d, &bash("sleep")));
    // A long command wraps in the dialog.
    let d = perm(&["# Run it", "$ cargo test --work", "space -- --nocapture"]);
    assert!(shows(&d, &bash("cargo test --workspace -- --nocapture")));
}

#[test]
fn the_dialog_must_ask_that_very_question() {
    let q = crate::model::request::question(&["Red", "Blue"], true);
    let d = |text: &str, options: &[&str]| Dialog::Question {
        text: text.into(),
        options: options.iter().map(|s| s.to_string()).collect(),
        custom: true,
        tabs: false,
        typing: None,
    };
    assert!(shows(&d("Which colour?", &["Red", "Blue"]), &q));
    assert!(!shows(&d("Which colour?", &["Red", "Green"]), &q));
    assert!(!shows(&d("Which size?", &["Red", "Blue"]), &q));
    assert!(!shows(&perm(&["$ sleep 1"]), &q));
}

#[test]
fn only_what_the_pane_can_be_trusted_with() {
    assert!(supported(&bash("sleep 1")).is_ok());
    let edit = request(Ask::Permission {
        tool: "edit".into(),
        what: "src/a.rs".into(),
    });
    assert_eq!(
        supported(&edit).expect_err("edit").to_string(),
        "without the companion plugin otop answers bash permissions only, not edit"
    );
}

#[test]
fn an_answer_is_taken_only_when_opencode_says_so() {
    let req = bash("sleep 1");
    // The process ended (its row is gone): no evidence, whatever happened to the keys.
    let why = confirm(&req, &mut || None).expect_err("a process that ended took nothing");
    assert!(why.to_string().contains("ended before"), "{why}");
    // The session's facts read again, the request no longer pending: taken.
    let mut row = Row {
        process: None,
        session: Some(crate::source::db::types::SessionFacts::default()),
        status: crate::model::state::Status::new(crate::model::state::State::Idle, ""),
        matched: None,
        tmux: None,
        unseen: false,
        certain: false,
        host: None,
    };
    assert!(taken(&row, &req));
    // The database could not be read: that is no answer either.
    row.session = None;
    assert!(!taken(&row, &req));
    // Still pending.
    row.session = Some(Default::default());
    row.status.request = Some(Box::new(req.clone()));
    assert!(!taken(&row, &req));
}

/// A private tmux server, killed on drop.
struct Server {
    sock: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let sock = dir.path().join("sock").display().to_string();
        Server { sock, dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        tmux::run_tmux(Some(&self.sock), args).expect("tmux")
    }

    /// A new window running `cmd`: its pane id, pid and tty.
    fn window(&self, cmd: &str) -> (String, u32, String) {
        let out = self.tmux(&[
            "new-session",
            "-d",
            "-P",
            "-F",
            "#{pane_id} #{pane_pid} #{pane_tty}",
            "-x",
            "170",
            "-y",
            "50",
            "--",
            cmd,
        ]);
        let f: Vec<&str> = out.split_whitespace().collect();
        (f[0].into(), f[1].parse().expect("pid"), f[2].into())
    }

    fn loc(&self, pane: &str) -> TmuxLocation {
        TmuxLocation {
            socket: self.sock.clone(),
            pane_id: pane.into(),
            target: pane.into(),
            session: String::new(),
            window: 0,
            window_name: String::new(),
            host: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = tmux::run_tmux(Some(&self.sock), &["kill-server"]);
    }
}

/// What the process table says of `pid` (its start time, its terminal).
fn process(pid: u32) -> ProcessInfo {
    crate::source::process::named(|_| true)
        .into_iter()
        .find(|p| p.pid == pid)
        .expect("the process is there")
}

fn wait(mut ok: impl FnMut() -> bool) -> bool {
    crate::testkit::standin::wait_for(&mut ok)
}

#[test]
fn a_pane_that_only_shows_the_dialog_gets_no_keys() {
    let srv = Server::start();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dialog/opencode-1.18.33-perm.ansi"
    );
    // A stand-in "opencode" on the pane's terminal, in the background; in front, `cat` printing
    // opencode 1.18.33's permission dialog, then reading the keys.
    let pidfile = srv.dir.path().join("pid");
    let cmd = format!(
        "(sleep 600 & echo $! > '{}'); cat '{fixture}'; exec cat",
        pidfile.display()
    );
    let (pane, _, tty) = srv.window(&cmd);
    assert!(wait(
        || std::fs::read_to_string(&pidfile).is_ok_and(|s| s.ends_with('\n'))
    ));
    let standin: u32 = std::fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .parse()
        .expect("pid");
    let _kill = crate::testkit::standin::Standin { pid: standin };
    // A proven opencode version, as far as its executable's package says.
    let pkg = srv.dir.path().join("node_modules/opencode-ai");
    std::fs::create_dir_all(pkg.join("bin")).expect("mkdir");
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name":"opencode-ai","version":"1.18.33"}"#,
    )
    .expect("write");
    let mut info = process(standin);
    info.exe = Some(pkg.join("bin/opencode.exe").display().to_string());
    assert_eq!(info.tty.as_deref(), Some(tty.as_str()));
    let mut row = Row {
        process: Some(crate::model::row::ProcessRow {
            info,
            kind: crate::source::process::types::Kind::Tui,
            cpu_percent: None,
            owner: None,
            plugin: false,
        }),
        session: None,
        status: crate::model::state::Status::new(crate::model::state::State::Waiting, ""),
        matched: None,
        tmux: Some(srv.loc(&pane)),
        unseen: false,
        certain: false,
        host: None,
    };
    let req = bash("sleep 7");
    let loc = srv.loc(&pane);
    assert!(wait(
        || read(&loc).is_ok_and(|d| d.is_some_and(|d| shows(&d, &req)))
    ));
    let before = tmux::capture_pane(&srv.sock, &pane).expect("capture");
    let outcome = prepare(&row, &req).and_then(|ready| {
        ready.send(&req, &Answer::Once, &mut || {
            row.session = Some(Default::default());
            Some(row.clone())
        })
    });
    let why = outcome.expect_err("cat reads the pane's keys, not opencode");
    assert!(
        matches!(&why, Error::NotAlone { why: Doubt::Shared { other, .. }, .. }
            if other.ends_with("(cat)")),
        "{why:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        tmux::capture_pane(&srv.sock, &pane).expect("capture"),
        before
    );
}

#[test]
fn typed_text_reaches_the_pane_as_text() {
    let srv = Server::start();
    let out = srv.dir.path().join("typed");
    let (pane, pid, _) = srv.window(&format!("exec cat > '{}'", out.display()));
    let (other, _, _) = srv.window("exec cat");
    let keys = Keys {
        loc: srv.loc(&pane),
        process: process(pid),
    };
    let texts = ["-v please", "-R", &format!("-t{other} x"), "--", ";"];
    for t in texts {
        keys.text(t).expect("typed");
        keys.keys(&["Enter"]).expect("enter");
    }
    let want = texts.map(|t| format!("{t}\n")).concat();
    assert!(
        wait(|| std::fs::read_to_string(&out).is_ok_and(|s| s == want)),
        "{:?}",
        std::fs::read_to_string(&out)
    );
    let there = tmux::capture_pane(&srv.sock, &other).expect("capture");
    assert_eq!(there.trim(), "", "keys reached the other pane");
}
