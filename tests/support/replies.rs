//! Answering real opencode from outside, for the end-to-end suite: `otop reply`, the monitor's
//! and the picker's keys, checked against what opencode then did (the bash part's status in the
//! database) and what the scripted model was told.
#![allow(dead_code)]

use std::time::Duration;

use super::checks::*;
use super::fleet::Fleet;
use super::wait_for;

const STATE: Duration = Duration::from_secs(60);

/// How the answer must have gone: `through the companion plugin` or `through its pane`.
pub struct Via(pub &'static str);

pub const PLUGIN: Via = Via("through the companion plugin");
pub const PANE: Via = Via("through its pane");

/// `otop reply <pid of TUI name> args…`: (exit code, stdout, stderr).
pub fn reply(f: &Fleet, name: &str, args: &[&str]) -> (i32, String, String) {
    let pid = f.tui(name).pid.to_string();
    let mut all = vec!["reply", pid.as_str()];
    all.extend_from_slice(args);
    let env = f.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    super::otop(&all, &env)
}

/// `otop reply` that must be taken, the way `via` says.
fn taken(f: &Fleet, name: &str, args: &[&str], via: &Via) -> String {
    let start = std::time::Instant::now();
    let (code, out, err) = reply(f, name, args);
    let took = start.elapsed();
    assert_eq!(code, 0, "otop reply {args:?} failed: {err}");
    assert!(out.contains(via.0), "not {}: {out}", via.0);
    format!("{} [otop reply: {took:.0?}]", out.trim())
}

/// `otop reply` that must be refused, saying `why`.
fn refused(f: &Fleet, name: &str, args: &[&str], why: &str) -> String {
    let (code, out, err) = reply(f, name, args);
    assert_ne!(code, 0, "otop reply {args:?} was taken: {out}");
    assert!(err.contains(why), "otop reply {args:?} said: {err}");
    err.trim().to_string()
}

/// The status of the newest bash part of `session` running `command`, from the database.
pub fn bash_status(f: &Fleet, session: &str, command: &str) -> Option<String> {
    let conn = rusqlite::Connection::open_with_flags(
        f.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .ok()?;
    conn.busy_timeout(Duration::from_secs(5)).ok()?;
    conn.query_row(
        "SELECT json_extract(data, '$.state.status') FROM part WHERE session_id = ?1 \
         AND json_extract(data, '$.tool') = 'bash' \
         AND json_extract(data, '$.state.input.command') = ?2 \
         ORDER BY time_created DESC LIMIT 1",
        [session, command],
        |r| r.get::<_, String>(0),
    )
    .ok()
}

fn wait_bash(f: &Fleet, session: &str, command: &str, status: &str) {
    let seen = wait_for(STATE, || {
        (bash_status(f, session, command).as_deref() == Some(status)).then_some(())
    });
    assert!(
        seen.is_some(),
        "the bash part `{command}` of {session} is {:?}, not {status}",
        bash_status(f, session, command)
    );
}

/// Waits until TUI `name` shows `session` waiting on a request; returns the request's id.
pub fn waiting_request(f: &Fleet, name: &str, session: &str, status: &str) -> String {
    let row = wait_tui_row(f, name, session, STATE, |r| {
        state_is(r, "waiting", status) && r["request"]["id"].is_string()
    });
    row["request"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Sends `prompt` once the session is idle (its last turn over).
pub fn prompt_when_idle(f: &Fleet, name: &str, session: &str, prompt: &str) {
    wait_tui_row(f, name, session, STATE, |r| state_is(r, "idle", ""));
    f.prompt(name, prompt);
}

/// `prompt`: a prompt that makes the model ask for `bash sleep <secs>`, sent once the session
/// is idle; None when the session already waits for it.
fn ask(f: &Fleet, name: &str, session: &str, prompt: Option<&str>) {
    if let Some(p) = prompt {
        prompt_when_idle(f, name, session, p);
    }
}

/// The session waits for `bash sleep <secs>`: `once` lets it run to completion, and a second
/// answer to the same request is refused.
pub fn allow_once(
    f: &Fleet,
    name: &str,
    session: &str,
    (secs, prompt): (u32, Option<&str>),
    via: &Via,
) -> String {
    ask(f, name, session, prompt);
    let command = format!("sleep {secs}");
    let id = waiting_request(f, name, session, &format!("permission: bash {command}"));
    let said = taken(f, name, &["once"], via);
    wait_bash(f, session, &command, "completed");
    let again = refused(f, name, &["once", "--request", &id], "no longer pending");
    format!("{said}; again: {again}")
}

/// `reject` ends the asked command with an error.
pub fn reject(f: &Fleet, name: &str, session: &str, secs: u32, via: &Via) -> String {
    let command = format!("sleep {secs}");
    prompt_when_idle(
        f,
        name,
        session,
        &format!("BASH {secs} marker-reject-{secs}"),
    );
    waiting_request(f, name, session, &format!("permission: bash {command}"));
    let said = taken(f, name, &["reject"], via);
    wait_bash(f, session, &command, "error");
    said
}

/// `always` lets it run, and the next command of the same pattern runs without asking.
pub fn allow_always(f: &Fleet, name: &str, session: &str, secs: u32, via: &Via) -> String {
    let command = format!("sleep {secs}");
    prompt_when_idle(
        f,
        name,
        session,
        &format!("BASH {secs} marker-always-{secs}"),
    );
    waiting_request(f, name, session, &format!("permission: bash {command}"));
    let said = taken(f, name, &["always"], via);
    wait_bash(f, session, &command, "completed");
    let next = format!("sleep {}", secs + 1);
    prompt_when_idle(
        f,
        name,
        session,
        &format!("BASH {} marker-always-next", secs + 1),
    );
    wait_bash(f, session, &next, "completed");
    format!("{said}; `{next}` then ran without asking")
}

/// What the model is told of an answer: `"Which colour?"="<answer>"`, as it sits in the
/// request log (JSON inside JSON).
fn told(answer: &str) -> String {
    format!("\\\"Which colour?\\\"=\\\"{answer}\\\"")
}

fn wait_told(f: &Fleet, answer: &str, before: usize) {
    let seen = wait_for(STATE, || {
        (f.model.requests_containing(&told(answer)) > before).then_some(())
    });
    assert!(seen.is_some(), "the model was never told {answer:?}");
}

/// The session asks "Which colour?" (Red, Blue), after `prompt` if given: `args` answer it
/// with `expect`, which reaches the model; a second answer to the same request is refused.
pub fn answer_question(
    f: &Fleet,
    name: &str,
    session: &str,
    (prompt, args): (Option<&str>, &[&str]),
    expect: &str,
    via: &Via,
) -> String {
    ask(f, name, session, prompt);
    let id = waiting_request(f, name, session, "asking");
    let before = f.model.requests_containing(&told(expect));
    let said = taken(f, name, args, via);
    wait_told(f, expect, before);
    let again = refused(
        f,
        name,
        &["--option", "1", "--request", &id],
        "no longer pending",
    );
    format!("{said}; again: {again}")
}

/// Runs a view of otop (`args`, e.g. `["pick"]`) in a new window of the fleet's tmux server,
/// with the fleet's environment; returns its pane.
pub fn otop_window(f: &Fleet, args: &[&str]) -> String {
    let env: Vec<String> = f.env().iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    let cmd = format!(
        "exec env {} TERM=xterm-256color '{}' {}",
        env.join(" "),
        env!("CARGO_BIN_EXE_otop"),
        args.join(" ")
    );
    f.tmux.window("a", &f.root, &cmd)
}

/// Polls `pane`'s screen until it contains `needle`.
pub fn wait_screen(f: &Fleet, pane: &str, needle: &str) -> String {
    let seen = wait_for(Duration::from_secs(20), || {
        let s = f.capture(pane);
        s.contains(needle).then_some(s)
    });
    seen.unwrap_or_else(|| panic!("never showed {needle:?}:\n{}", f.capture(pane)))
}

/// A view of otop answers the question: after `prompt`, once the session asks, the view is
/// opened (`args`, e.g. `["pick"]`, until its screen shows `ready`) and `keys` (tmux key names,
/// one `send-keys` each) typed into it; the model is told `expect`, and the view says so.
pub fn answer_with_keys(
    f: &Fleet,
    (name, session, prompt): (&str, &str, &str),
    (args, ready): (&[&str], &str),
    keys: &[&[&str]],
    expect: &str,
) -> String {
    prompt_when_idle(f, name, session, prompt);
    waiting_request(f, name, session, "asking");
    let pane = otop_window(f, args);
    wait_screen(f, &pane, ready);
    let before = f.model.requests_containing(&told(expect));
    for k in keys {
        f.tmux.send(&pane, k);
        std::thread::sleep(Duration::from_millis(300));
    }
    wait_told(f, expect, before);
    let screen = wait_screen(f, &pane, "answered option");
    let said = screen
        .lines()
        .find(|l| l.contains("answered option"))
        .unwrap_or_default()
        .trim()
        .to_string();
    f.tmux.send(&pane, &["C-c"]);
    said
}
