//! End-to-end: otop against the real opencode (npm `opencode-ai`), driven by a scripted
//! OpenAI-compatible model, in a private tmux server with an isolated HOME and XDG dirs.
//!
//! Starting TUIs is the slow part (about a minute for a dozen on two cores), so each version
//! starts one fleet and runs its scenarios in sequence; a failing scenario is reported and the
//! others still run. Everything started is killed at the end, also on failure.
//!
//! Debugging: the fleet's temp dir (printed first) holds `requests.log` (every request body the
//! model got) and opencode's data dir under `env/`.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fleet::{self, Fleet, TuiSpec};
use support::model_server::TASK_CHILD_PROMPT;
use support::replies::{self, Via};
use support::{opencode, wait_for};

use support::checks::*;
use support::timeline;

/// Scenarios of one fleet: each runs even when an earlier one failed; failures are listed at
/// the end.
#[derive(Default)]
struct Report {
    failed: Vec<String>,
    lines: Vec<String>,
}

impl Report {
    fn run(&mut self, name: &str, f: impl FnOnce() -> String) {
        let start = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let took = start.elapsed();
        let line = match r {
            Ok(note) => format!("ok    {name} ({took:.1?}) {note}"),
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.failed.push(format!("{name}: {msg}"));
                format!("FAIL  {name} ({took:.1?})")
            }
        };
        eprintln!("{line}");
        let _ = std::io::stderr().flush();
        self.lines.push(line);
    }

    fn finish(self) {
        eprintln!("\n{}", self.lines.join("\n"));
        assert!(
            self.failed.is_empty(),
            "{} scenario(s) failed:\n\n{}",
            self.failed.len(),
            self.failed.join("\n\n")
        );
    }
}

const READY: Duration = Duration::from_secs(300);
const STATE: Duration = Duration::from_secs(60);

/// Fleets take both cores while they start: one at a time.
static ONE_FLEET: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A fleet of the main version, holding [`ONE_FLEET`]; None (after saying why) when tmux or
/// npm is missing outside CI.
fn main_fleet() -> Option<(std::sync::MutexGuard<'static, ()>, Fleet)> {
    if !support::have_tmux() {
        return None;
    }
    let one = ONE_FLEET.lock().unwrap_or_else(|e| e.into_inner());
    let bin = opencode::ensure(opencode::VERSION)?;
    Some((one, Fleet::new(bin, opencode::VERSION)))
}

