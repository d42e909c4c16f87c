//! `otop restore` end to end, on the real opencode: a fleet of TUIs in two tmux sessions of
//! one private server, a watcher keeping the fleet record; the server is killed (every TUI
//! dies with it) and `otop restore` brings each session back, with its id, directory, window
//! name and tmux session; a second restore changes nothing; a deleted directory is skipped;
//! with TUIs of the fleet still running, only the others are started.

mod support;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fleet::{Fleet, TuiSpec, kill_trees};
use support::{opencode, wait_for};

const READY: Duration = Duration::from_secs(300);
const STATE: Duration = Duration::from_secs(60);

/// name, project directory, tmux session, opencode arguments.
const FLEET: &[(&str, &str, &str, &[&str])] = &[
    ("api", "plain-api", "a", &["-m", "scripted/m"]),
    ("web", "plain-web", "a", &["--agent", "build"]),
    ("docs", "plain-docs", "a", &[]),
    ("infra", "plain-infra", "b", &[]),
    ("data", "plain-data", "b", &[]),
    ("gone", "plain-gone", "b", &[]),
];

/// What `otop restore` printed and its exit code.
fn restore(f: &Fleet) -> (i32, String) {
    let env = f.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (code, out, err) = support::otop(&["restore"], &env);
    assert!(err.is_empty(), "otop restore wrote to stderr: {err}");
    eprintln!("otop restore (exit {code}):\n{out}");
    (code, out)
}

/// The line about session `id`.
fn line_of<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("no line about {id}:\n{out}"))
}

/// Session id → its row in `otop sessions --json`, for the rows with a session.
fn rows(f: &Fleet) -> BTreeMap<String, Value> {
    f.sessions(false)
        .into_iter()
        .filter_map(|r| Some((r["session"]["id"].as_str()?.to_string(), r)))
        .collect()
}

/// Waits until each of `ids` runs again, tied to its process by `-s` (`flag`), in a pane.
fn wait_restored(f: &Fleet, ids: &[&String]) -> BTreeMap<String, Value> {
    wait_for(STATE, || {
        let rows = rows(f);
        ids.iter()
            .all(|id| {
                rows.get(*id)
                    .is_some_and(|r| r["match"] == "flag" && r["tmux"].is_object())
            })
            .then_some(rows)
    })
    .unwrap_or_else(|| {
        let seen: Vec<String> = rows(f)
            .values()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r["session"]["id"], r["pid"], r["match"], r["tmux"]["target"]
                )
            })
            .collect();
        panic!("not every session of {ids:?} came back: {seen:#?}")
    })
}

