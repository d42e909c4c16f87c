//! What `otop serve` prints and another otop reads: one JSON object per line, each a whole
//! snapshot of that machine, its rows in `otop sessions --json`'s shape. Decoding is pure and
//! lenient per row (a row it cannot read is skipped, never the host), strict on the format
//! version: a newer major version is refused with a message saying what to upgrade.

use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::collect::Snapshot;
use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::state::{State, Status};
use crate::source::db::types::SessionFacts;
use crate::source::process::types::{Kind, ProcessInfo};

/// The format this otop writes, `MAJOR.MINOR`: a reader takes any minor of its own major
/// (fields are only ever added within one major).
pub const FORMAT: (u64, u64) = (1, 0);

/// The most rows one snapshot may bring; the rest are dropped (a host is a person's fleet,
/// not a database dump).
pub const MAX_ROWS: usize = 2000;

/// One remote snapshot, its rows marked with the host they come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteSnapshot {
    /// The remote otop's version.
    pub version: String,
    pub taken_at: i64,
    pub rows: Vec<Row>,
    pub in_front: Vec<TmuxLocation>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WireError {
    #[error("not otop's snapshot format: {0}")]
    NotWire(String),
    #[error(
        "its otop ({version}) writes format {major}.{minor}, this otop reads {}.x: upgrade otop here",
        FORMAT.0
    )]
    Newer {
        version: String,
        major: u64,
        minor: u64,
    },
    #[error(
        "its otop ({version}) writes format {major}.{minor}, this otop reads {}.x: upgrade otop there",
        FORMAT.0
    )]
    Older {
        version: String,
        major: u64,
        minor: u64,
    },
}

/// The line `otop serve` prints for `snap` (all rows; the reader selects, as it does locally).
pub fn encode(snap: &Snapshot) -> String {
    json!({
        "otop_format": format!("{}.{}", FORMAT.0, FORMAT.1),
        "otop": env!("CARGO_PKG_VERSION"),
        "taken_at": snap.taken_at,
        "rows": snap.rows.iter().map(Row::to_json).collect::<Vec<_>>(),
        "in_front": snap.in_front,
        "warnings": snap.warnings,
    })
    .to_string()
}

/// The longest snapshot line read from a host: a fleet of [`MAX_ROWS`] busy sessions prints
/// about 2 MiB. A longer line is not read (see `link`, `once`), so it costs no memory.
pub const MAX_LINE: usize = 8 << 20;
/// The longest row read; a longer one is skipped. A row of `otop serve` is about 1 KiB.
const MAX_ROW: usize = 64 << 10;
/// The longest text kept from a host (a title, a path, an argv word, the last output).
pub const MAX_TEXT: usize = 4 << 10;
/// The most items kept of a row's lists (argv words, tools, todos).
const MAX_ITEMS: usize = 64;
/// The most warnings kept from a host.
const MAX_WARNINGS: usize = 20;

/// The top of a snapshot line, each field kept as the text it was: a field otop does not read,
/// however big, is skipped without building anything, and a row is parsed on its own (bounded
/// by [`MAX_ROW`]), so a row of the wrong shape costs that row only.
#[derive(serde::Deserialize)]
struct Top<'a> {
    #[serde(borrow)]
    otop: Option<&'a RawValue>,
    #[serde(borrow)]
    otop_format: Option<&'a RawValue>,
    #[serde(borrow)]
    taken_at: Option<&'a RawValue>,
    #[serde(borrow)]
    rows: Option<&'a RawValue>,
    #[serde(borrow)]
    in_front: Option<&'a RawValue>,
    #[serde(borrow)]
    warnings: Option<&'a RawValue>,
}

/// Reads one line of `otop serve` from host `host`.
pub fn decode(line: &str, host: &str) -> Result<RemoteSnapshot, WireError> {
    let not_wire = || {
        WireError::NotWire(crate::source::db::cut_chars(
            &crate::model::sanitize::clean(line),
            60,
        ))
    };
    if line.len() > MAX_LINE {
        return Err(WireError::NotWire(format!(
            "a line longer than {} MiB",
            MAX_LINE >> 20
        )));
    }
    let top: Top = serde_json::from_str(line.trim()).map_err(|_| not_wire())?;
    let value = |raw: Option<&RawValue>| -> Value {
        raw.filter(|r| r.get().len() <= MAX_ROW)
            .and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or(Value::Null)
    };
    let version = bounded(value(top.otop).as_str().unwrap_or("unknown"));
    let (major, minor) = value(top.otop_format)
        .as_str()
        .and_then(|f| f.split_once('.'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .ok_or_else(|| WireError::NotWire("no otop_format".into()))?;
    if major > FORMAT.0 {
        return Err(WireError::Newer {
            version,
            major,
            minor,
        });
    }
    if major < FORMAT.0 {
        return Err(WireError::Older {
            version,
            major,
            minor,
        });
    }
    let each = |raw: Option<&RawValue>, max: usize| -> Vec<Value> {
        first_items(raw, max)
            .into_iter()
            .filter(|r| r.get().len() <= MAX_ROW)
            .filter_map(|r| serde_json::from_str::<Value>(r.get()).ok())
            .collect()
    };
    Ok(RemoteSnapshot {
        version,
        taken_at: value(top.taken_at).as_i64().unwrap_or(0),
        rows: each(top.rows, MAX_ROWS)
            .iter()
            .filter_map(row_from_json)
            .map(|r| r.on_host(host))
            .collect(),
        in_front: each(top.in_front, MAX_ROWS)
            .into_iter()
            .filter_map(|l| serde_json::from_value::<TmuxLocation>(l).ok())
            .map(|l| TmuxLocation {
                host: Some(host.to_string()),
                ..location(l)
            })
            .collect(),
        warnings: each(top.warnings, MAX_WARNINGS)
            .iter()
            .filter_map(|w| Some(format!("{host}: {}", bounded(w.as_str()?))))
            .collect(),
    })
}

/// The first `max` items of the JSON array `raw`, each as its text; the rest are skipped
/// without being kept. Nothing for anything but an array.
fn first_items(raw: Option<&RawValue>, max: usize) -> Vec<&RawValue> {
    struct First(usize);
    impl<'de> serde::de::Visitor<'de> for First {
        type Value = Vec<&'de RawValue>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while out.len() < self.0 {
                match seq.next_element::<&'de RawValue>()? {
                    Some(item) => out.push(item),
                    None => return Ok(out),
                }
            }
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(out)
        }
    }
    let Some(raw) = raw else { return Vec::new() };
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_seq(&mut de, First(max)).unwrap_or_default()
}

