//! Sessions on another machine, over a real sshd on 127.0.0.1 (tests/support/sshd.rs: a second
//! user plays the remote machine, with its own tmux server and stand-in opencode processes):
//! rows arrive with their host, a dead or slow host costs one line and never the local rows,
//! killing sshd under a live view shows the host unreachable while local rows keep refreshing,
//! a jump moves a real client of the remote tmux server, and a remote otop of a newer format
//! is refused with a message.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use otop::collect::now_ms;
use serde_json::Value;
use support::sshd::{Remote, RemoteWorld};
use support::world::{Running, World, running, session};
use support::{Client, TmuxServer, wait_for};

/// This machine's side: a configuration naming the remote as host `box` (plus any `extra`
/// `[[hosts]]` text), and private state, cache and runtime directories.
struct Here {
    dir: tempfile::TempDir,
}

impl Here {
    fn new(remote: &Remote, world: &RemoteWorld, extra: &str) -> Here {
        let dir = tempfile::tempdir().expect("tempdir");
        let args: Vec<String> = remote.ssh_args().iter().map(|a| format!("{a:?}")).collect();
        let config = format!(
            "[[hosts]]\nname = \"box\"\nssh = {:?}\nssh_args = [{}]\notop = {:?}\n{extra}",
            remote.dest(),
            args.join(", "),
            world.command()
        );
        std::fs::write(dir.path().join("config.toml"), config).expect("write config");
        Here { dir }
    }

    fn env(&self) -> Vec<(String, String)> {
        let p = |s: &str| self.dir.path().join(s).display().to_string();
        vec![
            ("OTOP_CONFIG".into(), p("config.toml")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_RUNTIME_DIR".into(), p("run")),
            ("OPENCODE_DB".into(), String::new()),
        ]
    }

    /// `otop ARGS` here, reading only the database `db` for this machine's rows.
    fn otop(&self, db: &Path, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["--db", db.to_str().expect("utf-8 path")];
        all.extend(args);
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        support::otop(&all, &env)
    }
}

/// A database of no session: this machine's rows stay out of the way.
fn empty_db(dir: &Path) -> PathBuf {
    let db = dir.join("empty.db");
    otop::testkit::fixture::Fixture::create(&db, otop::testkit::fixture::Schema::Current)
        .expect("fixture");
    db
}

fn rows(json: &str) -> Vec<Value> {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad JSON {e}: {json}"))
}

/// A TCP port nothing listens on, and a listener that accepts and never says a word.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

#[test]
fn rows_arrive_with_their_host_and_a_dead_or_slow_host_costs_one_line() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let world = remote.world(&[("ses_far_a", "Far A"), ("ses_far_b", "Far B")]);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let silent_port = silent.local_addr().expect("addr").port();
    let extra = format!(
        "[[hosts]]\nname = \"dead\"\nssh = \"127.0.0.1\"\nssh_args = [\"-F\", \"/dev/null\", \"-p\", \"{}\"]\n\
         [[hosts]]\nname = \"slow\"\nssh = \"127.0.0.1\"\nssh_args = [\"-F\", \"/dev/null\", \"-p\", \"{silent_port}\"]\ntimeout = 1.0\n",
        closed_port()
    );
    let here = Here::new(&remote, &world, &extra);
    let db = empty_db(here.dir.path());

    let wanted = |rows: &[Value]| {
        world.sessions.iter().all(|s| {
            rows.iter()
                .any(|r| r["session"]["id"] == s.id.as_str() && r["host"] == "box")
        })
    };
    // The remote stand-ins need a moment to be found; the answer never waits past box's
    // timeout (3 s) for anyone.
    let mut last = (0, String::new(), String::new());
    let found = wait_for(Duration::from_secs(15), || {
        let t = Instant::now();
        last = here.otop(&db, &["sessions", "--json"]);
        let took = t.elapsed();
        assert!(
            took < Duration::from_millis(2500),
            "took {took:?}: {last:?}"
        );
        (last.0 == 0 && wanted(&rows(&last.1))).then_some(())
    });
    assert!(found.is_some(), "{last:#?}");
    let (_, out, err) = &last;
    for r in rows(out) {
        let s = world
            .sessions
            .iter()
            .find(|s| r["session"]["id"] == s.id.as_str());
        if let Some(s) = s {
            assert_eq!(r["pid"], s.pid, "{r:#}");
            assert_eq!(r["tmux"]["pane_id"], s.pane.as_str(), "{r:#}");
            assert_eq!(r["session"]["title"], s.title.as_str(), "{r:#}");
        }
    }
    assert!(
        err.contains("dead: unreachable since") && err.contains("Connection refused"),
        "{err}"
    );
    assert!(
        err.contains("slow: unreachable since")
            && (err.contains("no answer within 1 s") || err.contains("timed out")),
        "{err}"
    );

