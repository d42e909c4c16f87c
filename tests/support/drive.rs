//! Driving real opencode from outside, for the end-to-end suite: `otop send`, `otop interrupt`,
//! `otop end` on a TUI of its own (`drive`), checked against what opencode then did (its
//! database, its process) and what the scripted model was sent.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value;

use super::checks::*;
use super::fleet::Fleet;
use super::wait_for;

const STATE: Duration = Duration::from_secs(60);

/// `otop <verb> [options] -- <pid of TUI name> [text]` (`args`: options, those starting with
/// `--`; the text, the rest): (exit code, stdout, stderr, how long it took).
pub fn otop_on(
    f: &Fleet,
    verb: &str,
    name: &str,
    args: &[&str],
) -> (i32, String, String, Duration) {
    let pid = f.tui(name).pid.to_string();
    let (options, text): (Vec<&str>, Vec<&str>) = args.iter().partition(|a| a.starts_with("--"));
    let mut all = vec![verb];
    all.extend(options);
    all.extend(["--", pid.as_str()]);
    all.extend(text);
    let env = f.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let start = Instant::now();
    let (code, out, err) = super::otop(&all, &env);
    (code, out, err, start.elapsed())
}

/// An act that must be taken, the way `via` says (`through the companion plugin`, `through its
/// pane`); its line and how long the command took.
pub fn taken(f: &Fleet, verb: &str, name: &str, args: &[&str], via: &str) -> (String, Duration) {
    let (code, out, err, took) = otop_on(f, verb, name, args);
    assert_eq!(code, 0, "otop {verb} {args:?} failed: {err}");
    assert!(out.contains(via), "otop {verb} {args:?}: not {via}: {out}");
    (out.trim().to_string(), took)
}

/// An act that must be refused, saying `why`.
pub fn refused(f: &Fleet, verb: &str, name: &str, args: &[&str], why: &str) -> String {
    let (code, out, err, _) = otop_on(f, verb, name, args);
    assert_ne!(code, 0, "otop {verb} {args:?} was taken: {out}");
    assert!(err.contains(why), "otop {verb} {args:?} said: {err}");
    err.trim().to_string()
}

/// One assistant message: the text of the user message it answers, when it was created and
/// completed, its error's name, its finish.
#[derive(Debug, Clone)]
pub struct Turn {
    pub prompt: String,
    pub created: i64,
    pub completed: Option<i64>,
    pub error: Option<String>,
    pub finish: Option<String>,
}

/// The assistant messages of `session`, oldest first.
pub fn turns(f: &Fleet, session: &str) -> Vec<Turn> {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        f.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return Vec::new();
    };
    let _ = conn.busy_timeout(Duration::from_secs(5));
    let Ok(mut st) = conn.prepare(
        "SELECT (SELECT group_concat(json_extract(p.data, '$.text'), ' ') FROM part p \
           WHERE p.message_id = json_extract(a.data, '$.parentID') \
           AND json_extract(p.data, '$.type') = 'text'), \
         a.time_created, json_extract(a.data, '$.time.completed'), \
         json_extract(a.data, '$.error.name'), json_extract(a.data, '$.finish') \
         FROM message a WHERE a.session_id = ?1 AND json_extract(a.data, '$.role') = 'assistant' \
         ORDER BY a.time_created",
    ) else {
        return Vec::new();
    };
    st.query_map([session], |r| {
        Ok(Turn {
            prompt: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            created: r.get(1)?,
            completed: r.get(2)?,
            error: r.get(3)?,
            finish: r.get(4)?,
        })
    })
    .map(|rows| rows.flatten().collect())
    .unwrap_or_default()
}

/// The turn answering the prompt containing `marker`, once it is over.
fn turn_over(f: &Fleet, session: &str, marker: &str) -> Turn {
    wait_for(STATE, || {
        turns(f, session)
            .into_iter()
            .find(|t| t.prompt.contains(marker) && t.completed.is_some())
    })
    .unwrap_or_else(|| panic!("no finished turn for {marker}: {:?}", turns(f, session)))
}

/// Whether `pid` runs: a zombie (ended, not yet reaped by the tmux server, which can take a
/// while on a loaded machine) does not.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        !matches!(state, Some(Some('Z' | 'X')) | None)
    })
}

/// A message to the idle session, with text tmux or a flag parser would take for its own (a
/// leading `-t`, key names): it reaches the model as typed, and the session works, then
/// finishes.
pub fn send_idle(f: &Fleet, name: &str, session: &str, via: &str) -> String {
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "idle", ""));
    let text = "-t %0 Enter C-c SLOW 3 marker-drive-idle";
    let (said, took) = taken(f, "send", name, &[text], via);
    let sent = wait_for(STATE, || {
        (f.model.requests_containing(text) > 0).then_some(())
    });
    assert!(sent.is_some(), "the model was never sent {text:?}");
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "working", ""));
    let turn = turn_over(f, session, "marker-drive-idle");
    assert_eq!(
        (turn.error.as_deref(), turn.finish.as_deref()),
        (None, Some("stop")),
        "{turn:?}"
    );
    format!("{said} [{took:.1?}]; the turn finished")
}

