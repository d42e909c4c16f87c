//! `otop report --json` against opencode's own records (#30): what the report says of a
//! session must be what its rows in the database say, computed here independently.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;

use super::fleet::Fleet;

/// `otop report --since 1h --json` in the fleet's environment, parsed.
pub fn report(f: &Fleet) -> Value {
    let out = f.otop(&["report", "--since", "1h", "--json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("otop report --json: {e}: {out}"))
}

/// The report's entry for session `id`.
pub fn session<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["sessions"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("no session {id} in the report: {r}"))
}

/// A session as its rows say: each turn (user message's creation to its assistant messages'
/// last completion) and each question part's run.
#[derive(Debug, Default)]
pub struct Rows {
    pub turns: Vec<(i64, i64)>,
    pub questions: Vec<(i64, i64)>,
    /// Each text part's stream: `time.start` to `time.end`.
    pub texts: Vec<(i64, i64)>,
    pub messages: usize,
    pub unfinished: bool,
}

impl Rows {
    pub fn working_ms(&self) -> i64 {
        let turns: i64 = self.turns.iter().map(|(a, b)| b - a).sum();
        turns - self.waiting_ms()
    }
    pub fn waiting_ms(&self) -> i64 {
        self.questions.iter().map(|(a, b)| b - a).sum()
    }
}

/// Session `id`'s rows, read straight from the database.
pub fn rows(f: &Fleet, id: &str) -> Rows {
    let conn = rusqlite::Connection::open_with_flags(
        f.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the fleet's database");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(data, '$.role'), time_created, json_extract(data, '$.time.completed') \
             FROM message WHERE session_id = ?1 ORDER BY time_created, id",
        )
        .expect("prepare");
    let msgs: Vec<(String, i64, Option<i64>)> = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    let mut out = Rows {
        messages: msgs.len(),
        ..Rows::default()
    };
    for (role, created, completed) in msgs {
        if role == "user" {
            out.turns.push((created, created));
            out.unfinished = true;
        } else if let Some(t) = out.turns.last_mut() {
            out.unfinished = completed.is_none();
            if let Some(c) = completed {
                t.1 = t.1.max(c);
            }
        }
    }
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(data, '$.state.time.start'), json_extract(data, '$.state.time.end') \
             FROM part WHERE session_id = ?1 AND json_extract(data, '$.tool') = 'question' \
             ORDER BY id",
        )
        .expect("prepare");
    out.questions = stmt
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .expect("query")
        .filter_map(Result::ok)
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(data, '$.time.start'), json_extract(data, '$.time.end') \
             FROM part WHERE session_id = ?1 AND json_extract(data, '$.type') = 'text' \
             AND json_extract(data, '$.time.end') IS NOT NULL ORDER BY id",
        )
        .expect("prepare");
    out.texts = stmt
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .expect("query")
        .filter_map(Result::ok)
        .collect();
    out
}

/// The report's times of session `id` equal its rows': working and waiting to the ms (the
/// session finished its turns), nothing only observed; returns the rows.
pub fn agrees(f: &Fleet, r: &Value, id: &str) -> Rows {
    let rows = rows(f, id);
    assert!(!rows.unfinished, "{id} is still mid-turn: {rows:?}");
    let s = session(r, id);
    assert_eq!(
        s["working_ms"],
        rows.working_ms(),
        "working of {id}: {s} vs {rows:?}"
    );
    assert_eq!(
        s["waiting_ms"],
        rows.waiting_ms(),
        "waiting of {id}: {s} vs {rows:?}"
    );
    assert_eq!(s["messages"], rows.messages, "messages of {id}: {s}");
    rows
}

/// Session `id`'s waits in the report are permission waits only a running otop saw
/// (opencode keeps no time of them): each marked observed, each beginning within a refresh
/// (and the plugin's report) of a `bash` part's start, ending by the part's end plus as much.
pub fn observed_waits(f: &Fleet, id: &str) -> String {
    let r = report(f);
    let s = session(&r, id);
    let waits = s["longest_waits"].as_array().cloned().unwrap_or_default();
    assert!(!waits.is_empty(), "no wait of {id}: {s}");
    assert!(s["observed_ms"].as_i64().unwrap_or(0) > 0, "{s}");
    let conn = rusqlite::Connection::open_with_flags(
        f.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the fleet's database");
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(data, '$.state.time.start'), json_extract(data, '$.state.time.end') \
             FROM part WHERE session_id = ?1 AND json_extract(data, '$.tool') = 'bash'",
        )
        .expect("prepare");
    let asks: Vec<(i64, Option<i64>)> = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .filter_map(Result::ok)
        .collect();
    const SLACK: i64 = 4_000;
    for w in &waits {
        assert_eq!(w["origin"], "observed", "{w}");
        let (start, end) = (
            w["start"].as_i64().unwrap_or(0),
            w["end"].as_i64().unwrap_or(0),
        );
        assert!(
            asks.iter()
                .any(|(a, e)| (start - SLACK..=start).contains(a)
                    && e.is_none_or(|e| end <= e + SLACK)),
            "wait {w} matches no bash part's run: {asks:?}"
        );
    }
    format!("{} waits, {} ms", waits.len(), s["waiting_ms"])
}
