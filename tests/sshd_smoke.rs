//! The test sshd itself (tests/support/sshd.rs), before any test of remote hosts relies on it:
//! a real sshd on 127.0.0.1 lets the remote user in with the test's key, the otop copied to the
//! remote side lists the remote world's stand-ins with their tmux panes, a client attached to
//! the remote tmux server can be moved, killing sshd breaks a live connection while the remote
//! sessions keep running, a restart lets clients in again, and nothing is left behind.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use otop::collect::now_ms;
use serde_json::Value;
use support::sshd::{Remote, RemoteWorld, USER, alive};
use support::wait_for;
use support::world::{Running, running};

/// `otop sessions --json` run on the remote side through ssh, for `world`.
fn remote_sessions(remote: &Remote, world: &RemoteWorld) -> Vec<Value> {
    let out = remote.ssh(&format!("{} sessions --json", world.command()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "remote otop sessions failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON {e}: {stdout}"))
}

/// Waits until the remote otop lists every stand-in of `world`; returns those rows.
fn remote_rows(remote: &Remote, world: &RemoteWorld) -> Vec<Value> {
    let found = wait_for(Duration::from_secs(10), || {
        let rows = remote_sessions(remote, world);
        let ours: Vec<Value> = world
            .sessions
            .iter()
            .filter_map(|s| rows.iter().find(|r| r["pid"] == s.pid).cloned())
            .collect();
        (ours.len() == world.sessions.len()).then_some(ours)
    });
    found.unwrap_or_else(|| {
        panic!(
            "the remote otop did not list every stand-in: {:#?}",
            remote_sessions(remote, world)
        )
    })
}

/// What a Remote leaves behind once dropped: nothing of its own must run, its directory is
/// gone, and its sshd too.
fn assert_clean(root: PathBuf, uid: u32, sshd: Option<u32>) {
    let left = wait_for(Duration::from_secs(5), || {
        Remote::processes_of(&root, uid).is_empty().then_some(())
    });
    assert!(
        left.is_some(),
        "processes left: {:?}",
        Remote::processes_of(&root, uid)
    );
    assert!(!root.exists(), "{} is still there", root.display());
    if let Some(pid) = sshd {
        assert!(!alive(pid), "sshd {pid} still runs");
    }
}

#[test]
fn the_remote_otop_lists_the_remote_stand_ins_with_their_panes() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let out = remote.ssh("id -un; echo \"$HOME\"");
    assert!(
        out.status.success(),
        "ssh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{USER}\n{}\n", remote.home().display())
    );

    let world = remote.world(&[("ses_remote_a", "Remote A"), ("ses_remote_b", "Remote B")]);
    let rows = remote_rows(&remote, &world);
    for (s, r) in world.sessions.iter().zip(&rows) {
        assert_eq!(r["session"]["id"], s.id.as_str(), "{r:#}");
        assert_eq!(r["session"]["title"], s.title.as_str(), "{r:#}");
        assert_eq!(r["match"], "flag", "{r:#}");
        assert_eq!(r["state"], "idle", "{r:#}");
        assert_eq!(r["tmux"]["pane_id"], s.pane.as_str(), "{r:#}");
        assert_eq!(r["tmux"]["session"], s.tmux_session.as_str(), "{r:#}");
        assert_eq!(r["tmux"]["socket"], world.socket_str(), "{r:#}");
    }

    // Rows the test adds later reach the remote otop too (the database stays the remote
    // user's to read).
    let a = world.session("ses_remote_a").clone();
    world.with_db(|fx| running(fx, &a.id, now_ms(), Running::Question));
    let waiting = wait_for(Duration::from_secs(10), || {
        let rows = remote_sessions(&remote, &world);
        let row = rows.into_iter().find(|r| r["pid"] == a.pid)?;
        (row["state"] == "waiting").then_some(row)
    });
    assert!(waiting.is_some(), "{:#?}", remote_sessions(&remote, &world));

    // A real client of the remote server, as the remote user, can be moved between panes.
    let client = world.attach("home");
    assert!(
        world.showing(&client).starts_with("home "),
        "{}",
        world.showing(&client)
    );
    let b = world.session("ses_remote_b");
    world.tmux(&["switch-client", "-c", &client.name, "-t", &b.pane]);
    assert_eq!(
        world.showing(&client),
        format!("{} 0 {}", b.tmux_session, b.pane)
    );

    let (root, uid, sshd) = (remote.root().to_path_buf(), remote.uid(), remote.sshd_pid());
    drop(client);
    drop(world);
    drop(remote);
    assert_clean(root, uid, sshd);
}

#[test]
fn killing_sshd_breaks_connections_and_a_restart_lets_clients_in_again() {
    let Some(mut remote) = Remote::start() else {
        return;
    };
    let world = remote.world(&[("ses_survivor", "Survivor")]);
    let survivor = world.session("ses_survivor").clone();

    // A live connection: its command says it runs, then sleeps (in the Remote's root, so the
    // harness finds it once sshd is gone).
    let root = remote.root().display().to_string();
    let mut live = remote
        .ssh_command(&format!("cd '{root}' && echo up && exec sleep 30"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ssh");
    let stdout = live.stdout.take().expect("ssh stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let up = rx.recv_timeout(Duration::from_secs(10));
    assert_eq!(
        up.as_deref().ok(),
        Some("up\n"),
        "the live connection never ran"
    );

    let before = remote.sshd_pid();
    remote.kill_sshd();
    let t = Instant::now();
    let ended = wait_for(Duration::from_secs(5), || live.try_wait().ok().flatten());
    if ended.is_none() {
        let _ = live.kill();
        let _ = live.wait();
    }
    let ended = ended.expect("the live ssh did not end within 5 s of sshd's death");
    assert!(!ended.success(), "{ended}");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(before.is_some_and(|p| !alive(p)));

    let t = Instant::now();
    let refused = remote.ssh("true");
    assert!(!refused.status.success(), "ssh got in with sshd dead");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());

    // The remote machine itself did not go down: its tmux server and stand-in still run.
    assert!(alive(survivor.pid), "the stand-in died with sshd");
    world.tmux(&["has-session", "-t", &survivor.tmux_session]);

    remote.restart_sshd();
    let out = remote.ssh("true");
    assert!(
        out.status.success(),
        "ssh after the restart: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = remote_rows(&remote, &world);
    assert_eq!(rows[0]["tmux"]["pane_id"], survivor.pane.as_str());

    let (root, uid, sshd) = (remote.root().to_path_buf(), remote.uid(), remote.sshd_pid());
    drop(world);
    drop(remote);
    assert_clean(root, uid, sshd);
}