/// A host's pane, its texts cut to [`MAX_TEXT`].
fn location(l: TmuxLocation) -> TmuxLocation {
    TmuxLocation {
        socket: bounded(&l.socket),
        pane_id: bounded(&l.pane_id),
        target: bounded(&l.target),
        session: bounded(&l.session),
        window_name: bounded(&l.window_name),
        ..l
    }
}

/// `s` cut to [`MAX_TEXT`] bytes (at a character boundary).
fn bounded(s: &str) -> String {
    let mut end = s.len().min(MAX_TEXT);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The inverse of [`Row::to_json`] (a test holds the two together); None for a row of another
/// machine (no chains of hosts) or without a state.
fn row_from_json(v: &Value) -> Option<Row> {
    if !v["host"].is_null() {
        return None;
    }
    let state: State = serde_json::from_value(v["state"].clone()).ok()?;
    let detail = v["status"].as_str().unwrap_or_default();
    let status = Status::new(state, bounded(detail))
        .with_request(serde_json::from_value(v["request"].clone()).ok());
    let process = v["pid"].as_u64().and_then(|pid| {
        let argv: Vec<String> = v["argv"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .take(MAX_ITEMS)
            .filter_map(|a| a.as_str().map(bounded))
            .collect();
        Some(ProcessRow {
            info: ProcessInfo {
                pid: u32::try_from(pid).ok()?,
                ppid: num(&v["ppid"]),
                name: argv
                    .first()
                    .map(|a| basename(a).to_string())
                    .unwrap_or_default(),
                argv,
                cwd: text(&v["cwd"]),
                tty: text(&v["tty"]),
                started_at: v["started_at"].as_i64().unwrap_or(0),
                rss_bytes: v["rss_bytes"].as_u64().unwrap_or(0),
                ..ProcessInfo::default()
            },
            kind: serde_json::from_value(v["kind"].clone()).unwrap_or(Kind::Tui),
            cpu_percent: v["cpu_percent"].as_f64().map(|c| c as f32),
            owner: v["owner_pid"].as_u64().and_then(|p| u32::try_from(p).ok()),
            plugin: v["plugin"].as_bool().unwrap_or(false),
        })
    });
    Some(Row {
        process,
        session: session_from_json(&v["session"]),
        status,
        matched: serde_json::from_value(v["match"].clone()).ok(),
        tmux: serde_json::from_value(v["tmux"].clone()).ok().map(location),
        unseen: v["unseen"].as_bool().unwrap_or(false),
        certain: v["certain"].as_bool().unwrap_or(false),
        host: None,
    })
}

fn session_from_json(s: &Value) -> Option<SessionFacts> {
    let id = bounded(s["id"].as_str()?);
    let t = &s["tokens"];
    let list = |k: &str| s[k].as_array().cloned().unwrap_or_default();
    Some(SessionFacts {
        id,
        title: text(&s["title"]),
        directory: text(&s["directory"]),
        parent_id: text(&s["parent_id"]),
        model: text(&s["model"]),
        agent: text(&s["agent"]),
        message_count: s["message_count"].as_u64().unwrap_or(0),
        tokens: crate::source::db::types::Tokens {
            input: t["input"].as_u64().unwrap_or(0),
            output: t["output"].as_u64().unwrap_or(0),
            reasoning: t["reasoning"].as_u64().unwrap_or(0),
            cache_read: t["cache_read"].as_u64().unwrap_or(0),
            cache_write: t["cache_write"].as_u64().unwrap_or(0),
        },
        context_tokens: t["context"].as_u64(),
        cost: s["cost"].as_f64(),
        last_output: text(&s["last_output"]),
        last_activity_at: s["last_activity_at"].as_i64(),
        round_started_at: s["round_started_at"].as_i64(),
        created_at: s["created_at"].as_i64(),
        // Lenient per item: one odd tool or todo does not cost the session.
        tools: list("tools")
            .into_iter()
            .take(MAX_ITEMS)
            .filter_map(|t| serde_json::from_value(t).ok())
            .collect(),
        todos: list("todos")
            .into_iter()
            .take(MAX_ITEMS)
            .filter_map(|t| serde_json::from_value(t).ok())
            .collect(),
        ..SessionFacts::default()
    })
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(bounded)
}

fn num(v: &Value) -> u32 {
    v.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
mod tests;