    // The table shows HOST; the status line counts the host apart, and the hosts down.
    let (_, table, _) = here.otop(&db, &["sessions"]);
    assert!(table.starts_with("HOST "), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("box ") && l.contains("ses_far_a")),
        "{table}"
    );
    let (code, line, _) = here.otop(
        &db,
        &[
            "status",
            "--plain",
            "--format",
            "{total@box} {total@local} {unreachable}",
        ],
    );
    assert_eq!(code, 0);
    let n: Vec<usize> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // The remote user's machine may hold another test's stand-ins too: at least these two.
    assert!(
        n.len() == 3 && n[0] >= 2 && n[1] == 0 && n[2] == 2,
        "{line}"
    );

    // --local and --host narrow every view.
    let (_, local, _) = here.otop(&db, &["--local", "sessions", "--json"]);
    assert_eq!(rows(&local), Vec::<Value>::new());
    let (code, only, err) = here.otop(&db, &["--host", "box", "sessions", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(wanted(&rows(&only)) && err.is_empty(), "{err}");
    let (code, _, err) = here.otop(&db, &["--host", "nowhere", "sessions"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--host nowhere: not a configured host (box, dead, slow)"),
        "{err}"
    );

    // An answer goes through the same channel; the remote otop refuses it (nothing is
    // pending) and says so under the host's name.
    let (code, _, err) = here.otop(&db, &["--host", "box", "reply", "box:ses_far_a", "once"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("otop: box: "), "{err}");
    assert!(!err.contains("otop: box: otop:"), "said once: {err}");
    assert!(err.contains("waits for no answer now"), "{err}");
    // The order reaches it as data (JSON on stdin): a request id and a text that look like
    // options and shell arrive as they were written, and the request is refused there as no
    // longer pending.
    let (code, _, err) = here.otop(
        &db,
        &[
            "--host",
            "box",
            "reply",
            "box:ses_far_a",
            "--text=-v please'; touch pwned",
            "--request=-R'x",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("otop: box: ")
            && err.contains("request -R'x of ")
            && err.contains("is no longer pending"),
        "{err}"
    );

    // doctor checks each host.
    let (code, out, _) = here.otop(&db, &["doctor"]);
    assert_eq!(code, 1, "a dead host is a failed check");
    assert!(out.contains("box: otop "), "{out}");
    assert!(out.contains("dead: ssh: connect to host"), "{out}");
    drop(silent);
}

/// `otop watch --tmux` for `srv`, with `format`, every 0.3 s.
fn watch(here: &Here, db: &Path, srv: &TmuxServer, format: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_otop"))
        .args(["--db"])
        .arg(db)
        .args([
            "watch",
            "--tmux",
            "--plain",
            "--no-notify",
            "--interval",
            "0.3",
        ])
        .args(["--format", format, "--socket"])
        .arg(&srv.socket)
        .envs(here.env())
        .env_remove("TMUX")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn watch")
}

#[test]
fn killing_sshd_shows_the_host_unreachable_while_local_rows_keep_refreshing() {
    let Some(mut remote) = Remote::start() else {
        return;
    };
    let far = remote.world(&[("ses_far_live", "Far live")]);
    let here = Here::new(&remote, &far, "");
    // This machine: one stand-in in a pane, idle at first.
    let near = World::new();
    let proj = near.project("near");
    let mut fx = near.fixture();
    let t = now_ms();
    let id = session(&mut fx, "ses_near", "Near", &proj, t);
    let srv = TmuxServer::start("near", &proj, &near.opencode_resumed(&id));
    let mut w = watch(
        &here,
        &near.db(),
        &srv,
        "{waiting@local}w {total@local}l {total@box}b {unreachable}u",
    );
    let status = || {
        srv.ok(&["show-option", "-gqv", "@otop_status"])
            .trim()
            .to_string()
    };
    let until = |what: &str, f: &dyn Fn(&str) -> bool, secs: u64| {
        let got = wait_for(Duration::from_secs(secs), || f(&status()).then_some(()));
        assert!(got.is_some(), "{what}: @otop_status = {:?}", status());
    };
    let remote_count = |s: &str| -> usize {
        s.split_whitespace()
            .find_map(|w| w.strip_suffix('b')?.parse().ok())
            .unwrap_or(0)
    };
    until(
        "both machines",
        &|s| s.starts_with("0w 1l ") && remote_count(s) >= 1 && s.ends_with(" 0u"),
        20,
    );

    let killed = Instant::now();
    remote.kill_sshd();
    until("the host down", &|s| s == "0w 1l 0b 1u", 5);
    // Within the host's timeout (3 s) and one refresh.
    assert!(
        killed.elapsed() < Duration::from_millis(3300),
        "{:?}",
        killed.elapsed()
    );

    // Local rows go on refreshing at their own pace while the host is away.
    running(&mut fx, &id, now_ms(), Running::Question);
    until("the local question seen", &|s| s == "1w 1l 0b 1u", 5);

    // Back on the network: the link connects again by itself.
    remote.restart_sshd();
    until(
        "the host back",
        &|s| s.starts_with("1w 1l ") && remote_count(s) >= 1 && s.ends_with(" 0u"),
        25,
    );
    let _ = w.kill();
    let _ = w.wait();
}

#[test]
fn a_jump_moves_the_remote_client_and_brings_the_local_ssh_pane_in_front() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let far = remote.world(&[("ses_far_jump", "Far jump"), ("ses_far_other", "Other")]);
    let here = Here::new(&remote, &far, "");
    let db = empty_db(here.dir.path());
    let remote_client = far.attach("home");
    assert!(far.showing(&remote_client).starts_with("home "));

    // This machine: a tmux server whose window 1 runs an interactive ssh to the host, and a
    // client looking at window 0.
    let tmp = tempfile::tempdir().expect("tempdir");
    let srv = TmuxServer::start("here", tmp.path(), "exec sleep 3600");
    let mut ssh_line = vec!["ssh".to_string()];
    ssh_line.extend(remote.ssh_args());
    ssh_line.push(remote.dest());
    srv.window("here", tmp.path(), &ssh_line.join(" "));
    let local_client = Client::attach(&srv, "here");
    srv.ok(&["select-window", "-t", "here:0"]);
    assert!(local_client.showing(&srv).starts_with("here 0 "));

    let target = far.session("ses_far_jump").clone();
    let tmux_env = format!("{},1,0", srv.socket.display());
    let mut last = (0, String::new(), String::new());
    let jumped = wait_for(Duration::from_secs(15), || {
        let mut env = here.env();
        env.push(("TMUX".into(), tmux_env.clone()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_otop"));
        cmd.arg("--db").arg(&db);
        cmd.args(["jump", "box:ses_far_jump", "--client", &local_client.name]);
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("run otop");
        last = (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        (last.0 == 0).then_some(())
    });
    assert!(jumped.is_some(), "{last:#?}");
    assert_eq!(
        far.showing(&remote_client),
        format!("{} 0 {}", target.tmux_session, target.pane),
        "the remote client did not move: {last:#?}"
    );
    assert!(
        local_client.showing(&srv).starts_with("here 1 "),
        "the local ssh pane is not in front: {} ({last:#?})",
        local_client.showing(&srv)
    );
    assert!(
        last.1.starts_with("box: jumped to ") && last.1.contains("here: here:1.0"),
        "{last:#?}"
    );
}

#[test]
fn a_remote_otop_of_a_newer_format_is_refused_with_a_message() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let far = remote.world(&[]);
    // The remote command prints a snapshot of a format this otop does not read.
    let newer = r#"printf '%s\n' '{"otop_format":"2.0","otop":"9.0.0","rows":[]}'"#;
    let args: Vec<String> = remote.ssh_args().iter().map(|a| format!("{a:?}")).collect();
    let here = Here::new(
        &remote,
        &far,
        &format!(
            "[[hosts]]\nname = \"future\"\nssh = {:?}\nssh_args = [{}]\notop = {newer:?}\n",
            remote.dest(),
            args.join(", ")
        ),
    );
    let db = empty_db(here.dir.path());
    let (code, out, err) = here.otop(&db, &["--host", "future", "sessions", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "[]");
    assert!(
        err.contains("future: unreachable since")
            && err.contains(
                "its otop (9.0.0) writes format 2.0, this otop reads 1.x: upgrade otop here"
            ),
        "{err}"
    );
    let (code, out, _) = here.otop(&db, &["--host", "future", "doctor"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("!!") && out.contains("upgrade otop here"),
        "{out}"
    );
}

/// A broken or hostile otop on the host, over a real sshd: an endless line on stdout costs the
/// host one line ("sent a line longer than 8 MiB"), within its
/// timeout, never the run; a host that prints garbage is one line too.
#[test]
fn a_hostile_remote_otop_costs_one_line() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let far = remote.world(&[]);
    let endless = "sh -c 'exec tr \"\\0\" x < /dev/zero'";
    let garbage = "sh -c 'yes garbage'";
    let args: Vec<String> = remote.ssh_args().iter().map(|a| format!("{a:?}")).collect();
    let host = |name: &str, otop: &str| {
        format!(
            "[[hosts]]\nname = \"{name}\"\nssh = {:?}\nssh_args = [{}]\notop = {otop:?}\ntimeout = 20\n",
            remote.dest(),
            args.join(", ")
        )
    };
    let here = Here::new(
        &remote,
        &far,
        &format!("{}{}", host("endless", endless), host("garbage", garbage)),
    );
    let db = empty_db(here.dir.path());
    let started = Instant::now();
    let (code, out, err) = here.otop(
        &db,
        &["--host", "endless", "--host", "garbage", "status", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let why = |host: &str| {
        v["unreachable"]
            .as_array()
            .and_then(|a| a.iter().find(|u| u["host"] == host))
            .and_then(|u| u["why"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(why("endless"), "sent a line longer than 8 MiB", "{out}");
    assert!(
        why("garbage").starts_with("not otop's snapshot format: garbage"),
        "{out}"
    );
}

/// `otop send|interrupt|end box:…` go through the same ssh as answers, and the remote otop's
/// verdict is the exit status here: it ends the remote user's opencode (a stand-in) and the row
/// goes; what it refuses (a message to a stand-in whose version is proven nowhere, an interrupt of
/// an idle one) exits with its status (1) and its reason under the host's name; an otop there
/// from before `serve --drive` (or `--reply`) exits 2 there (clap's usage error), and so here,
/// for a message as for an answer.
#[test]
fn send_interrupt_and_end_reach_the_other_machine() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let world = remote.world(&[("ses_far_c", "Far C"), ("ses_far_d", "Far D")]);
    // The same otop, but for `serve --drive` and `--reply`, which it answers as an otop from
    // before them.
    let old = remote.root().join("bin/old-otop");
    std::fs::write(
        &old,
        format!(
            "#!/bin/sh\nfor a; do case $a in --drive|--reply)\n  \
             echo \"error: unexpected argument '$a' found\" >&2; exit 2;;\nesac; done\n\
             exec {} \"$@\"\n",
            world.command()
        ),
    )
    .expect("write old-otop");
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod old-otop");
    let args: Vec<String> = remote.ssh_args().iter().map(|a| format!("{a:?}")).collect();
    let extra = format!(
        "[[hosts]]\nname = \"old\"\nssh = {:?}\nssh_args = [{}]\notop = {:?}\n",
        remote.dest(),
        args.join(", "),
        old.display().to_string()
    );
    let here = Here::new(&remote, &world, &extra);
    let db = empty_db(here.dir.path());
    let seen = wait_for(Duration::from_secs(15), || {
        let (code, out, _) = here.otop(&db, &["--host", "box", "sessions", "--json"]);
        let rows = rows(&out);
        (code == 0
            && ["ses_far_c", "ses_far_d"]
                .iter()
                .all(|id| rows.iter().any(|r| r["session"]["id"] == *id)))
        .then_some(())
    });
    assert!(seen.is_some(), "the stand-ins never showed");

    let (code, _, err) = here.otop(&db, &["send", "box:ses_far_c", "-R now run the tests"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("otop: box: "), "{err}");
    assert!(err.contains("cannot tell which opencode version"), "{err}");
    let (code, _, err) = here.otop(&db, &["interrupt", "box:ses_far_c"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no turn to interrupt"), "{err}");
    for args in [
        ["send", "old:ses_far_c", "hello"],
        ["reply", "old:ses_far_c", "once"],
    ] {
        let (code, _, err) = here.otop(&db, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err.trim(),
            "otop: old: its otop is too old for this one: upgrade otop there"
        );
    }

    let far_d = world.session("ses_far_d").pid;
    let (code, out, err) = here.otop(&db, &["end", "--grace", "3", "box:ses_far_d"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!("box: end: ended pid {far_d} (SIGTERM)"),
        "{err}"
    );
    assert!(!support::sshd::alive(far_d), "pid {far_d} still runs");
    let (_, out, _) = here.otop(&db, &["--host", "box", "sessions", "--json"]);
    assert!(
        !rows(&out).iter().any(|r| r["session"]["id"] == "ses_far_d"),
        "{out}"
    );
}

/// `otop --host box restore` runs the restore on that machine (its record, its tmux) and prints
/// its lines under the host's name; this machine's record is not read.
#[test]
fn a_restore_on_a_host_runs_there() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let far = remote.world(&[]);
    let here = Here::new(&remote, &far, "");
    let db = empty_db(here.dir.path());
    let (code, out, err) = here.otop(&db, &["--host", "box", "restore", "--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("box: nothing recorded to restore (")
            && !lines[0].contains(&*here.dir.path().to_string_lossy()),
        "{out}"
    );
}

/// The row of the remote process `pid`, as `otop --host box sessions --json` shows it now.
fn remote_row(here: &Here, db: &Path, pid: u32) -> Option<Value> {
    let (code, out, _) = here.otop(db, &["--host", "box", "sessions", "--json"]);
    (code == 0)
        .then(|| rows(&out))?
        .into_iter()
        .find(|r| r["pid"] == pid)
}

/// `state/status` of a row, e.g. `idle/aborted`.
fn state(row: &Value) -> String {
    format!(
        "{}/{}",
        row["state"].as_str().unwrap_or("-"),
        row["status"].as_str().unwrap_or("-")
    )
}

/// Waits up to `limit` for the remote row of `pid` to read `want` (`state/status`, or only
/// `state/` whatever the status); panics with what it read last.
fn remote_state(here: &Here, db: &Path, pid: u32, want: &str, limit: Duration) -> Value {
    let mut last = None;
    wait_for(limit, || {
        let row = remote_row(here, db, pid);
        last = row.as_ref().map(state);
        row.filter(|r| match want.strip_suffix('/') {
            Some(st) => r["state"] == st,
            None => state(r) == want,
        })
    })
    .unwrap_or_else(|| panic!("pid {pid} there never read {want}; last {last:?}"))
}

/// The issue's done-when over a real sshd: the remote user runs a real opencode TUI on the
/// scripted model, and from here `otop send box:ses_…` exits 0 once the session took the
/// message, the model gets its text and the session works, then finishes; `otop interrupt
/// box:…` on a streaming turn exits 0, the session reads idle (aborted), its turn ended within
/// 2 s of the act there, the stream stops, the process alive; `otop end box:…` exits 0, the process is gone. First
/// without the plugin there (through the pane), then with it (`otop plugin install` as the
/// remote user: through the plugin); one TUI at a time, so neither's start slows the other's
/// interrupt.
#[test]
fn send_interrupt_and_end_work_on_a_real_opencode_there() {
    let Some(remote) = Remote::start() else {
        return;
    };
    let Some(bin) = support::opencode::ensure(support::opencode::VERSION) else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let model = support::model_server::ModelServer::start(scratch.path());
    for plugin in [false, true] {
        drive_a_real_opencode_there(&remote, &bin, &model, plugin);
    }
}

fn drive_a_real_opencode_there(
    remote: &Remote,
    bin: &Path,
    model: &support::model_server::ModelServer,
    plugin: bool,
) {
    let world = remote.world(&[]);
    let started = Instant::now();
    let tui = world.start_opencode(bin, &model.base_url(), plugin, Duration::from_secs(120));
    let via = if plugin {
        "through the companion plugin"
    } else {
        "through its pane"
    };
    eprintln!("{via}: opencode there ready in {:.1?}", started.elapsed());
    let here = Here::new(remote, &world, "");
    let db = empty_db(here.dir.path());
    let long = Duration::from_secs(60);

    let marker = |m: &str| format!("{m}-{}", if plugin { "plugin" } else { "pane" });
    world.prompt(&tui, &format!("hello {}", marker("marker-remote-first")));
    let row = remote_state(&here, &db, tui.pid, "idle/idle", long);
    let session = row["session"]["id"]
        .as_str()
        .expect("a session")
        .to_string();
    let target = format!("box:{session}");

    let text = format!("-t %0 Enter SLOW 3 {}", marker("marker-remote-send"));
    let (code, out, err) = here.otop(&db, &["send", &target, &text]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("box: send: ") && out.contains(via), "{out}");
    let sent = wait_for(long, || {
        (model.requests_containing(&text) > 0).then_some(())
    });
    assert!(sent.is_some(), "the model was never sent {text:?}");
    remote_state(&here, &db, tui.pid, "working/", long);
    remote_state(&here, &db, tui.pid, "idle/idle", long);

    let stop = marker("marker-remote-stop");
    let (code, _, err) = here.otop(&db, &["send", &target, &format!("SLOW 60 {stop}")]);
    assert_eq!(code, 0, "{err}");
    let streaming = wait_for(long, || model.streaming(&stop).then_some(()));
    assert!(streaming.is_some(), "the turn never streamed");
    let asked = Instant::now();
    let (code, out, err) = here.otop(&db, &["interrupt", &target]);
    let took = asked.elapsed();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("box: interrupt: ") && out.contains(via),
        "{out}"
    );
    // Exit 0 once the remote otop read the session no longer working. The model's side sees
    // the stream closed at one of its next writes (every 0.5 s).
    let stopped = wait_for(Duration::from_secs(5), || {
        (!model.streaming(&stop)).then(|| asked.elapsed())
    })
    .expect("still streaming 5 s after the interrupt");
    let row = remote_row(&here, &db, tui.pid).expect("the row after the interrupt");
    assert_eq!(state(&row), "idle/aborted");
    // From the act there (its line in the remote answers.log) to the turn's end in opencode's
    // database: what the interrupt costs, whatever ssh and the two collections around it do.
    let (acted, aborted) = (world.last_act_at(), world.aborted_at(&session));
    let idle = aborted.zip(acted).map(|(end, act)| end - act);
    eprintln!(
        "interrupt there: idle {idle:?} ms after the act there; the command took {took:.2?}, \
         the stream stopped after {stopped:.2?}; {out}"
    );
    assert!(
        idle.is_some_and(|ms| (0..2000).contains(&ms)),
        "idle {idle:?} ms after the act (act at {acted:?}, turn ended at {aborted:?})"
    );
    assert!(support::sshd::alive(tui.pid), "the process ended");

    let (code, out, err) = here.otop(&db, &["end", "--grace", "10", &target]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!("box: end: ended pid {} (SIGTERM)", tui.pid)
    );
    assert!(!support::sshd::alive(tui.pid), "pid {} still runs", tui.pid);
    assert!(
        remote_row(&here, &db, tui.pid).is_none(),
        "the row is still there"
    );
    eprintln!("{via}: {:.1?} in all", started.elapsed());
}