#[test]
fn opencode_1_18_fleet() {
    let Some((_one, mut fleet)) = main_fleet() else {
        return;
    };
    let mut report = Report::default();

    // Earlier conversations for the resumed TUIs: in each directory an older and a newer one.
    // The first runs alone: opencode creates and migrates its database on first start, and
    // two processes doing that at once can fail.
    fleet.run_to_end(
        "resume",
        "hello marker-resume-old",
        Duration::from_secs(180),
    );
    std::thread::scope(|s| {
        let f = &fleet;
        s.spawn(move || {
            f.run_to_end(
                "resume",
                "hello marker-resume-new",
                Duration::from_secs(180),
            )
        });
        s.spawn(move || {
            for age in ["old", "new"] {
                f.run_to_end(
                    "cont",
                    &format!("hello marker-cont-{age}"),
                    Duration::from_secs(180),
                );
            }
        });
    });
    let resume_old = fleet.wait_session_with("marker-resume-old", STATE);
    let cont_new = fleet.wait_session_with("marker-cont-new", STATE);
    let cont_old = fleet.wait_session_with("marker-cont-old", STATE);

    fleet.ask_before_bash("perm");
    let mut specs = fleet::specs(&[
        ("gen", "gen"),
        ("bash", "bash"),
        ("task", "task"),
        ("question", "question"),
        ("perm", "perm"),
        ("todo", "todo"),
        ("fail", "fail"),
        ("idle", "idle"),
        ("twin1", "twins"),
        ("twin2", "twins"),
        ("drive", "drive"),
    ]);
    let mut resume = TuiSpec::new("resume", "resume");
    resume.args = vec!["-s".into(), resume_old.clone()];
    let mut cont = TuiSpec::new("cont", "cont");
    cont.args = vec!["--continue".into()];
    specs.extend([resume, cont]);
    fleet.start_tuis(&specs, READY);

    // Time-limited behaviours first, so they are still going when checked.
    for (tui, prompt) in [
        ("gen", "SLOW 150 marker-gen"),
        ("bash", "BASH 150 marker-bash"),
        ("task", "TASK marker-task"),
        ("question", "QUESTION marker-question"),
        ("perm", "BASH 5 marker-perm"),
        ("todo", "TODO marker-todo"),
        ("fail", "FAIL marker-fail"),
        ("idle", "hello marker-idle"),
        ("twin1", "hello marker-twin-one"),
        ("twin2", "hello marker-twin-two"),
        ("drive", "hello marker-drive"),
    ] {
        fleet.prompt(tui, prompt);
    }
    let idle_session = fleet.wait_session_with("marker-idle", STATE);
    let run_pid = fleet.spawn_run("idle", "SLOW 150 marker-run");
    let f = &fleet;

    report.run("generating", || {
        let id = f.wait_session_with("marker-gen", STATE);
        let row = wait_tui_row(f, "gen", &id, STATE, |r| {
            state_is(r, "working", "generating")
        });
        assert!(
            f.model.streaming("marker-gen"),
            "the reply was no longer streaming when otop said generating"
        );
        status_of(&row)
    });
    report.run("running a tool", || {
        let id = f.wait_session_with("marker-bash", STATE);
        let row = wait_tui_row(f, "bash", &id, STATE, |r| {
            state_is(r, "working", "tool:bash")
        });
        status_of(&row)
    });
    report.run("subagent", || {
        let parent = f.wait_session_with("marker-task", STATE);
        let pid = f.tui("task").pid;
        let rows = wait_rows(
            f,
            true,
            "a child session attached to the task TUI",
            STATE,
            |rows| {
                rows.iter()
                    .find(|r| pid_of(r) == Some(pid) && parent_of(r) == Some(parent.as_str()))
                    .cloned()
            },
        );
        assert!(
            f.model.streaming(TASK_CHILD_PROMPT),
            "the subagent had already finished when checked"
        );
        let row = wait_tui_row(f, "task", &parent, STATE, |r| state_is(r, "working", ""));
        format!(
            "child {} {}; parent {}",
            session_of(&rows).unwrap_or_default(),
            status_of(&rows),
            status_of(&row)
        )
    });
    report.run("opencode run next to a TUI", || {
        let run_session = f.wait_session_with("marker-run", STATE);
        assert_ne!(
            run_session, idle_session,
            "opencode run reused the TUI's session"
        );
        let row = wait_rows(
            f,
            true,
            "the opencode run process with its session",
            STATE,
            |rows| rows.iter().find(|r| pid_of(r) == Some(run_pid)).cloned(),
        );
        assert_eq!(
            row["kind"],
            "run",
            "kind of the opencode run process: {}",
            brief(&row)
        );
        assert_eq!(
            session_of(&row).as_deref(),
            Some(run_session.as_str()),
            "opencode run mapped to the wrong session: {}",
            brief(&row)
        );
        let tui = wait_tui_row(f, "idle", &idle_session, STATE, |_| true);
        format!(
            "run {}; TUI kept {}",
            status_of(&row),
            session_of(&tui).unwrap_or_default()
        )
    });
    report.run("asking a question", || {
        let id = f.wait_session_with("marker-question", STATE);
        let row = wait_tui_row(f, "question", &id, STATE, |r| state_is(r, "waiting", ""));
        status_of(&row)
    });
    report.run("waiting for a permission", || {
        let id = f.wait_session_with("marker-perm", STATE);
        let row = wait_tui_row(f, "perm", &id, STATE, |r| state_is(r, "waiting", ""));
        status_of(&row)
    });
    report.run("todos", || {
        let id = f.wait_session_with("marker-todo", STATE);
        let row = wait_tui_row(f, "todo", &id, STATE, |r| {
            r["session"]["todos"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        });
        format!(
            "{} todos, {}",
            row["session"]["todos"].as_array().map_or(0, Vec::len),
            status_of(&row)
        )
    });
    report.run("failing provider", || {
        // Retrying, or given up by now: an error either way (the timeline is checked in
        // `opencode_1_18_retries_and_twins`).
        let id = f.wait_session_with("marker-fail", STATE);
        let row = wait_tui_row(f, "fail", &id, Duration::from_secs(90), |r| {
            state_is(r, "error", "")
        });
        assert!(
            row["status"]
                .as_str()
                .is_some_and(|s| s.contains("scripted failure")),
            "{}",
            brief(&row)
        );
        status_of(&row)
    });
    report.run("idle after a reply", || {
        let row = wait_tui_row(f, "idle", &idle_session, STATE, |r| state_is(r, "idle", ""));
        status_of(&row)
    });
    report.run("two TUIs in one directory", || {
        let one = f.wait_session_with("marker-twin-one", STATE);
        let two = f.wait_session_with("marker-twin-two", STATE);
        assert_ne!(one, two);
        let a = wait_tui_row(f, "twin1", &one, STATE, |_| true);
        let b = wait_tui_row(f, "twin2", &two, STATE, |_| true);
        format!("{} / {}", match_of(&a), match_of(&b))
    });
    report.run("resumed with -s", || {
        let row = wait_tui_row(f, "resume", &resume_old, STATE, |_| true);
        assert_eq!(row["match"], "flag", "{}", brief(&row));
        status_of(&row)
    });
    report.run("resumed with --continue", || {
        assert_ne!(cont_old, cont_new);
        let row = wait_tui_row(f, "cont", &cont_new, STATE, |_| true);
        format!("{} {}", match_of(&row), status_of(&row))
    });
    report.run("status line counts", || {
        // Stable by now: question and perm wait; gen, bash and task still work. `--db`: only
        // the fleet's sessions count, whatever else runs on the machine.
        let db = f.db_path().display().to_string();
        let plain = wait_for(STATE, || {
            let out = f.otop(&["--db", &db, "status", "--plain"]);
            (out.contains("◆2 ")).then_some(out)
        });
        let json: Value =
            serde_json::from_str(&f.otop(&["--db", &db, "status", "--json"])).expect("status json");
        let plain = plain.unwrap_or_else(|| panic!("status never showed 2 waiting: {json}"));
        assert_eq!(json["total"], specs.len(), "status --json: {json}");
        plain.trim().to_string()
    });
    report.run("jump across tmux sessions", || jump_check(f));
    answers(&mut report, f, &replies::PANE);
    days(&mut report, f, &[&resume_old, &cont_old, &cont_new]);
    report.run("time_updated covers every prompt", || {
        updated_covers_prompts(f)
    });
    driving(&mut report, f, replies::PANE.0);

    keep_on_failure(&report, &fleet);
    drop(fleet);
    report.finish();
}

/// Without the plugin, what only the log and the database tell: a failing provider reads
/// `retrying` from opencode's first `stream error` line until it gives up, a queueing one
/// `waiting for the model` all along (neither reads as the other); then twins (two TUIs in one
/// directory, started together, one idle and one working), in a git repository and in a plain
/// directory, started and looked at 20 times while busy loops take every core: never swapped,
/// and matched by each process's own log run (on Linux, where a process's writes to the shared
/// log show which lines are its own).
#[test]
fn opencode_1_18_retries_and_twins() {
    let Some((_one, mut fleet)) = main_fleet() else {
        return;
    };
    let mut report = Report::default();
    fleet.start_tuis(
        &fleet::specs(&[("fail", "fail"), ("queue", "queue")]),
        READY,
    );
    const QUEUE_SECS: u64 = 80;
    fleet.prompt("fail", "FAIL marker-fail");
    fleet.prompt("queue", &format!("QUEUE {QUEUE_SECS} marker-queue"));
    let queued_at = timeline::now_ms();
    let f = &fleet;
    report.run(
        "retrying from the first stream error; a queue keeps waiting",
        || {
            let fail = f.wait_session_with("marker-fail", STATE);
            let queue = f.wait_session_with("marker-queue", STATE);
            timeline::retry_and_queue(f, (&fail, &queue), queued_at, QUEUE_SECS)
        },
    );

    let load = support::Load::start(Duration::from_secs(420));
    let twins = fleet::specs(&[
        ("twin1", "twins"),
        ("twin2", "twins"),
        ("plain1", "plain"),
        ("plain2", "plain"),
    ]);
    let started = Instant::now();
    fleet.start_tuis(&twins, READY);
    let ready = started.elapsed();
    for (tui, prompt) in [
        ("twin1", "hello marker-twin-one"),
        ("twin2", "SLOW 200 marker-twin-two"),
        ("plain1", "hello marker-plain-one"),
        ("plain2", "SLOW 200 marker-plain-two"),
    ] {
        fleet.prompt(tui, prompt);
    }
    let f = &fleet;
    report.run("twins on a loaded machine, 20 looks", || {
        let look: Vec<(&str, String, bool)> = [
            ("twin1", "marker-twin-one", true),
            ("twin2", "marker-twin-two", false),
            ("plain1", "marker-plain-one", true),
            ("plain2", "marker-plain-two", false),
        ]
        .into_iter()
        .map(|(tui, marker, idle)| (tui, f.wait_session_with(marker, STATE), idle))
        .collect();
        for (tui, session, idle) in &look {
            let state = if *idle { "idle" } else { "working" };
            wait_tui_row(f, tui, session, STATE, |r| state_is(r, state, ""));
        }
        let matches = timeline::twins(f, &look, 20);
        if cfg!(target_os = "linux") {
            for m in &matches {
                assert!(
                    m.ends_with(": log"),
                    "not matched by their own log runs: {matches:?}"
                );
            }
        }
        format!(
            "started under load, ready in {ready:.0?}; {}",
            matches.join("; ")
        )
    });
    drop(load);

    keep_on_failure(&report, &fleet);
    drop(fleet);
    report.finish();
}

/// The fleet again, leaner, with the companion plugin installed by `otop plugin install`: exact
/// pid → session (twins started together included), the live states only the plugin knows,
/// answers seen on the next refresh, and the event names real opencode publishes.
#[test]
fn opencode_1_18_plugin() {
    let Some((_one, mut fleet)) = main_fleet() else {
        return;
    };
    let trace = fleet.root.join("plugin-events.txt");
    fleet
        .extra_env
        .push(("OTOP_PLUGIN_TRACE".into(), trace.display().to_string()));
    let said = fleet.otop(&["plugin", "install"]);
    let installed = fleet.root.join("env/config/opencode/plugins/otop.js");
    assert_eq!(
        std::fs::read_to_string(&installed).ok().as_deref(),
        Some(otop::companion::PLUGIN_JS),
        "otop plugin install did not write {}: {said}",
        installed.display()
    );
    let mut report = Report::default();

    // Notifications: a watcher on the fleet's tmux server, a notification service on a bus of
    // its own. Started before the TUIs, so what they do is news to it (not found at start-up).
    let bus = support::dbus::Bus::start();
    {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_otop"));
        cmd.args(["watch", "--tmux", "--interval", "2", "--socket"])
            .arg(&fleet.tmux.socket)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env_remove("TMUX")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (k, v) in fleet.env() {
            cmd.env(k, v);
        }
        fleet.adopt(cmd.spawn().expect("start otop watch"));
    }
    fleet.ask_before_bash("perm");
    // `perm` first: with no database yet it starts alone; the twins then start back to back.
    let specs = fleet::specs(&[
        ("perm", "perm"),
        ("twin1", "twins"),
        ("twin2", "twins"),
        ("question", "question"),
        ("fail", "fail"),
        ("drive", "drive"),
    ]);
    fleet.start_tuis(&specs, READY);
    let markers = [
        ("perm", "BASH 5 marker-perm"),
        ("twin1", "hello marker-twin-one"),
        ("twin2", "hello marker-twin-two"),
        ("question", "QUESTION marker-question"),
        ("fail", "FAIL marker-fail"),
        ("drive", "hello marker-drive"),
    ];
    for (tui, prompt) in markers {
        fleet.prompt(tui, prompt);
    }
    let f = &fleet;
    let session = |tui: &str| {
        let (_, prompt) = markers.iter().find(|(t, _)| *t == tui).expect("a marker");
        f.wait_session_with(prompt.split(' ').next_back().unwrap_or(prompt), STATE)
    };

    report.run("the plugin runs in every TUI", || {
        for s in &specs {
            let pid = f.tui(s.name).pid;
            let state = wait_for(STATE, || f.plugin_state(pid)).unwrap_or_else(|| {
                panic!(
                    "{}: no plugin file {}",
                    s.name,
                    f.plugin_file(pid).display()
                )
            });
            assert_eq!(state["opencode_version"], opencode::VERSION, "{state}");
        }
        let rows = f.sessions(true);
        for s in &specs {
            let pid = f.tui(s.name).pid;
            let row = rows.iter().find(|r| pid_of(r) == Some(pid));
            assert!(
                row.is_some_and(|r| r["plugin"] == true),
                "{}: otop does not see its plugin: {}",
                s.name,
                row.map(brief).unwrap_or_default()
            );
        }
        format!("{} plugin files", specs.len())
    });
    report.run("exact pid → session for every pane", || {
        let mut starts = Vec::new();
        for s in &specs {
            let id = session(s.name);
            let row = wait_tui_row(f, s.name, &id, STATE, |r| r["match"] == "plugin");
            starts.push((s.name, row["started_at"].as_i64().unwrap_or_default()));
        }
        let start = |n: &str| starts.iter().find(|(t, _)| *t == n).map_or(0, |(_, s)| *s);
        let apart = (start("twin1") - start("twin2")).abs();
        assert!(apart < 1_000, "the twins started {apart} ms apart");
        format!("twins started {apart} ms apart")
    });
    report.run("waiting for a permission", || {
        let row = wait_tui_row(f, "perm", &session("perm"), STATE, |r| {
            state_is(r, "waiting", "permission: bash sleep 5")
        });
        status_of(&row)
    });
    report.run("the permission is told once, within a second", || {
        let id = session("perm");
        let pid = f.tui("perm").pid;
        let asked = f
            .plugin_state(pid)
            .and_then(|s| s["sessions"][id.as_str()]["updated_at"].as_i64())
            .unwrap_or_default();
        let told = |c: &support::dbus::Notified| c.body == "permission: bash sleep 5";
        wait_for(Duration::from_secs(10), || {
            bus.calls().into_iter().find(told)
        })
        .expect("no Notify for the permission request");
        std::thread::sleep(Duration::from_secs(5));
        let calls: Vec<_> = bus.calls().into_iter().filter(told).collect();
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(calls[0].summary.ends_with(": waiting for you"), "{calls:?}");
        let latency = calls[0].at_ms - asked;
        assert!(
            latency < 1_000,
            "permission.asked → Notify took {latency} ms"
        );
        format!(
            "{latency} ms after permission.asked: {:?}",
            calls[0].summary
        )
    });
    report.run("asking a question", || {
        let row = wait_tui_row(f, "question", &session("question"), STATE, |r| {
            state_is(r, "waiting", "asking: Colour")
        });
        status_of(&row)
    });
    report.run("failing provider", || {
        let id = session("fail");
        let row = wait_tui_row(f, "fail", &id, STATE, |r| {
            state_is(r, "error", "retrying (attempt ")
        });
        // opencode's own report: certain, and its reason survives the table's cut.
        assert_eq!(row["certain"], true, "{row}");
        let table = f.otop(&["sessions"]);
        let line = table
            .lines()
            .find(|l| l.contains(id.as_str()))
            .unwrap_or_default();
        assert!(line.contains("scripted failure"), "{table}");
        status_of(&row)
    });
    report.run("interrupting the retries", || {
        f.keys("fail", &["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
        f.keys("fail", &["Escape"]);
        next_refresh(
            f,
            "fail",
            &session("fail"),
            |s| s["status"] != "retry",
            |r| !state_is(r, "error", "retrying"),
        )
    });
    report.run("a provider error", || {
        let id = session("fail");
        f.prompt("fail", "REFUSE marker-refused");
        let row = wait_tui_row(f, "fail", &id, STATE, |r| {
            state_is(r, "error", "error: ")
                && r["status"]
                    .as_str()
                    .is_some_and(|s| s.contains("scripted refusal"))
        });
        status_of(&row)
    });
    report.run("answering the permission", || {
        answer(f, "perm", "Enter", &session("perm"), "permission")
    });
    report.run("answering the question", || {
        answer(f, "question", "Enter", &session("question"), "question")
    });
    report.run("dismissing a question", || {
        let id = session("question");
        wait_tui_row(f, "question", &id, STATE, |r| state_is(r, "idle", ""));
        f.prompt("question", "QUESTION marker-dismissed");
        wait_tui_row(f, "question", &id, STATE, |r| {
            state_is(r, "waiting", "asking: Colour")
        });
        answer(f, "question", "Escape", &id, "question")
    });
    answers(&mut report, f, &replies::PLUGIN);
    // The watcher started before the TUIs saw every permission wait; opencode keeps no time.
    report.run("otop report: permission waits only the watcher saw", || {
        support::days::observed_waits(f, &session("perm"))
    });
    report.run("todos", || {
        let id = session("twin1");
        f.prompt("twin1", "TODO marker-todo");
        let row = wait_tui_row(f, "twin1", &id, STATE, |r| {
            r["session"]["todos"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        });
        status_of(&row)
    });
    report.run("a subagent leaves the parent's session", || {
        let parent = session("perm");
        wait_tui_row(f, "perm", &parent, STATE, |r| state_is(r, "idle", ""));
        f.prompt("perm", "TASK marker-task");
        let pid = f.tui("perm").pid;
        let child = wait_rows(f, true, "the subagent's row", STATE, |rows| {
            rows.iter()
                .find(|r| pid_of(r) == Some(pid) && parent_of(r) == Some(parent.as_str()))
                .and_then(session_of)
        });
        let state = wait_for(STATE, || {
            f.plugin_state(pid)
                .filter(|s| s["sessions"][child.as_str()]["status"] == "busy")
        })
        .expect("the plugin never saw the subagent busy");
        assert_eq!(state["session_id"], parent.as_str(), "{state}");
        let row = wait_tui_row(f, "perm", &parent, STATE, |r| r["match"] == "plugin");
        format!("child {child}; parent {}", status_of(&row))
    });
    driving(&mut report, f, replies::PLUGIN.0);
    report.run("event names opencode publishes", || event_names(&trace));
    report.run("a clean exit removes the file", || {
        let pid = f.tui("twin2").pid;
        assert!(
            std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "twin2 (pid {pid}) is no longer running"
        );
        assert!(f.plugin_state(pid).is_some());
        // On an empty prompt one ctrl+c quits.
        f.keys("twin2", &["C-c"]);
        let gone = wait_for(Duration::from_secs(20), || {
            (!f.plugin_file(pid).exists()).then_some(())
        });
        assert!(
            gone.is_some(),
            "{} is still there",
            f.plugin_file(pid).display()
        );
        format!("{pid}.json removed")
    });

    keep_on_failure(&report, &fleet);
    drop(fleet);
    report.finish();
}

/// Driving the `drive` TUI from outside (`otop send`, `interrupt`, `end`), the way `via` says,
/// and what is refused (a message to `question`, asked to wait for an answer afresh).
fn driving(report: &mut Report, f: &Fleet, via: &'static str) {
    let session = f.wait_session_with("marker-drive", STATE);
    report.run("send: a message to an idle session", || {
        support::drive::send_idle(f, "drive", &session, via)
    });
    report.run("send: a message while it works", || {
        support::drive::send_busy(f, "drive", &session, via)
    });
    report.run("interrupt a streaming turn", || {
        support::drive::interrupt(f, "drive", &session, via)
    });
    report.run("send, interrupt, end: refusals", || {
        let question = f.wait_session_with("marker-question", STATE);
        replies::prompt_when_idle(f, "question", &question, "QUESTION marker-drive-refusal");
        replies::waiting_request(f, "question", &question, "asking");
        let mut said = support::drive::refusals(f, "drive", "question");
        if via == replies::PANE.0 {
            let why = "is sent through the companion plugin only";
            let err = support::drive::refused(f, "send", "drive", &["mail a@b"], why);
            said = format!("{said}; {err}");
        }
        // Leaves the question answered, as it found it.
        replies::reply(f, "question", &["--option", "1"]);
        said
    });
    report.run("the README's script line", || {
        support::drive::readme_line(f, "drive", &session, via)
    });
    report.run("end the process", || support::drive::end(f, "drive"));
}

/// Answers from outside opencode (`otop reply`, the monitor's keys, the picker's), the way
/// `via` says (the companion plugin, or the pane), on the `perm` and `question` TUIs: in the
/// main fleet they wait since their first prompt, in the plugin fleet they are idle again.
fn answers(report: &mut Report, f: &Fleet, via: &Via) {
    let plugin = via.0 == replies::PLUGIN.0;
    let perm = f.wait_session_with("marker-perm", STATE);
    let question = f.wait_session_with("marker-question", STATE);
    let (p, q) = (perm.as_str(), question.as_str());
    // (seconds the first command sleeps, the prompts that make them ask, if they do not yet)
    let (secs, once, option) = if plugin {
        (
            9,
            Some("BASH 9 marker-once"),
            Some("QUESTION marker-q-option"),
        )
    } else {
        (5, None, None)
    };
    report.run("reply once lets bash run", || {
        replies::allow_once(f, "perm", p, (secs, once), via)
    });
    report.run("reply reject ends it in an error", || {
        replies::reject(f, "perm", p, secs + 1, via)
    });
    report.run("reply always allows what follows", || {
        replies::allow_always(f, "perm", p, secs + 2, via)
    });
    report.run("reply --option reaches the model", || {
        replies::answer_question(f, "question", q, (option, &["--option", "2"]), "Blue", via)
    });
    // A text starting with '-' is text, never one of send-keys' (or otop's) options.
    report.run("reply --text reaches the model", || {
        let args = ["--text", "-v Green, from otop"];
        let prompt = Some("QUESTION marker-q-text");
        replies::answer_question(
            f,
            "question",
            q,
            (prompt, &args),
            "-v Green, from otop",
            via,
        )
    });
    // The monitor filters to the session and presses 1; the picker types its id and alt-1.
    let (name, view, keys): (_, &[&str], Vec<Vec<&str>>) = if plugin {
        (
            "the picker's alt-1",
            &["pick"],
            vec![vec!["-l", q], vec!["M-1"]],
        )
    } else {
        (
            "the monitor's 1",
            &[],
            vec![vec!["/"], vec!["-l", q], vec!["Enter"], vec!["1"]],
        )
    };
    report.run(&format!("{name} answers a question"), || {
        let keys: Vec<&[&str]> = keys.iter().map(Vec::as_slice).collect();
        let ready = if plugin { "otop pick" } else { "TITLE" };
        let who = ("question", q, "QUESTION marker-q-keys");
        replies::answer_with_keys(f, who, (view, ready), &keys, "Red")
    });
}

/// `otop report` (#30) against the database: a question answered 20 s after it was asked
/// waits 20 s; a reply streamed over 150 s works that long; sessions that ran before any otop
/// get their figures from opencode's records alone.
fn days(report: &mut Report, f: &Fleet, earlier: &[&str]) {
    use support::days;
    report.run("otop report: a question answered 20 s later", || {
        let q = f.wait_session_with("marker-question", STATE);
        let asked = days::rows(f, &q).questions.len();
        replies::prompt_when_idle(f, "question", &q, "QUESTION marker-q-wait");
        replies::waiting_request(f, "question", &q, "asking");
        let start: i64 = {
            let conn = rusqlite::Connection::open_with_flags(
                f.db_path(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open");
            conn.query_row(
                "SELECT max(json_extract(data, '$.state.time.start')) FROM part \
                 WHERE session_id = ?1 AND json_extract(data, '$.tool') = 'question'",
                [&q],
                |r| r.get(0),
            )
            .expect("the question's part")
        };
        let left = start + 20_000 - timeline::now_ms();
        std::thread::sleep(Duration::from_millis(u64::try_from(left).unwrap_or(0)));
        let (code, out, err) = replies::reply(f, "question", &["--option", "1"]);
        assert_eq!(code, 0, "otop reply: {out} {err}");
        wait_tui_row(f, "question", &q, STATE, |r| state_is(r, "idle", ""));
        let r = days::report(f);
        let rows = days::agrees(f, &r, &q);
        assert_eq!(rows.questions.len(), asked + 1, "{rows:?}");
        let waits = days::session(&r, &q)["longest_waits"].clone();
        let wait = waits
            .as_array()
            .and_then(|w| w.iter().find(|w| w["start"] == start))
            .unwrap_or_else(|| panic!("no wait from {start}: {waits}"));
        let ms = wait["ms"].as_i64().unwrap_or_default();
        assert!((20_000..=23_000).contains(&ms), "waited {ms} ms: {wait}");
        assert_eq!(wait["origin"], "recorded", "{wait}");
        format!("waited {ms} ms")
    });
    // The turn also holds the wait for the model's first byte (long while the fleet starts).
    report.run("otop report: 150 s of streaming, 150 s working", || {
        let id = f.wait_session_with("marker-gen", STATE);
        wait_tui_row(f, "gen", &id, Duration::from_secs(200), |r| {
            state_is(r, "idle", "")
        });
        let r = days::report(f);
        let rows = days::agrees(f, &r, &id);
        let ms = rows.working_ms();
        let streamed: Vec<i64> = rows.texts.iter().map(|(a, b)| b - a).collect();
        assert!(
            streamed.iter().any(|s| (148_000..=160_000).contains(s)),
            "no 150 s stream: {rows:?}"
        );
        assert!(
            ms >= streamed.iter().sum::<i64>(),
            "worked {ms} ms: {rows:?}"
        );
        format!("worked {ms} ms, streamed {streamed:?} ms")
    });
    report.run(
        "otop report: sessions from before otop, from the records",
        || {
            let r = days::report(f);
            let mut said = Vec::new();
            for id in earlier {
                let rows = days::agrees(f, &r, id);
                let s = days::session(&r, id);
                assert_eq!(s["observed_ms"], 0, "{s}");
                said.push(format!("{} ms", rows.working_ms()));
            }
            said.join(", ")
        },
    );
}

/// Presses `key` in TUI `name` to answer (or dismiss) what the plugin reports as `field`
/// (`permission`, `question`) of `session`: the next refresh must show it working or idle.
fn answer(f: &Fleet, name: &str, key: &str, session: &str, field: &str) -> String {
    f.keys(name, &[key]);
    next_refresh(
        f,
        name,
        session,
        |s| s.get(field).is_none(),
        |r| state_is(r, "working", "") || state_is(r, "idle", ""),
    )
}

/// After a key press changed what the plugin reports for `session` of TUI `name`: waits (a few
/// seconds at most) for the plugin's file to satisfy `written`, then takes a single `otop
/// sessions --json`, whose row must already satisfy `ok`.
fn next_refresh(
    f: &Fleet,
    name: &str,
    session: &str,
    written: impl Fn(&Value) -> bool,
    ok: impl Fn(&Value) -> bool,
) -> String {
    let pid = f.tui(name).pid;
    let file = wait_for(Duration::from_secs(5), || {
        f.plugin_state(pid)
            .filter(|s| s["sessions"].get(session).is_some_and(&written))
    });
    assert!(
        file.is_some(),
        "{name}: the plugin did not write the change within 5 s: {:?}",
        f.plugin_state(pid)
    );
    let rows = f.sessions(false);
    let row = rows
        .iter()
        .find(|r| pid_of(r) == Some(pid) && session_of(r).as_deref() == Some(session))
        .unwrap_or_else(|| panic!("{name}: no row for pid {pid} on {session}"));
    assert!(
        ok(row),
        "{name}: the next refresh still shows {}",
        brief(row)
    );
    status_of(row)
}

/// Every event name the plugin handles (its `case "…":` labels) must have come from the real
/// program in this run: a name opencode never publishes (the SDK's `permission.updated`) would
/// silently never fire.
fn event_names(trace: &std::path::Path) -> String {
    let seen: std::collections::BTreeSet<String> = std::fs::read_to_string(trace)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let handled: Vec<&str> = otop::companion::PLUGIN_JS
        .lines()
        .filter_map(|l| l.trim().strip_prefix("case \"")?.split('"').next())
        .collect();
    assert!(
        handled.len() >= 10,
        "parsed only {handled:?} from the plugin"
    );
    let missing: Vec<&&str> = handled.iter().filter(|h| !seen.contains(**h)).collect();
    assert!(
        missing.is_empty(),
        "the plugin handles {missing:?}, which opencode never sent; it sent {seen:?}"
    );
    format!(
        "{} handled names all received; all received: {seen:?}",
        handled.len()
    )
}

/// The smaller set on older versions: 1.2.x (a node wrapper in front of the native binary,
/// one log file per process) and 1.15.x (older schema, per-process logs).
#[test]
fn older_versions_smoke() {
    if !support::have_tmux() {
        return;
    }
    let _one = ONE_FLEET.lock().unwrap_or_else(|e| e.into_inner());
    let mut report = Report::default();
    for version in ["1.2.27", "1.15.13"] {
        let Some(bin) = opencode::ensure(version) else {
            return;
        };
        let mut fleet = Fleet::new(bin, version);
        let specs = fleet::specs(&[
            ("gen", "gen"),
            ("idle", "idle"),
            ("twin1", "twins"),
            ("twin2", "twins"),
        ]);
        // The twins start a few seconds apart, as people start them. Started within the same
        // few seconds, opencode ≤ 1.15's per-second log file names collide and otop drops that
        // evidence (`log::SHARED_NAME_WINDOW_MS`); which twin runs which session is then a
        // guess that only the companion plugin settles.
        let first = std::time::Instant::now();
        fleet.start_tuis(&specs[..3], READY);
        let apart = Duration::from_millis(otop::source::log::SHARED_NAME_WINDOW_MS as u64 + 1_500);
        std::thread::sleep(apart.saturating_sub(first.elapsed()));
        fleet.start_tuis(&specs[3..], READY);
        for (tui, prompt) in [
            ("gen", "SLOW 150 marker-gen"),
            ("idle", "hello marker-idle"),
            ("twin1", "hello marker-twin-one"),
            ("twin2", "hello marker-twin-two"),
        ] {
            fleet.prompt(tui, prompt);
        }
        let f = &fleet;
        report.run(&format!("{version} generating"), || {
            let id = f.wait_session_with("marker-gen", STATE);
            let row = wait_tui_row(f, "gen", &id, STATE, |r| {
                state_is(r, "working", "generating")
            });
            assert!(
                f.model.streaming("marker-gen"),
                "the reply had already ended"
            );
            let pane_pid = f.tui("gen").pid;
            let which = if pid_of(&row) == Some(pane_pid) {
                "the pane's"
            } else {
                "a child's"
            };
            format!("{}, pid is {which}", status_of(&row))
        });
        report.run(&format!("{version} idle after a reply"), || {
            let id = f.wait_session_with("marker-idle", STATE);
            let row = wait_tui_row(f, "idle", &id, STATE, |r| state_is(r, "idle", ""));
            status_of(&row)
        });
        report.run(&format!("{version} two TUIs in one directory"), || {
            let one = f.wait_session_with("marker-twin-one", STATE);
            let two = f.wait_session_with("marker-twin-two", STATE);
            assert_ne!(one, two);
            let a = wait_tui_row(f, "twin1", &one, STATE, |_| true);
            let b = wait_tui_row(f, "twin2", &two, STATE, |_| true);
            format!("{} / {}", match_of(&a), match_of(&b))
        });
        report.run(
            &format!("{version} time_updated covers every prompt"),
            || updated_covers_prompts(f),
        );
        keep_on_failure(&report, &fleet);
    }
    report.finish();
}

/// With `E2E_KEEP=1`, a failed run leaves the fleet up for inspection until the file
/// `<fleet dir>/keep` is removed (at most 30 minutes).
fn keep_on_failure(report: &Report, fleet: &Fleet) {
    if report.failed.is_empty() || std::env::var_os("E2E_KEEP").is_none() {
        return;
    }
    let keep = fleet.root.join("keep");
    std::fs::write(&keep, "remove me to tear the fleet down\n").expect("write keep file");
    eprintln!(
        "E2E_KEEP: fleet kept; tmux -S {} attach; rm {} to end",
        fleet.tmux.socket_str(),
        keep.display()
    );
    wait_for(Duration::from_secs(1800), || (!keep.exists()).then_some(()));
}

/// Attaches a client to tmux session `a`, jumps it to twin2's pane in session `b`.
fn jump_check(f: &Fleet) -> String {
    let two = f.wait_session_with("marker-twin-two", STATE);
    let client = attach_client(f, "a");
    let (code, out, err) = support::otop(
        &["jump", &two, "--client", &client],
        &f.env()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 0, "otop jump failed: {err}");
    let want = format!("b {}", f.tui("twin2").pane);
    let seen = wait_for(Duration::from_secs(5), || {
        let now = f
            .tmux
            .ok(&["display", "-p", "-c", &client, "#{session_name} #{pane_id}"]);
        (now.trim() == want).then_some(())
    });
    let now = f
        .tmux
        .ok(&["display", "-p", "-c", &client, "#{session_name} #{pane_id}"]);
    assert!(
        seen.is_some(),
        "client {client} is at {:?}, want {want:?}",
        now.trim()
    );
    out.trim().to_string()
}

/// Debugging aid, not a test: serves the scripted model until killed, writing its port to
/// `$E2E_SERVE_DIR/port` (`cargo test --test e2e serve_model -- --ignored`).
#[test]
#[ignore]
fn serve_model() {
    let dir = std::path::PathBuf::from(std::env::var("E2E_SERVE_DIR").unwrap_or("/tmp".into()));
    let server = support::model_server::ModelServer::start(&dir);
    std::fs::write(dir.join("port"), server.port.to_string()).expect("write port");
    loop {
        std::thread::park();
    }
}

/// A measurement, not a test: the time from `otop send` to opencode taking the message (the
/// command's exit 0: the user message is in the database), five times each without the plugin
/// (through the pane) and with it, one TUI at a time; medians printed with the load average.
/// Meaningful on a quiet machine only (`cargo test --test e2e drive_timing -- --ignored
/// --nocapture`).
#[test]
#[ignore]
fn drive_timing() {
    let Some((_one, mut fleet)) = main_fleet() else {
        return;
    };
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    for (name, via) in [("timing", replies::PANE), ("timing2", replies::PLUGIN)] {
        if via.0 == replies::PLUGIN.0 {
            fleet.otop(&["plugin", "install"]);
        }
        fleet.start_tuis(&[TuiSpec::new(name, name)], READY);
        let first = format!("hello marker-{name}");
        fleet.prompt(name, &first);
        let session = fleet.wait_session_with(&first, STATE);
        let mut took = Vec::new();
        for i in 0..5 {
            wait_tui_row(&fleet, name, &session, STATE, |r| state_is(r, "idle", ""));
            let text = format!("hello marker-{name}-{i}");
            took.push(support::drive::taken(&fleet, "send", name, &[&text], via.0).1);
        }
        took.sort();
        eprintln!(
            "{}: median {:.2?} of {took:.2?}; load {}",
            via.0,
            took[2],
            load().trim()
        );
    }
}
