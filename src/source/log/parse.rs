//! Pure parsers for opencode's two log line formats.
//!
//! Per-process files (up to 1.15), seen in 1.2.27 and 1.15.13:
//! `INFO  2026-11-23T23:28:57 +3ms service=default directory=/p creating instance` — second
//! precision, UTC, no zone; the message comes last and values are NOT quoted (a title may hold
//! spaces); values may even span lines (`service=bun … stdout=…`), so lines that do not start
//! with a level are continuation lines and ignored. 1.2.27 names sessions with `sessionID=`,
//! 1.15 with `session.id=`.
//!
//! Shared `opencode.log` (from 1.17), seen in 1.18.33:
//! `timestamp=2026-11-23T23:27:16.132Z level=INFO run=05cb82b4 message="creating instance" …`,
//! values with spaces quoted with `\"` escapes; `parentID=undefined` on top-level sessions.

use chrono::NaiveDateTime;

use super::types::LogRun;

/// What one log line tells otop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    /// `creating instance`: opencode opened a project directory (the start of a run).
    RunStart {
        directory: String,
    },
    /// A session id on the line; `created` for the line announcing a new session, with its
    /// parent when it is a subagent's.
    Session {
        id: String,
        created: bool,
        parent: Option<String>,
    },
    /// The provider stream failed for this session (the main model, not title generation),
    /// with the error opencode logged (`error.error=`), when the line has one.
    StreamError {
        session: String,
        message: Option<String>,
    },
    Other,
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `run=` of the shared log; None in per-process files.
    pub run: Option<String>,
    /// Unix ms.
    pub time: i64,
    pub event: LogEvent,
}

/// ISO time as opencode writes it (`…T23:27:16.132Z` or `…T23:28:57`, both UTC) → Unix ms.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Splits `k=v k2="v with \"quotes\""` into pairs (shared-log format).
pub fn fields(line: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while let Some(eq) = rest.find('=') {
        let key = &rest[..eq];
        if key.contains(char::is_whitespace) {
            // Not a key=value token: skip one word and retry.
            let skip = key.find(char::is_whitespace).unwrap_or(key.len());
            rest = rest[skip..].trim_start();
            continue;
        }
        let after = &rest[eq + 1..];
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            unquote(quoted)
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        out.push((key, value));
        rest = tail.trim_start();
    }
    out
}

/// Reads a quoted value up to its closing quote; returns it unescaped and the rest.
fn unquote(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    value.push(n);
                }
            }
            '"' => return (value, &s[i + 1..]),
            _ => value.push(c),
        }
    }
    (value, "")
}

/// Longest error text kept from a line (a provider may send a whole page).
const ERROR_TEXT_MAX: usize = 300;

/// `AI_APICallError: mock upstream failure` → `mock upstream failure`: the error's class is
/// the SDK's, the rest is what the provider said. Cut to [`ERROR_TEXT_MAX`] characters.
fn error_text(v: &str) -> String {
    let text = match v.split_once(": ") {
        Some((class, rest)) if !class.contains(char::is_whitespace) && class.ends_with("Error") => {
            rest
        }
        _ => v,
    };
    text.trim().chars().take(ERROR_TEXT_MAX).collect()
}

fn session_id(v: &str) -> Option<String> {
    v.starts_with("ses_").then(|| v.to_string())
}

