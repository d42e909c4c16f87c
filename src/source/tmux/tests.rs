use super::*;
use crate::source::process::types::ProcEnv;
use crate::tmux_call::run_with_timeout;
use std::time::{Duration, Instant};

const SOCK: &str = "/tmp/tmux-1000/default";

fn line(fields: &[&str]) -> String {
    fields.join("\x1f")
}

#[test]
fn parses_panes_with_spaces_and_separators_in_names() {
    let out = [
        line(&[
            "%0",
            "/dev/pts/0",
            "17077",
            "0",
            "0",
            "1",
            "0",
            "my s_1",
            "bash",
        ]),
        // A window name may hold anything, even the separator: it is the last field.
        line(&[
            "%1",
            "/dev/pts/3",
            "17080",
            "1",
            "2",
            "0",
            "1",
            "my s_1",
            "w\tname|x\x1fy",
        ]),
        "garbage".to_string(),
        line(&[
            "%2",
            "/dev/pts/4",
            "notapid",
            "0",
            "0",
            "1",
            "1",
            "b",
            "bash",
        ]),
    ]
    .join("\n");
    let panes = parse_panes(&out, SOCK);
    assert_eq!(panes.len(), 2);
    assert_eq!(panes[0].target(), "my s_1:0.0");
    assert_eq!(panes[0].tty, "/dev/pts/0");
    assert_eq!(
        (panes[0].pane_active, panes[0].window_active),
        (true, false)
    );
    assert_eq!(panes[1].pane_id, "%1");
    assert_eq!(panes[1].pid, 17080);
    assert_eq!(panes[1].target(), "my s_1:1.2");
    assert_eq!(panes[1].window_name, "w\tname|x\x1fy");
    assert_eq!(panes[1].socket, SOCK);
}

#[test]
fn parses_panes_when_tmux_escapes_the_separator() {
    let out = "%5\\037/dev/pts/9\\0374242\\0373\\0370\\0371\\0371\\037work\\037vim\n";
    let panes = parse_panes(out, SOCK);
    assert_eq!(panes.len(), 1);
    assert_eq!((panes[0].pane_id.as_str(), panes[0].pid), ("%5", 4242));
    assert_eq!(panes[0].target(), "work:3.0");
}

#[test]
fn socket_comes_from_the_tmux_variable() {
    assert_eq!(
        socket_of("/tmp/tmux-1000/default,1234,0").as_deref(),
        Some(SOCK)
    );
    assert_eq!(
        socket_of("/tmp/a,b/sock,99,12").as_deref(),
        Some("/tmp/a,b/sock")
    );
    assert_eq!(socket_of("/tmp/tmux-1000/default"), None);
    assert_eq!(socket_of(",1,2"), None);
    assert_eq!(socket_of(""), None);
}

#[test]
fn default_socket_is_per_user_under_the_tmux_tmpdir() {
    let s = default_socket().unwrap_or_default();
    assert!(s.contains("/tmux-") && s.ends_with("/default"), "{s}");
}

#[test]
fn only_a_socket_file_could_be_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let _listener = std::os::unix::net::UnixListener::bind(path("live")).unwrap();
    std::fs::write(path("file"), "").unwrap();
    assert!(socket_exists(&path("live")));
    assert!(!socket_exists(&path("file")));
    assert!(!socket_exists(&path("missing")));
    assert!(!socket_exists(&dir.path().display().to_string()));
}

#[test]
fn clients_are_read_beside_panes_and_say_what_is_in_front() {
    let out = [
        line(&["%0", "/dev/pts/0", "1", "0", "0", "1", "1", "a", "w"]),
        line(&["%1", "/dev/pts/1", "2", "1", "0", "1", "0", "a", "w"]),
        line(&["%2", "/dev/pts/2", "3", "0", "0", "1", "1", "b", "w"]),
        line(&["%3", "/dev/pts/3", "4", "0", "0", "1", "1", "c", "w"]),
        line(&["client", "/dev/pts/9", "attached,focused,UTF-8", "a"]),
        // Its terminal lost focus (focus-events on): nobody looks at b.
        line(&["client", "/dev/pts/8", "attached,UTF-8", "b"]),
        // Still attaching: not yet showing anything.
        line(&["client", "/dev/pts/7", "focused", "c"]),
    ]
    .join("\n");
    let server = types::Server {
        panes: parse_panes(&out, SOCK),
        clients: parse_clients(&out, SOCK),
    };
    assert_eq!(server.panes.len(), 4, "client lines are not panes");
    assert_eq!(server.clients.len(), 2);
    assert!(server.clients[0].focused && !server.clients[1].focused);
    let front: Vec<&str> = server.in_front().map(|p| p.pane_id.as_str()).collect();
    assert_eq!(front, ["%0"]);
}

