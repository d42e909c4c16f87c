use super::*;
use std::time::Instant;

fn argv(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn proc(pid: u32, ppid: u32, name: &str, exe: &str, args: &str) -> ProcessInfo {
    ProcessInfo {
        pid,
        ppid,
        name: name.into(),
        exe: Some(exe.into()),
        argv: argv(args),
        ..ProcessInfo::default()
    }
}

#[test]
fn recognises_opencode_binaries_and_npm_wrappers() {
    let cases: &[(&str, Option<&str>, &str, bool)] = &[
        (
            "opencode",
            Some("/home/u/.opencode/bin/opencode"),
            "opencode",
            true,
        ),
        (
            "opencode.exe",
            Some("/usr/lib/node_modules/opencode-ai/bin/opencode.exe"),
            "opencode -c",
            true,
        ),
        (
            "opencode",
            Some("/x/node_modules/opencode-linux-x64/bin/opencode"),
            "/x/node_modules/opencode-linux-x64/bin/opencode run hi",
            true,
        ),
        // 1.18 via npm: comm from the `.bin/opencode` symlink, exe the real binary.
        (
            "opencode",
            Some("/p/node_modules/opencode-ai/bin/opencode.exe"),
            "/p/node_modules/.bin/opencode",
            true,
        ),
        // 1.2.x via npm: the native child of the node wrapper.
        (
            ".opencode",
            Some("/p/node_modules/opencode-ai/bin/.opencode"),
            "/p/node_modules/opencode-ai/bin/.opencode",
            true,
        ),
        (
            "node",
            Some("/usr/bin/node"),
            "node /p/node_modules/.bin/opencode",
            true,
        ),
        // exe unreadable (another user): name and argv[0] still tell.
        ("opencode", None, "opencode", true),
        // A binary upgraded while running.
        ("x", Some("/usr/bin/opencode (deleted)"), "opencode", true),
        (
            "node",
            Some("/usr/bin/node"),
            "node /usr/lib/node_modules/opencode-ai/bin/opencode",
            true,
        ),
        (
            "bun",
            Some("/home/u/.bun/bin/bun"),
            "bun /home/u/.bun/bin/opencode serve",
            true,
        ),
        // Not opencode: other tools mentioning it.
        (
            "node",
            Some("/usr/bin/node"),
            "node /srv/opencode-dashboard/index.js",
            false,
        ),
        ("vim", Some("/usr/bin/vim"), "vim opencode", false),
        (
            "bash",
            Some("/usr/bin/bash"),
            "bash /usr/local/bin/opencode",
            false,
        ),
        ("otop", Some("/usr/bin/otop"), "otop", false),
        (
            "opencode-mcp",
            Some("/usr/bin/opencode-mcp"),
            "opencode-mcp",
            false,
        ),
    ];
    for (name, exe, args, want) in cases {
        assert_eq!(
            is_opencode(name, *exe, &argv(args)),
            *want,
            "{name} {exe:?} {args}"
        );
    }
}

#[test]
fn classifies_subcommands_past_flags_with_values() {
    let cases: &[(&str, Kind)] = &[
        ("opencode", Kind::Tui),
        ("opencode /home/u/project", Kind::Tui),
        ("opencode -c", Kind::Tui),
        ("opencode -s ses_abc", Kind::Tui),
        ("opencode --session run", Kind::Tui),
        ("opencode -m anthropic/claude --prompt serve .", Kind::Tui),
        ("opencode --agent build --log-level DEBUG", Kind::Tui),
        ("opencode --model=openai/gpt-5 run", Kind::Run),
        ("opencode run fix the tests", Kind::Run),
        ("opencode -m x run -s ses_1 hello", Kind::Run),
        ("opencode serve --port 4096 --hostname 0.0.0.0", Kind::Serve),
        ("opencode --port 4096 serve", Kind::Serve),
        ("opencode web", Kind::Serve),
        ("opencode attach http://localhost:4096", Kind::Attach),
        ("opencode acp", Kind::Other),
        ("opencode auth login", Kind::Other),
        ("opencode models", Kind::Other),
        ("opencode db path", Kind::Other),
        ("opencode mcp list", Kind::Other),
        ("opencode --version", Kind::Other),
        (
            "node /usr/lib/node_modules/opencode-ai/bin/opencode run hi",
            Kind::Run,
        ),
        (
            "node /usr/lib/node_modules/opencode-ai/bin/opencode",
            Kind::Tui,
        ),
        (
            "/usr/bin/bun /u/.bun/bin/opencode attach http://h:1",
            Kind::Attach,
        ),
        ("opencode -- run", Kind::Run),
    ];
    for (args, want) in cases {
        assert_eq!(classify(&argv(args)), *want, "{args}");
    }
}

#[test]
fn picks_the_environment_variables_otop_needs() {
    let env = proc_env([
        ("TMUX", "/tmp/tmux-1000/default,42,0"),
        ("TMUX_PANE", "%3"),
        ("OPENCODE_PID", "1234"),
        ("HOME", "/home/u"),
        ("XDG_DATA_HOME", "/data"),
        ("OPENCODE_DB", "/data/oc.db"),
        ("PATH", "/usr/bin"),
    ]);
    assert_eq!(env.tmux.as_deref(), Some("/tmp/tmux-1000/default,42,0"));
    assert_eq!(env.tmux_pane.as_deref(), Some("%3"));
    assert_eq!(env.opencode_pid, Some(1234));
    assert_eq!(env.home.as_deref(), Some("/home/u"));
    assert_eq!(env.xdg_data_home.as_deref(), Some("/data"));
    assert_eq!(env.opencode_db.as_deref(), Some("/data/oc.db"));
    assert_eq!(proc_env([("OPENCODE_PID", "junk")]).opencode_pid, None);
}

#[test]
fn keeps_only_opencode_logs_and_databases() {
    assert!(is_interesting_file(
        "/home/u/.local/share/opencode/log/2025-01-01T120000.log"
    ));
    assert!(is_interesting_file(
        "/home/u/.local/share/opencode/opencode.db"
    ));
    assert!(is_interesting_file("/data/opencode-dev.db"));
    assert!(!is_interesting_file(
        "/home/u/.local/share/opencode/opencode.db-wal"
    ));
    assert!(!is_interesting_file(
        "/home/u/.local/share/opencode/log/notes.txt"
    ));
    assert!(!is_interesting_file("/var/log/syslog.log"));
    assert!(!is_interesting_file("/home/u/app.db"));
}

#[test]
fn parses_macos_procargs2() {
    let mut buf = 2i32.to_ne_bytes().to_vec();
    buf.extend_from_slice(
        b"/usr/local/bin/opencode\0\0\0\0opencode\0-c\0TMUX_PANE=%1\0HOME=/Users/u\0\0",
    );
    let (argv, env) = parse_procargs2(&buf);
    assert_eq!(argv, vec!["opencode", "-c"]);
    assert_eq!(
        env,
        vec![
            ("TMUX_PANE".to_string(), "%1".to_string()),
            ("HOME".to_string(), "/Users/u".to_string())
        ]
    );
    assert_eq!(parse_procargs2(&[1, 0]), (vec![], vec![]));
}

#[test]
fn merges_wrapper_and_native_and_assigns_helpers() {
    let wrapper_args = "node /usr/lib/node_modules/opencode-ai/bin/opencode -c";
    let native = "/usr/lib/node_modules/opencode-linux-x64/bin/opencode";
    let mut tool = proc(
        40,
        30,
        "opencode",
        "/usr/bin/opencode",
        "opencode --version",
    );
    tool.env.opencode_pid = Some(30);
    let all = vec![
        proc(1, 0, "systemd", "/usr/lib/systemd/systemd", "/sbin/init"),
        proc(10, 1, "bash", "/usr/bin/bash", "bash"),
        proc(20, 10, "node", "/usr/bin/node", wrapper_args),
        proc(30, 20, "opencode", native, &format!("{native} -c")),
        proc(
            31,
            30,
            "node",
            "/usr/bin/node",
            "node typescript-language-server --stdio",
        ),
        proc(32, 31, "tsserver", "/usr/bin/node", "node tsserver.js"),
        tool,
        // A wrapper-spawned process that is not the native child belongs to the merged row.
        proc(21, 20, "sh", "/usr/bin/sh", "sh -c true"),
        proc(
            50,
            10,
            "opencode",
            "/usr/bin/opencode",
            "opencode serve --port 4096",
        ),
        proc(60, 10, "vim", "/usr/bin/vim", "vim"),
        // otop itself and its tmux child.
        proc(70, 10, "otop", "/usr/bin/otop", "otop"),
        proc(71, 70, "opencode", "/usr/bin/opencode", "opencode db path"),
    ];
    let table = build_table(all, 70);
    let main: Vec<(u32, Kind, Option<u32>)> = table
        .iter()
        .filter(|p| p.kind != Kind::Helper)
        .map(|p| (p.info.pid, p.kind, p.wrapper_pid))
        .collect();
    assert_eq!(
        main,
        vec![(30, Kind::Tui, Some(20)), (50, Kind::Serve, None)]
    );
    let helpers: Vec<(u32, Option<u32>)> = table
        .iter()
        .filter(|p| p.kind == Kind::Helper)
        .map(|p| (p.info.pid, p.owner))
        .collect();
    assert_eq!(
        helpers,
        vec![
            (21, Some(30)),
            (31, Some(30)),
            (32, Some(30)),
            (40, Some(30))
        ]
    );
}

#[test]
fn a_lone_wrapper_counts_as_opencode() {
    let all = vec![proc(
        20,
        1,
        "node",
        "/usr/bin/node",
        "node /x/opencode-ai/bin/opencode run hi",
    )];
    let table = build_table(all, 999);
    assert_eq!(table.len(), 1);
    assert_eq!(
        (table[0].info.pid, table[0].kind, table[0].wrapper_pid),
        (20, Kind::Run, None)
    );
}

#[test]
fn cpu_percent_comes_from_the_delta_between_samples() {
    let t0 = Instant::now();
    let t1 = t0 + std::time::Duration::from_millis(500);
    let busy = |cpu| ProcessInfo {
        pid: 1,
        started_at: 100,
        cpu_time_ms: cpu,
        ..Default::default()
    };
    let mut s = CpuSampler::default();
    // First sight: no CPU% even though lifetime CPU is large.
    assert!(s.sample(&[&busy(60_000)], t0).is_empty());
    let pct = s.sample(&[&busy(60_250)], t1);
    assert!((pct[&1] - 50.0).abs() < 0.1, "{pct:?}");
    // Same pid, new process (pid reuse): starts over.
    let reused = ProcessInfo {
        pid: 1,
        started_at: 200,
        cpu_time_ms: 10,
        ..Default::default()
    };
    assert!(
        s.sample(&[&reused], t1 + std::time::Duration::from_secs(1))
            .is_empty()
    );
    // Gone from one sample: forgotten.
    s.sample(&[], t1 + std::time::Duration::from_secs(2));
    assert!(s.prev.is_empty());
}

#[test]
fn a_second_sample_of_some_processes_keeps_the_others() {
    let t0 = std::time::Instant::now();
    let window = std::time::Duration::from_millis(250);
    let p = |pid, cpu_time_ms| ProcessInfo {
        pid,
        started_at: 100,
        cpu_time_ms,
        ..Default::default()
    };
    let mut s = CpuSampler::default();
    assert!(s.sample(&[&p(1, 0), &p(2, 0)], t0).is_empty());
    assert_eq!(s.ready_at(&[&p(1, 0)], window), Some(t0 + window));
    assert_eq!(
        s.ready_at(&[&p(3, 0)], window),
        None,
        "never sampled: no wait"
    );
    let pct = s.update(&[&p(1, 125)], t0 + window);
    assert!((pct[&1] - 50.0).abs() < 0.1, "{pct:?}");
    assert_eq!(s.prev.len(), 2, "process 2 keeps its sample");
    let pct = s.sample(&[&p(1, 125), &p(2, 250)], t0 + 2 * window);
    assert!(
        (pct[&1]).abs() < 0.1 && (pct[&2] - 50.0).abs() < 0.1,
        "{pct:?}"
    );
}

#[cfg(target_os = "linux")]
mod live;

#[test]
fn opencode_files_sessions_under_pwd_unless_given_a_project() {
    let info = |argv: &[&str], pwd: Option<&str>| ProcessInfo {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        cwd: Some("/real/dir".into()),
        env: crate::source::process::types::ProcEnv {
            pwd: pwd.map(str::to_string),
            ..Default::default()
        },
        ..ProcessInfo::default()
    };
    let dir = |argv: &[&str], pwd| project_dir(&info(argv, pwd));
    assert_eq!(
        dir(&["opencode"], Some("/link/dir")).as_deref(),
        Some("/link/dir")
    );
    assert_eq!(
        dir(&["opencode", "-s", "ses_1"], Some("/link/dir")).as_deref(),
        Some("/link/dir")
    );
    assert_eq!(
        dir(&["opencode", "run", "hi"], Some("/p")).as_deref(),
        Some("/p")
    );
    assert_eq!(
        dir(&["opencode", "~/proj"], Some("/p")).as_deref(),
        Some("/real/dir")
    );
    assert_eq!(dir(&["opencode"], None).as_deref(), Some("/real/dir"));
    assert_eq!(
        dir(&["opencode"], Some("relative")).as_deref(),
        Some("/real/dir")
    );
}

#[test]
fn ancestors_from_a_table_stop_at_init_and_at_loops() {
    let parents: HashMap<u32, u32> = [(50, 40), (40, 1), (1, 0), (7, 8), (8, 7)].into();
    let by = |pid| ancestors_by(pid, |p| parents.get(&p).copied());
    assert_eq!(by(50), [40, 1]);
    // pid reuse mid-scan can make a loop: it ends where a pid repeats.
    assert_eq!(by(7), [8, 7]);
    assert!(by(99).is_empty());
}
