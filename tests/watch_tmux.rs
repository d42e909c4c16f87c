//! `otop watch --tmux` against a private tmux server: stand-in `opencode` processes in panes, a
//! database the test writes. The options a status bar reads must appear with the right values,
//! follow the database, and the watcher must exit when its server is killed.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use otop::collect::now_ms;
use support::world::{Running, World, finish, running, session};
use support::{TmuxServer, have_tmux, wait_for};

struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn watch(srv: &TmuxServer, data: &Path) -> Watcher {
    watch_with(srv, data, &[])
}

/// [`watch`] with more arguments (`--format …`).
fn watch_with(srv: &TmuxServer, data: &Path, extra: &[&str]) -> Watcher {
    let child = Command::new(env!("CARGO_BIN_EXE_otop"))
        .args([
            "watch",
            "--tmux",
            "--plain",
            "--interval",
            "0.2",
            "--no-notify",
            "--socket",
        ])
        .arg(&srv.socket)
        .args(extra)
        // Only this database: other opencode processes on the machine (another test, a real
        // user's) then match no session and stay out of the counts.
        .arg("--db")
        .arg(data.join("opencode/opencode.db"))
        .env("XDG_DATA_HOME", data)
        // Marks, the notification lock and the (empty) configuration stay in the test's world.
        .env("XDG_STATE_HOME", data.join("state"))
        .env("XDG_RUNTIME_DIR", data.join("run"))
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("OPENCODE_DB", "")
        .env_remove("TMUX")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Watcher(child)
}

fn global(srv: &TmuxServer, name: &str) -> String {
    srv.ok(&["show-option", "-gqv", name]).trim().to_string()
}

fn pane_state(srv: &TmuxServer, pane: &str) -> String {
    srv.pane_option(pane, "@otop_state")
}

fn until(srv: &TmuxServer, what: &str, f: impl Fn(&TmuxServer) -> bool) {
    let ok = wait_for(Duration::from_secs(15), || f(srv).then_some(()));
    assert!(
        ok.is_some(),
        "{what}: @otop_status={:?}, options: {}",
        global(srv, "@otop_status"),
        srv.ok(&["show-options", "-g"])
    );
}

#[test]
fn options_follow_the_sessions_and_the_watcher_ends_with_its_server() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let (proj_a, proj_b) = (world.project("proj-a"), world.project("proj-b"));
    let srv = TmuxServer::start("one", &proj_a, &world.opencode());
    let pane_a = srv.display("one:0", "#{pane_id}");
    let pane_a = pane_a.as_str();
    let pane_b = srv.window("one", &proj_b, &world.opencode());
    let pane_idle = srv.window("one", &proj_b, "exec sleep 3600");
    std::thread::sleep(Duration::from_millis(100));

    let t = now_ms();
    let mut fx = world.fixture();
    // proj-a asks a question → waiting; proj-b runs bash → working.
    let a = session(&mut fx, "ses_asks", "ses_asks", &proj_a, t);
    running(&mut fx, &a, t, Running::Question);
    let b = session(&mut fx, "ses_works", "ses_works", &proj_b, t);
    let mb = running(&mut fx, &b, t, Running::Bash);

    let mut w = watch(&srv, &world.data);
    until(&srv, "first values", |s| {
        global(s, "@otop_status") == "◆1 ●1"
    });
    assert_eq!(pane_state(&srv, pane_a), "waiting");
    assert_eq!(pane_state(&srv, &pane_b), "working");
    assert_eq!(
        pane_state(&srv, &pane_idle),
        "",
        "a pane without opencode has no state"
    );
    let pid = global(&srv, "@otop-watch-pid");
    assert_eq!(pid, w.0.id().to_string(), "the watcher records itself");

    // A second watcher for the same server steps aside.
    let mut second = watch(&srv, &world.data);
    let ended = wait_for(Duration::from_secs(10), || second.0.try_wait().unwrap());
    assert!(
        ended.is_some_and(|s| s.success()),
        "second watcher still running"
    );

    // The bash call finishes and the reply completes: proj-b turns idle, and since nobody
    // looked at its pane (no client is attached), done.
    finish(&mut fx, &mb);
    until(&srv, "after the DB changed", |s| {
        global(s, "@otop_status") == "◆1 ✓1"
    });
    assert_eq!(pane_state(&srv, &pane_b), "done");
    assert_eq!(pane_state(&srv, pane_a), "waiting");

    // The process in proj-a ends: its pane loses its state.
    let pid_a = srv.pane_pid(pane_a);
    let _ = Command::new("kill").arg(pid_a.to_string()).status();
    until(&srv, "after a process ended", |s| {
        global(s, "@otop_status") == "✓1"
    });

    srv.ok(&["kill-server"]);
    let ended = wait_for(Duration::from_secs(10), || w.0.try_wait().unwrap());
    assert!(ended.is_some(), "watcher outlived its tmux server");
}

/// Titles tmux's argument parser would split (a trailing `;` ends a command) or refuse (1 MB
/// passes tmux's 16 KiB command limit and Linux's 128 KiB argument limit): `@otop_status`
/// follows each exactly, the long one cut to `MAX_ARG` bytes.
#[test]
fn awkward_titles_reach_the_status_option_exactly() {
    if !have_tmux() {
        return;
    }
    let world = World::new();
    let proj = world.project("proj");
    let srv = TmuxServer::start("one", &proj, &world.opencode());
    let t = now_ms();
    let mut fx = world.fixture();
    let sid = session(&mut fx, "ses_t", "start", &proj, t);
    running(&mut fx, &sid, t, Running::Bash);
    let _w = watch_with(&srv, &world.data, &["--format", "{title}"]);
    until(&srv, "first title", |s| {
        global(s, "@otop_status") == "start"
    });
    let big = "x".repeat(1 << 20);
    let cut = "x".repeat(otop::source::tmux::MAX_ARG);
    for (title, want) in [
        (";", ";"),
        ("a;", "a;"),
        ("back\\; quote\" '", "back\\; quote\" '"),
        ("#{session_name} ;; x;", "#{session_name} ;; x;"),
        ("next", "next"),
        (big.as_str(), cut.as_str()),
        ("after", "after"),
    ] {
        fx.conn()
            .execute("UPDATE session SET title = ?1 WHERE id = ?2", [title, &sid])
            .unwrap();
        let shown = || {
            let v = srv.ok(&["show-option", "-gqv", "@otop_status"]);
            v.strip_suffix('\n').unwrap_or(&v).to_string()
        };
        let ok = wait_for(Duration::from_secs(15), || (shown() == want).then_some(()));
        let got = shown();
        assert!(
            ok.is_some(),
            "title {:?}: @otop_status is {:?}",
            &title[..title.len().min(40)],
            &got[..got.len().min(40)]
        );
    }
}
