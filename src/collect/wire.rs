//! What `otop serve` prints and another otop reads: one JSON object per line, each a whole
//! snapshot of that machine, its rows in `otop sessions --json`'s shape. Decoding is pure and
//! lenient per row (a row it cannot read is skipped, never the host), strict on the format
//! version: a newer major version is refused with a message saying what to upgrade.

use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::Snapshot;
use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::row_json::RowJson;
use crate::model::state::Status;
use crate::source::process::types::{Kind, ProcessInfo};
use crate::source::remote::{MAX_LINE, RemoteError};

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

/// An answer sent to another machine: what `otop serve --reply` reads on its stdin, one JSON
/// object, and answers as `otop reply` does (its world read again, a request no longer pending
/// refused). Sent as data, so no text of a person's or a model's is ever an argument there. An
/// order with a field this otop does not know is refused, never half-understood.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOrder {
    /// The session there, as that machine names it (`ses_…` or a pid).
    pub target: String,
    /// The request the asker saw; refused there once it is no longer pending.
    pub request: Option<String>,
    pub answer: crate::model::request::Answer,
}

/// The longest order read: a typed answer is a line a person wrote.
pub const MAX_ORDER: usize = 64 << 10;

impl AnswerOrder {
    /// The order as sent: one JSON line.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.push(b'\n');
        line
    }

    /// The order read from `input`, at most [`MAX_ORDER`] bytes of it.
    pub fn read(input: impl std::io::Read) -> crate::error::Result<AnswerOrder> {
        use crate::error::Error;
        use std::io::Read;
        let mut text = Vec::new();
        input
            .take(MAX_ORDER as u64 + 1)
            .read_to_end(&mut text)
            .map_err(|e| Error::Invalid(format!("reading the answer order: {e}")))?;
        if text.len() > MAX_ORDER {
            return Err(Error::Invalid(format!(
                "an answer order longer than {} KiB",
                MAX_ORDER >> 10
            )));
        }
        serde_json::from_slice(&text)
            .map_err(|e| Error::Invalid(format!("not an answer order: {e}")))
    }
}

/// A line that is not a snapshot is not otop's; a snapshot of another major version is
/// refused (the reader asks again rarely).
impl From<WireError> for RemoteError {
    fn from(e: WireError) -> RemoteError {
        match e {
            WireError::NotWire(_) => RemoteError::NotOurs(e.to_string()),
            WireError::Newer { .. } | WireError::Older { .. } => {
                RemoteError::Version(e.to_string())
            }
        }
    }
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
        rows: first_items(top.rows, MAX_ROWS)
            .into_iter()
            .filter(|r| r.get().len() <= MAX_ROW)
            .filter_map(|r| serde_json::from_str::<RowJson>(r.get()).ok())
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

/// A row as [`RowJson`] reads it, every text and list bounded; None for a row of another
/// machine (no chains of hosts).
fn row_from_json(v: RowJson) -> Option<Row> {
    if v.host.is_some() {
        return None;
    }
    let status = Status::new(v.state, bounded(&v.status)).with_request(v.request);
    let text = |t: Option<String>| t.as_deref().map(bounded);
    let argv: Vec<String> = v
        .argv
        .unwrap_or_default()
        .iter()
        .take(MAX_ITEMS)
        .map(|a| bounded(a))
        .collect();
    let process = v.pid.map(|pid| ProcessRow {
        info: ProcessInfo {
            pid,
            ppid: v.ppid.unwrap_or(0),
            name: argv
                .first()
                .map(|a| basename(a).to_string())
                .unwrap_or_default(),
            argv,
            cwd: text(v.cwd),
            tty: text(v.tty),
            started_at: v.started_at.unwrap_or(0),
            rss_bytes: v.rss_bytes.unwrap_or(0),
            ..ProcessInfo::default()
        },
        kind: v.kind.unwrap_or(Kind::Tui),
        cpu_percent: v.cpu_percent.map(|c| c as f32),
        owner: v.owner_pid,
        plugin: v.plugin.unwrap_or(false),
    });
    let session = v.session.and_then(|s| {
        let mut s = s.into_facts()?;
        for t in [
            &mut s.title,
            &mut s.directory,
            &mut s.parent_id,
            &mut s.model,
            &mut s.agent,
            &mut s.last_output,
        ] {
            *t = t.as_deref().map(bounded);
        }
        s.id = bounded(&s.id);
        s.tools.truncate(MAX_ITEMS);
        s.todos.truncate(MAX_ITEMS);
        Some(s)
    });
    Some(Row {
        process,
        session,
        status,
        matched: v.matched,
        tmux: v.tmux.map(location),
        unseen: v.unseen,
        certain: v.certain,
        host: None,
    })
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
mod tests;