#[test]
fn a_lost_tmux_server_comes_back() {
    if !support::have_tmux() {
        return;
    }
    let Some(bin) = opencode::ensure(opencode::VERSION) else {
        return;
    };
    let mut f = Fleet::new(bin, opencode::VERSION);
    let specs: Vec<TuiSpec> = FLEET
        .iter()
        .map(|(name, dir, session, args)| TuiSpec {
            name,
            dir,
            tmux_session: session,
            args: args.iter().map(|a| a.to_string()).collect(),
        })
        .collect();
    f.start_tuis(&specs, READY);
    // A TUI has a session once it is prompted.
    for (name, ..) in FLEET {
        f.prompt(name, &format!("hello marker-{name}"));
    }
    let ids: BTreeMap<&str, String> = FLEET
        .iter()
        .map(|(name, ..)| (*name, f.wait_session_with(&format!("marker-{name}"), STATE)))
        .collect();
    let socket = f.tmux.socket_str();

    // The watcher keeps the record.
    let mut watch = Command::new(env!("CARGO_BIN_EXE_otop"));
    watch
        .args([
            "watch",
            "--tmux",
            "--interval",
            "1",
            "--no-notify",
            "--socket",
            &socket,
        ])
        .env_remove("TMUX")
        .env_remove("TMUX_PANE")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in f.env() {
        watch.env(k, v);
    }
    f.adopt(watch.spawn().expect("start otop watch"));
    let record_path = f.root.join("env/state/otop/fleet.json");
    let record = wait_for(STATE, || {
        let text = std::fs::read_to_string(&record_path).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        let n = v["sessions"].as_array()?.len();
        (n == FLEET.len()).then_some((v, text.len()))
    });
    let (record, bytes) = record.unwrap_or_else(|| {
        panic!(
            "the watcher never recorded the fleet: {:?}",
            std::fs::read_to_string(&record_path)
        )
    });
    eprintln!(
        "record: {bytes} bytes for {} sessions, {} bytes a session",
        FLEET.len(),
        bytes / FLEET.len()
    );
    let entries = record["sessions"].as_array().unwrap();
    let api = entries
        .iter()
        .find(|e| e["id"] == ids["api"].as_str())
        .unwrap();
    assert_eq!(api["args"], serde_json::json!(["--model", "scripted/m"]));
    assert_eq!(api["window_name"], "api");
    let web = entries
        .iter()
        .find(|e| e["id"] == ids["web"].as_str())
        .unwrap();
    assert_eq!(web["args"], serde_json::json!(["--agent", "build"]));
    let mode = std::fs::metadata(&record_path).map(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode() & 0o777
    });
    assert_eq!(mode.ok(), Some(0o600));

    // The server dies, and every TUI with it.
    let pids: Vec<u32> = f.tuis.values().map(|t| t.pid).collect();
    f.tmux.ok(&["kill-server"]);
    let all_gone = wait_for(Duration::from_secs(20), || {
        pids.iter()
            .all(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
            .then_some(())
    });
    assert!(all_gone.is_some(), "TUIs outlived their tmux server");
    std::fs::remove_dir_all(&f.tui("gone").dir).expect("delete a project");

    // Everything comes back but the deleted directory's session.
    let started = Instant::now();
    let (code, out) = restore(&f);
    let took = started.elapsed();
    eprintln!("restore of {} sessions took {took:.2?}", FLEET.len() - 1);
    assert_eq!(code, 1, "a skipped session: not everything runs");
    assert!(
        line_of(&out, &ids["gone"]).contains("skipped") && out.contains("its directory is gone"),
        "{out}"
    );
    let back: Vec<&String> = ids
        .iter()
        .filter(|(n, _)| **n != "gone")
        .map(|(_, id)| id)
        .collect();
    for id in &back {
        assert!(line_of(&out, id).starts_with("restored "), "{out}");
    }
    let rows = wait_restored(&f, &back);
    for (name, dir, session, args) in FLEET.iter().filter(|t| t.0 != "gone") {
        let row = &rows[&ids[name]];
        assert_eq!(row["tmux"]["session"], *session, "{name}: {row:#}");
        assert_eq!(row["tmux"]["window_name"], *name, "{name}");
        assert_eq!(row["tmux"]["socket"], socket.as_str(), "{name}");
        let want = f.root.join("projects").join(dir).display().to_string();
        assert_eq!(row["cwd"], want.as_str(), "{name}");
        let argv: Vec<&str> = row["argv"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // The model and agent as recorded (`-m` written `--model`), then `-s ID`.
        let want: Vec<&str> = args
            .iter()
            .map(|a| if *a == "-m" { "--model" } else { a })
            .chain(["-s", ids[name].as_str()])
            .collect();
        assert_eq!(argv[1..], want[..], "{name}");
        assert!(
            !argv.iter().any(|a| a.contains("marker")),
            "{name}: no prompt again"
        );
    }

    // Again: nothing changes, and it says so.
    let pids_now: BTreeMap<String, u64> = rows
        .iter()
        .filter_map(|(id, r)| Some((id.clone(), r["pid"].as_u64()?)))
        .collect();
    let (code, out) = restore(&f);
    assert_eq!(code, 1, "the deleted directory's session is still skipped");
    assert!(
        out.contains("nothing to restore, nothing changed: 5 already running, 1 skipped"),
        "{out}"
    );
    for id in &back {
        assert!(line_of(&out, id).starts_with("already running "), "{out}");
    }

    // Three TUIs end; the two still running are left alone, the others started again.
    let (ended, kept) = back.split_at(3);
    let ended_pids: Vec<u32> = ended.iter().map(|id| pids_now[*id] as u32).collect();
    kill_trees(&ended_pids);
    let (code, out) = restore(&f);
    assert_eq!(code, 1, "{out}");
    for id in kept {
        assert!(line_of(&out, id).starts_with("already running "), "{out}");
    }
    for id in ended {
        assert!(line_of(&out, id).starts_with("restored "), "{out}");
        assert!(!line_of(&out, id).contains("new tmux server"), "{out}");
    }
    let rows = wait_restored(&f, &back);
    for id in kept {
        assert_eq!(rows[*id]["pid"].as_u64(), Some(pids_now[*id]), "left alone");
    }
    for id in ended {
        assert_ne!(
            rows[*id]["pid"].as_u64(),
            Some(pids_now[*id]),
            "started again"
        );
    }
    let pids: Vec<u32> = rows
        .values()
        .filter_map(|r| r["pid"].as_u64())
        .map(|p| p as u32)
        .collect();
    kill_trees(&pids);
}