/// Parses one line of the shared `opencode.log` (1.17+). None for anything else.
pub fn parse_shared_line(line: &str) -> Option<LogLine> {
    if !line.starts_with("timestamp=") {
        return None;
    }
    let f = fields(line);
    let get = |k: &str| f.iter().find(|(key, _)| *key == k).map(|(_, v)| v.as_str());
    let time = parse_time(get("timestamp")?)?;
    let run = get("run")?.to_string();
    let event = match get("message") {
        Some("creating instance") => get("directory").map(|d| LogEvent::RunStart {
            directory: d.to_string(),
        }),
        Some("created") => get("id").and_then(session_id).map(|id| LogEvent::Session {
            id,
            created: true,
            parent: get("parentID").and_then(session_id),
        }),
        // A failing title generation (`small=true`) says nothing about the session's own turn.
        Some("stream error") if get("small") != Some("true") => get("session.id")
            .and_then(session_id)
            .map(|session| LogEvent::StreamError {
                session,
                message: get("error.error").map(error_text),
            }),
        _ => None,
    };
    let event = event
        .or_else(|| {
            get("session.id")
                .and_then(session_id)
                .map(|id| LogEvent::Session {
                    id,
                    created: false,
                    parent: None,
                })
        })
        .unwrap_or(LogEvent::Other);
    Some(LogLine {
        run: Some(run),
        time,
        event,
    })
}

/// Parses one line of a per-process log file (up to 1.15). None for continuation lines.
pub fn parse_file_line(line: &str) -> Option<LogLine> {
    let (level, rest) = line.split_once(char::is_whitespace)?;
    if !matches!(level, "DEBUG" | "INFO" | "WARN" | "ERROR") {
        return None;
    }
    let (stamp, rest) = rest.trim_start().split_once(char::is_whitespace)?;
    let time = parse_time(stamp)?;
    // Values are unquoted, so only ids (no spaces) are read as tokens; the message is the tail.
    let token = |key: &str| {
        rest.split_whitespace()
            .find_map(|w| w.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
    };
    let service = token("service");
    let named = token("session.id")
        .or_else(|| token("sessionID"))
        .and_then(session_id);
    let event = if service == Some("default") && rest.ends_with(" creating instance") {
        // The directory may hold spaces: take everything up to the message.
        rest.split_once(" directory=")
            .and_then(|(_, d)| d.strip_suffix(" creating instance"))
            .map(|d| LogEvent::RunStart {
                directory: d.to_string(),
            })
    } else if service == Some("session") && rest.ends_with(" created") {
        token("id")
            .and_then(session_id)
            .map(|id| LogEvent::Session {
                id,
                created: true,
                parent: token("parentID").and_then(session_id),
            })
    } else if level == "ERROR" && rest.ends_with(" stream error") && token("small") != Some("true")
    {
        // Values are unquoted here: the error text cannot be told from the next field.
        named.clone().map(|session| LogEvent::StreamError {
            session,
            message: None,
        })
    } else {
        None
    };
    // A TUI opening an existing session shows up as `path=/session/ses_…` requests (1.2.x).
    let from_path = || {
        token("path")
            .and_then(|p| p.strip_prefix("/session/"))
            .and_then(|p| session_id(p.split('/').next().unwrap_or(p)))
    };
    let event = event
        .or_else(|| {
            named.or_else(from_path).map(|id| LogEvent::Session {
                id,
                created: false,
                parent: None,
            })
        })
        .unwrap_or(LogEvent::Other);
    Some(LogLine {
        run: None,
        time,
        event,
    })
}

impl LogRun {
    /// Folds one parsed line into the run's summary.
    pub fn apply(&mut self, line: &LogLine) {
        if self.started_at.is_none() {
            self.started_at = Some(line.time);
        }
        self.last_seen = Some(self.last_seen.map_or(line.time, |t| t.max(line.time)));
        match &line.event {
            LogEvent::RunStart { directory } => {
                if self.directory.is_none() {
                    self.directory = Some(directory.clone());
                }
            }
            LogEvent::Session {
                id,
                parent: Some(_),
                ..
            } => {
                self.children.insert(id.clone());
                self.sessions.insert(id.clone(), line.time);
            }
            LogEvent::Session { id, .. } => {
                self.sessions.insert(id.clone(), line.time);
            }
            LogEvent::StreamError { session, message } => {
                self.sessions.insert(session.clone(), line.time);
                self.stream_errors
                    .entry(session.clone())
                    .or_default()
                    .add(line.time, message.as_deref());
            }
            LogEvent::Other => {}
        }
    }
}

#[cfg(test)]
mod tests;