fn pane(socket: &str, id: &str, tty: &str, pid: u32) -> Pane {
    Pane {
        socket: socket.into(),
        pane_id: id.into(),
        tty: tty.into(),
        pid,
        session: "s".into(),
        ..Pane::default()
    }
}

#[test]
fn pane_for_prefers_tmux_pane_on_its_own_server_then_tty_then_ancestors() {
    let panes = vec![
        pane("/tmp/other", "%1", "/dev/pts/1", 100),
        pane(SOCK, "%1", "/dev/pts/2", 200),
        pane(SOCK, "%2", "/dev/pts/3", 300),
    ];
    let mut p = ProcessInfo {
        pid: 999,
        tty: Some("/dev/pts/3".into()),
        env: ProcEnv {
            tmux: Some(format!("{SOCK},55,0")),
            tmux_pane: Some("%1".into()),
            ..ProcEnv::default()
        },
        ..ProcessInfo::default()
    };
    // Same pane id on two servers: the process's own server wins.
    assert_eq!(pane_for(&p, &[], &panes).map(|x| x.pid), Some(200));
    p.env = ProcEnv::default();
    assert_eq!(pane_for(&p, &[], &panes).map(|x| x.pid), Some(300));
    p.tty = None;
    assert_eq!(
        pane_for(&p, &[500, 100, 1], &panes).map(|x| x.pid),
        Some(100)
    );
    assert_eq!(pane_for(&p, &[500, 1], &panes), None);
}

/// A private tmux server in a tempdir, killed on drop even when the test fails.
struct Server {
    sock: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("sock").to_string_lossy().into_owned();
        Server { sock, _dir: dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        run_with_timeout(Some(&self.sock), args, Duration::from_secs(5)).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = run_tmux(Some(&self.sock), &["kill-server"]);
    }
}

#[test]
fn lists_the_panes_of_two_sessions_with_ttys_and_targets() {
    let srv = Server::start();
    srv.tmux(&[
        "new-session",
        "-d",
        "-s",
        "alpha one",
        "-x",
        "80",
        "-y",
        "24",
    ]);
    srv.tmux(&["split-window", "-t", "=alpha one:0"]);
    srv.tmux(&["new-session", "-d", "-s", "beta", "-x", "80", "-y", "24"]);
    let panes = list_panes(&srv.sock).unwrap();
    let mut targets: Vec<String> = panes.iter().map(Pane::target).collect();
    targets.sort();
    assert_eq!(targets, vec!["alpha one:0.0", "alpha one:0.1", "beta:0.0"]);
    for p in &panes {
        assert!(p.tty.starts_with("/dev/"), "{p:?}");
        assert!(p.pane_id.starts_with('%') && p.pid > 1, "{p:?}");
        assert_eq!(p.socket, srv.sock);
    }
    let ttys: std::collections::HashSet<&str> = panes.iter().map(|p| p.tty.as_str()).collect();
    assert_eq!(ttys.len(), 3, "each pane has its own tty");
}