/// A message while the session works does what one typed by hand does in 1.18: it is stored at
/// once, the running turn goes on to its end, then the message gets a turn of its own.
pub fn send_busy(f: &Fleet, name: &str, session: &str, via: &str) -> String {
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "idle", ""));
    taken(f, "send", name, &["SLOW 6 marker-drive-busy-one"], via);
    let streaming = wait_for(STATE, || {
        f.model.streaming("marker-drive-busy-one").then_some(())
    });
    assert!(streaming.is_some(), "the first turn never streamed");
    let (said, took) = taken(f, "send", name, &["hello marker-drive-busy-two"], via);
    let first = turn_over(f, session, "marker-drive-busy-one");
    assert_eq!(
        (first.error.as_deref(), first.finish.as_deref()),
        (None, Some("stop")),
        "the running turn did not go on to its end: {first:?}"
    );
    let second = turn_over(f, session, "marker-drive-busy-two");
    assert!(
        second.created >= first.completed.unwrap_or(i64::MAX),
        "the queued message was answered before the running turn ended: {first:?} {second:?}"
    );
    format!("{said} [{took:.1?}]; queued behind the running turn, answered after it")
}

/// An interrupt stops a streaming turn within 2 s; the session ends idle (aborted), the process
/// lives on.
pub fn interrupt(f: &Fleet, name: &str, session: &str, via: &str) -> String {
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "idle", ""));
    taken(f, "send", name, &["SLOW 60 marker-drive-interrupt"], via);
    let streaming = wait_for(STATE, || {
        f.model.streaming("marker-drive-interrupt").then_some(())
    });
    assert!(streaming.is_some(), "the turn never streamed");
    // As a person would: interrupt what otop shows working (the model may stream before the
    // plugin or the database says so, and an interrupt of a row read idle is refused).
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "working", ""));
    let start = Instant::now();
    let (said, took) = taken(f, "interrupt", name, &[], via);
    let stopped = wait_for(Duration::from_secs(5), || {
        (!f.model.streaming("marker-drive-interrupt")).then(|| start.elapsed())
    })
    .expect("still streaming 5 s after the interrupt");
    assert!(
        stopped < Duration::from_secs(2),
        "the stream stopped {stopped:?} after the command"
    );
    let turn = turn_over(f, session, "marker-drive-interrupt");
    assert_eq!(
        turn.error.as_deref(),
        Some("MessageAbortedError"),
        "{turn:?}"
    );
    let row = wait_tui_row(f, name, session, STATE, |r| r["state"] == "idle");
    assert!(alive(f.tui(name).pid), "the process ended");
    format!(
        "{said} [{took:.1?}; stream stopped after {stopped:.1?}]; {}",
        status_of(&row)
    )
}

/// What is refused, and why: a message to a session waiting for an answer, an interrupt of an
/// idle one, the end of something that is not opencode.
pub fn refusals(f: &Fleet, name: &str, waiting: &str) -> String {
    let mut said = vec![
        refused(f, "send", waiting, &["hello"], "waits for an answer"),
        refused(f, "interrupt", name, &[], "is not working"),
    ];
    let sleeper = f.tmux.pane_pid("a:0").to_string();
    let env = f.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (code, _, err) = super::otop(&["end", &sleeper], &env);
    assert_ne!(code, 0);
    assert!(err.contains("no running opencode session matches"), "{err}");
    assert!(alive(sleeper.parse().unwrap_or(0)), "the sleeper was ended");
    said.push(err.trim().to_string());
    said.join("; ")
}

/// `end` ends the process (SIGTERM) and its row goes.
pub fn end(f: &Fleet, name: &str) -> String {
    let pid = f.tui(name).pid;
    let (said, took) = taken(f, "end", name, &["--grace=10"], "ended pid");
    let gone = wait_for(Duration::from_secs(2), || (!alive(pid)).then_some(()));
    assert!(
        gone.is_some(),
        "pid {pid} still runs after `otop end` said it ended"
    );
    let rows = f.sessions(true);
    assert!(
        !rows.iter().any(|r: &Value| pid_of(r) == Some(pid)),
        "the row of pid {pid} is still there"
    );
    format!("{said} [{took:.1?}]")
}

/// The README's script line, as written there, on the TUI's pane: `otop wait PANE --until done`
/// returns once the running turn finished, then `otop send PANE 'now run the tests'` is taken.
pub fn readme_line(f: &Fleet, name: &str, session: &str, via: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("otop wait %5 --until done && otop send %5"))
        .expect("the README's script line");
    let script = line.replace("%5", &f.tui(name).pane);
    let bin = f.root.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir bin");
    let _ = std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_otop"), bin.join("otop"));
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "idle", ""));
    taken(f, "send", name, &["SLOW 3 marker-drive-readme"], via);
    let before = f.model.requests_containing("now run the tests");
    let out = std::process::Command::new("bash")
        .args(["-e", "-c", &script])
        .envs(f.env())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("TMUX")
        .output()
        .expect("bash");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success(),
        "{line}: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(via), "{said}");
    let first = turn_over(f, session, "marker-drive-readme");
    let sent = wait_for(STATE, || {
        (f.model.requests_containing("now run the tests") > before).then_some(())
    });
    assert!(
        sent.is_some(),
        "the model was never sent the README's message"
    );
    let next = turn_over(f, session, "now run the tests");
    assert!(
        next.created >= first.completed.unwrap_or(i64::MAX),
        "sent before the turn was done"
    );
    said
}
