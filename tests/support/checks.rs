//! Assertions over `otop sessions --json` rows for the end-to-end suite.
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::fleet::Fleet;
use super::wait_for;

pub fn pid_of(r: &Value) -> Option<u32> {
    r["pid"].as_u64().and_then(|p| u32::try_from(p).ok())
}

pub fn session_of(r: &Value) -> Option<String> {
    r["session"]["id"].as_str().map(str::to_string)
}

pub fn parent_of(r: &Value) -> Option<&str> {
    r["session"]["parent_id"].as_str()
}

/// `state/status`, e.g. `working/tool:bash`.
pub fn status_of(r: &Value) -> String {
    format!(
        "{}/{}",
        r["state"].as_str().unwrap_or("-"),
        r["status"].as_str().unwrap_or("-")
    )
}

pub fn match_of(r: &Value) -> String {
    format!("match {}", r["match"].as_str().unwrap_or("-"))
}

/// Whether the row's state is `state` and its status starts with `status`.
pub fn state_is(r: &Value, state: &str, status: &str) -> bool {
    r["state"] == state && r["status"].as_str().is_some_and(|s| s.starts_with(status))
}

/// One line per row, for failure messages.
pub fn brief(r: &Value) -> String {
    format!(
        "pid {} {} {} match={} session={} parent={} pane={} todos={}",
        r["pid"],
        r["kind"].as_str().unwrap_or("-"),
        status_of(r),
        r["match"].as_str().unwrap_or("-"),
        r["session"]["id"].as_str().unwrap_or("-"),
        r["session"]["parent_id"].as_str().unwrap_or("-"),
        r["tmux"]["pane_id"].as_str().unwrap_or("-"),
        r["session"]["todos"].as_array().map_or(0, Vec::len),
    )
}

fn table(rows: &[Value]) -> String {
    rows.iter().map(brief).collect::<Vec<_>>().join("\n")
}

/// Polls `otop sessions --json [--all]` until `pick` finds something.
pub fn wait_rows<T>(
    f: &Fleet,
    all: bool,
    what: &str,
    timeout: Duration,
    mut pick: impl FnMut(&[Value]) -> Option<T>,
) -> T {
    let mut last = Vec::new();
    let found = wait_for(timeout, || {
        let rows = f.sessions(all);
        let got = pick(&rows);
        last = rows;
        got
    });
    found.unwrap_or_else(|| {
        panic!(
            "{what}: not seen within {timeout:?}; last `otop sessions --json{}`:\n{}",
            if all { " --all" } else { "" },
            table(&last)
        )
    })
}

/// Waits until the TUI `name` shows as its own row (its pid, in its pane) with `session` and
/// `ok(row)` holds; fails early with the row when the pid maps to another session.
pub fn wait_tui_row(
    f: &Fleet,
    name: &str,
    session: &str,
    timeout: Duration,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let tui = f.tui(name).clone();
    let what = format!(
        "TUI {name} (pid {}, pane {}) on {session}",
        tui.pid, tui.pane
    );
    // 1.2.x runs a node wrapper in the pane and the native binary below it: either pid counts.
    let pids = super::fleet::tree(tui.pid);
    let found = wait_for(timeout, || {
        f.sessions(false).into_iter().find(|r| {
            pid_of(r).is_some_and(|p| pids.contains(&p))
                && session_of(r).as_deref() == Some(session)
                && r["tmux"]["pane_id"] == tui.pane.as_str()
                && ok(r)
        })
    });
    // On failure show everything otop knows, unmatched processes included.
    let row = found.unwrap_or_else(|| {
        panic!(
            "{what}: not seen within {timeout:?}; `otop sessions --json --all` now:\n{}",
            table(&f.sessions(true))
        )
    });
    assert_eq!(row["kind"], "tui", "{}", brief(&row));
    row
}

/// Attaches a tmux client to `session` from a pseudo-terminal (`script`); the fleet kills it at
/// the end. Returns the client's name.
pub fn attach_client(f: &Fleet, session: &str) -> String {
    let before = f.tmux.ok(&["list-clients", "-F", "#{client_name}"]);
    let child = Command::new("script")
        .args(["-qfc"])
        .arg(format!(
            "stty cols 120 rows 40; exec tmux -S {} attach -t {session}",
            f.tmux.socket_str()
        ))
        .arg("/dev/null")
        .env("TERM", "xterm-256color")
        .env_remove("TMUX")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn script");
    f.adopt(child);
    wait_for(Duration::from_secs(10), || {
        let now = f.tmux.ok(&["list-clients", "-F", "#{client_name}"]);
        now.lines()
            .find(|c| !before.lines().any(|b| b == *c))
            .map(str::to_string)
    })
    .expect("the attached tmux client never showed in list-clients")
}

/// What otop's candidate reading relies on (`Db::activity`): every prompt moves its session's
/// `time_updated` to at least the prompt's creation, so a session not updated since a process
/// started has no prompt since. Returns how many sessions also cover their newest message of
/// any role (the stronger property seen so far), for the report.
pub fn updated_covers_prompts(f: &Fleet) -> String {
    let conn = rusqlite::Connection::open_with_flags(
        f.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the fleet's database");
    let q = |role_filter: &str| -> Vec<String> {
        let sql = format!(
            "SELECT s.id || ' updated ' || s.time_updated || ', message ' || \
             (SELECT max(m.time_created) FROM message m WHERE m.session_id = s.id {role_filter}) \
             FROM session s WHERE s.time_updated < \
             (SELECT max(m.time_created) FROM message m WHERE m.session_id = s.id {role_filter})"
        );
        let mut stmt = conn.prepare(&sql).expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    let behind = q("AND json_extract(m.data, '$.role') = 'user'");
    assert!(
        behind.is_empty(),
        "sessions updated before their latest prompt: {behind:?}"
    );
    let total: i64 = conn
        .query_row("SELECT count(*) FROM session", [], |r| r.get(0))
        .expect("count");
    let any = q("");
    format!(
        "{total} sessions; {} updated before their newest message of any role",
        any.len()
    )
}