#[test]
fn a_missing_server_fails_quickly_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir
        .path()
        .join("nothing-here")
        .to_string_lossy()
        .into_owned();
    let t = Instant::now();
    let err = list_panes(&sock).unwrap_err();
    assert!(
        matches!(err, TmuxError::Failed(ref m) if !m.is_empty()),
        "{err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_hung_command_times_out() {
    // `wait-for` blocks until signalled: a stand-in for a hung server.
    let srv = Server::start();
    srv.tmux(&["new-session", "-d", "-s", "a", "-x", "80", "-y", "24"]);
    let t = Instant::now();
    let r = run_with_timeout(
        Some(&srv.sock),
        &["wait-for", "never"],
        Duration::from_millis(300),
    );
    assert!(matches!(r, Err(TmuxError::Timeout)), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[cfg(target_os = "linux")]
#[test]
fn finds_the_pane_of_a_standin_by_tmux_pane_tty_and_ancestors() {
    use crate::source::process::{ancestors, scan};
    use crate::testkit::standin::{opencode_copy, wait_for};

    let srv = Server::start();
    let bin = opencode_copy(srv._dir.path(), "bin", "/bin/sleep");
    srv.tmux(&["new-session", "-d", "-s", "a", "-x", "80", "-y", "24"]);
    // The stand-in runs under a shell in the pane, so the pane pid is its parent.
    srv.tmux(&[
        "new-session",
        "-d",
        "-s",
        "b",
        "-x",
        "80",
        "-y",
        "24",
        &format!("{bin} 30; :"),
    ]);
    let panes = list_panes(&srv.sock).unwrap();
    let target = panes.iter().find(|p| p.session == "b").unwrap().clone();
    let find = || {
        scan()
            .into_iter()
            .find(|p| p.info.exe.as_deref() == Some(bin.as_str()))
    };
    assert!(wait_for(|| find().is_some()), "stand-in not found");
    let mut info = find().unwrap().info;
    assert_eq!(
        info.env.tmux.as_deref().and_then(socket_of),
        Some(srv.sock.clone())
    );
    assert_eq!(pane_for(&info, &[], &panes), Some(&target));
    info.env = ProcEnv::default();
    assert_eq!(info.tty.as_deref(), Some(target.tty.as_str()));
    assert_eq!(pane_for(&info, &[], &panes), Some(&target));
    info.tty = None;
    assert_eq!(pane_for(&info, &ancestors(info.pid), &panes), Some(&target));

    let text = capture_pane(&srv.sock, &target.pane_id).unwrap();
    assert_eq!(text.lines().count(), 24);
    // No client is attached: selecting works, switching the client is the part that fails.
    let row = crate::model::row::Row {
        process: None,
        session: None,
        status: crate::model::state::Status::new(crate::model::state::State::Idle, ""),
        matched: None,
        tmux: Some(crate::model::row::TmuxLocation::from(&target)),
        unseen: false,
        certain: false,
        host: None,
    };
    let here = crate::jump::Here {
        current_socket: Some(srv.sock.clone()),
        ..crate::jump::Here::default()
    };
    let r = crate::jump::go(&row, &here);
    assert!(r.is_err(), "{r:?}");
    let active = srv.tmux(&[
        "display-message",
        "-p",
        "-t",
        &target.pane_id,
        "#{pane_active}",
    ]);
    assert_eq!(active.trim(), "1");
}

/// Values tmux's argument parser would otherwise split or cut: a trailing `;` ends a command.
const AWKWARD: &[&str] = &[
    ";",
    "a;",
    ";;",
    "\\;",
    "a\\;",
    "; b",
    "#{session_name}",
    "#(echo hi)",
    "\"quoted\" 'single'",
    "back\\slash\\",
    "new\nline\n",
    "{",
    "}",
    "-x",
    "-R",
    "-t%0 x",
    "--",
    "%if",
    "",
    " ",
];

#[test]
fn literal_escapes_only_a_trailing_semicolon_and_cuts_long_values() {
    assert_eq!(literal("a;"), "a\\;");
    assert_eq!(literal(";"), "\\;");
    assert_eq!(literal("a\\;"), "a\\\\;");
    assert_eq!(literal("a;b"), "a;b");
    let long = "é".repeat(MAX_ARG);
    let cut = literal(&long);
    assert!(cut.len() <= MAX_ARG && long.starts_with(&*cut));
    // `##` is one `#` to tmux's status line: never cut in half.
    let hashes = format!("{}{}", "x".repeat(MAX_ARG - 3), "#".repeat(10));
    assert_eq!(literal(&hashes).len(), MAX_ARG - 1);
    let cmds: Vec<Vec<String>> = (0..4).map(|_| vec!["a".repeat(4000)]).collect();
    let calls = batches(&cmds);
    assert_eq!(calls.len(), 2, "split under tmux's command size");
    assert_eq!(calls[0].len(), 5, "three commands joined by standalone `;`");
    assert_eq!(calls[0][1], ";");
    assert_eq!(calls[1].len(), 1);
}

#[test]
fn every_value_reaches_its_option_exactly() {
    let srv = Server::start();
    srv.tmux(&["new-session", "-d", "-s", "a", "-x", "80", "-y", "24"]);
    let big = "y".repeat(1 << 20);
    let mut values: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
    // Too long for one tmux call, and for one argument: cut, and split over several calls.
    values.extend((0..6).map(|i| format!("{i}{};", "z".repeat(3000))));
    values.push(big.clone());
    let cmds: Vec<Vec<String>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            vec![
                "set-option".into(),
                "-g".into(),
                format!("@v{i}"),
                v.clone(),
            ]
        })
        .collect();
    run_tmux_commands(Some(&srv.sock), &cmds).unwrap();
    for (i, v) in values.iter().enumerate() {
        let got = srv.tmux(&["show-option", "-gqv", &format!("@v{i}")]);
        let got = got.strip_suffix('\n').unwrap_or(&got);
        if v.len() <= MAX_ARG {
            assert_eq!(got, v, "@v{i}");
        } else {
            assert!(got.len() <= MAX_ARG && got.len() > MAX_ARG - 2, "@v{i}");
            assert!(v.starts_with(got), "@v{i}");
        }
    }
    // One command: the same rule.
    run_tmux(Some(&srv.sock), &["set-option", "-g", "@one", "a;"]).unwrap();
    assert_eq!(srv.tmux(&["show-option", "-gqv", "@one"]), "a;\n");
}

#[test]
fn parses_windows_of_every_session() {
    let out = "1\x1fwork\n2\x1fmy \x1f session\n3\\037esc\nnot a window\nx\x1fbad\n";
    assert_eq!(
        parse_windows(out),
        [
            ("work".to_string(), 1),
            ("my \x1f session".to_string(), 2),
            ("esc".to_string(), 3)
        ]
    );
}
