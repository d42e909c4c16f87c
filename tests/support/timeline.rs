//! What `otop sessions --json` reads over time for a failing and a queueing provider, against
//! opencode's own log, and for twins (two TUIs in one directory) on a loaded machine.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::checks::{pid_of, session_of, state_is, status_of};
use super::fleet::Fleet;

/// When a model request waits this long without an answer, otop says `waiting for the model`
/// (`infer::MODEL_WAIT_MS`), plus slack for opencode to send it.
const MODEL_WAIT: i64 = 15_000;
/// How soon after opencode's first `stream error` line otop must say `retrying`.
pub const RETRY_SEEN_WITHIN_MS: i64 = 5_000;

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Time of the first `stream error` line of the main model (not the title's, `small=true`)
/// for `session` in opencode's shared log, Unix ms.
pub fn first_stream_error(log: &Path, session: &str) -> Option<i64> {
    let text = std::fs::read_to_string(log).ok()?;
    let named = format!("session.id={session} ");
    text.lines()
        .filter(|l| l.contains("message=\"stream error\"") && l.contains(&named))
        .filter(|l| !l.contains("small=true"))
        .find_map(|l| {
            let stamp = l.strip_prefix("timestamp=")?.split(' ').next()?;
            otop::source::log::parse::parse_time(stamp)
        })
}

/// One look: when it started, and each watched row's `state/status`.
#[derive(Debug)]
pub struct Look {
    pub at: i64,
    pub statuses: Vec<String>,
}

/// The status of the row of TUI `name` on `session` (its pid and pane), `-` without one.
pub fn status_in(rows: &[Value], f: &Fleet, name: &str, session: &str) -> String {
    let tui = f.tui(name);
    rows.iter()
        .find(|r| {
            pid_of(r) == Some(tui.pid)
                && session_of(r).as_deref() == Some(session)
                && r["tmux"]["pane_id"] == tui.pane.as_str()
        })
        .map_or_else(|| "-".to_string(), status_of)
}

fn table(looks: &[Look], since: i64) -> String {
    looks
        .iter()
        .map(|l| format!("{:+7} ms  {}", l.at - since, l.statuses.join("  |  ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// TUI `fail` (prompted `FAIL …`) and TUI `queue` (prompted `QUEUE <queue_secs> …` at
/// `queued_at`), looked at every half second: `fail` reads `retrying (attempt N): scripted
/// failure` within [`RETRY_SEEN_WITHIN_MS`] of opencode's first `stream error` line and at
/// every look after, until opencode gives up (`error: …`); `queue` reads `waiting for the model`
/// at every look while the model holds the request. Returns what was seen, with times.
pub fn retry_and_queue(
    f: &Fleet,
    (fail, queue): (&str, &str),
    queued_at: i64,
    queue_secs: u64,
) -> String {
    let queue_until = queued_at + i64::try_from(queue_secs).unwrap_or(0) * 1_000 - 5_000;
    let limit = Instant::now() + Duration::from_secs(180);
    let mut looks: Vec<Look> = Vec::new();
    let mut first_error = None;
    let mut bar: Option<String> = None;
    loop {
        let at = now_ms();
        let rows = f.sessions(false);
        first_error = first_error.or_else(|| first_stream_error(&f.log_path(), fail));
        let statuses = vec![
            status_in(&rows, f, "fail", fail),
            status_in(&rows, f, "queue", queue),
        ];
        let gave_up = statuses[0].starts_with("error/error");
        if bar.is_none() && statuses[0].starts_with("error/retrying") {
            // The one-shot status line (no log index) counts it as an error too.
            let db = f.db_path().display().to_string();
            bar = Some(f.otop(&["--db", &db, "status", "--json"]));
        }
        looks.push(Look { at, statuses });
        if (gave_up || Instant::now() > limit) && at > queue_until {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let first_error = first_error.unwrap_or_else(|| {
        panic!(
            "no stream error line for {fail} in {}:\n{}",
            f.log_path().display(),
            table(&looks, queued_at)
        )
    });
    let seen = || table(&looks, first_error);
    let retrying =
        |s: &str| s.starts_with("error/retrying (attempt ") && s.contains("scripted failure");
    let first_retrying = looks
        .iter()
        .find(|l| retrying(&l.statuses[0]))
        .unwrap_or_else(|| {
            panic!(
                "never read retrying; times from the first stream error:\n{}",
                seen()
            )
        });
    let late = first_retrying.at - first_error;
    assert!(
        late <= RETRY_SEEN_WITHIN_MS,
        "retrying read {late} ms after the first stream error; times from it:\n{}",
        seen()
    );
    let gave_up = looks
        .iter()
        .position(|l| l.statuses[0].starts_with("error/error"))
        .unwrap_or(looks.len());
    for l in &looks[..gave_up] {
        if l.at >= first_error + RETRY_SEEN_WITHIN_MS {
            assert!(
                retrying(&l.statuses[0]),
                "fail at {:+} ms; times from the first stream error:\n{}",
                l.at - first_error,
                seen()
            );
        }
    }
    let bar = bar.unwrap_or_default();
    let counts: Value = serde_json::from_str(&bar).unwrap_or(Value::Null);
    assert_eq!(
        counts["error"], 1,
        "otop status --json while retrying: {bar}"
    );
    let waiting: Vec<&Look> = looks
        .iter()
        .filter(|l| (queued_at + MODEL_WAIT..queue_until).contains(&l.at))
        .collect();
    for l in &waiting {
        assert!(
            l.statuses[1].starts_with("working/waiting for the model ("),
            "queue at {:+} ms after its prompt; times from the first stream error:\n{}",
            l.at - queued_at,
            seen()
        );
    }
    let span = waiting.last().map_or(0, |l| l.at) - waiting.first().map_or(0, |l| l.at);
    assert!(
        span >= 40_000,
        "queue looked at over {span} ms only:\n{}",
        seen()
    );
    let first_waiting = looks
        .iter()
        .find(|l| l.statuses[1].starts_with("working/waiting for the model"))
        .map_or(0, |l| l.at - queued_at);
    let before = looks
        .iter()
        .rev()
        .find(|l| l.at < first_retrying.at)
        .map_or("-".to_string(), |l| {
            format!("{} at {:+} ms", l.statuses[0], l.at - first_error)
        });
    let last_retry = looks[..gave_up]
        .last()
        .map_or("-", |l| l.statuses[0].as_str());
    let end = looks
        .get(gave_up)
        .map_or("(still retrying)".to_string(), |l| {
            format!("{} at {:+} s", l.statuses[0], (l.at - first_error) / 1_000)
        });
    format!(
        "first stream error at {first_error}; before: {before}; retrying first read {late:+} ms \
         after it ({}), at all {} looks up to {last_retry}; then {end}; status line while \
         retrying: {}; queue read `waiting for the model` from {first_waiting} ms after its \
         prompt, at all {} looks over {} s",
        first_retrying.statuses[0],
        gave_up,
        bar.trim(),
        waiting.len(),
        span / 1_000,
    )
}

/// Looks `times` times at twins (TUI name, its session, whether it is idle rather than
/// working): each TUI's row has its own session and state at every look. Returns each twin's
/// `match` values seen.
pub fn twins(f: &Fleet, twins: &[(&str, String, bool)], times: usize) -> Vec<String> {
    let mut matches: Vec<std::collections::BTreeSet<String>> =
        vec![Default::default(); twins.len()];
    for look in 0..times {
        let rows = f.sessions(false);
        for (i, (name, session, idle)) in twins.iter().enumerate() {
            let tui = f.tui(name);
            let row = rows.iter().find(|r| pid_of(r) == Some(tui.pid));
            let ok = row.is_some_and(|r| {
                session_of(r).as_deref() == Some(session.as_str())
                    && r["tmux"]["pane_id"] == tui.pane.as_str()
                    && if *idle {
                        state_is(r, "idle", "")
                    } else {
                        state_is(r, "working", "")
                    }
            });
            assert!(
                ok,
                "look {look}: {name} (pid {}) should be on {session} ({}), got {}",
                tui.pid,
                if *idle { "idle" } else { "working" },
                row.map(super::checks::brief)
                    .unwrap_or_else(|| "no row".into())
            );
            if let Some(m) = row.and_then(|r| r["match"].as_str()) {
                matches[i].insert(m.to_string());
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    twins
        .iter()
        .zip(matches)
        .map(|((name, _, _), m)| format!("{name}: {}", m.into_iter().collect::<Vec<_>>().join(",")))
        .collect()
}
