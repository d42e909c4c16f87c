//! The fleet record, `${XDG_STATE_HOME:-~/.local/state}/otop/fleet.json`: which opencode
//! session ran in which directory and tmux pane, so `otop restore` can put the fleet back after
//! the tmux server is lost. Format 1:
//! ```json
//! {"format":1,"sessions":[{"id":"ses_…","kind":"tui","directory":"/home/u/api",
//!  "executable":"/…/opencode","args":["-m","anthropic/claude"],"socket":"/tmp/tmux-1000/default",
//!  "session":"work","window":2,"window_name":"api","pane":0,"last_seen":1795476437055}]}
//! ```
//! Kept by the long-lived views ([`super::Keeper`]), read by one-shot commands. How the set
//! changes from one snapshot to the next is [`next`], pure, with `now` a parameter.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::facts::Kind;
use crate::model::row::Row;

const FORMAT: u32 = 1;
/// The most sessions kept: far more than anyone runs at once; the least recently seen go first.
pub const MAX_SESSIONS: usize = 256;
/// Bytes read at most. An entry is a few hundred bytes; each field is capped at [`MAX_FIELD`].
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The longest field recorded (a path, a name); an entry with a longer one is not recorded.
const MAX_FIELD: usize = 4096;
/// A session whose tmux server disappeared stays this long (ms), unless restored.
pub const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;

/// One recorded session and the pane it ran in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The opencode session id (`ses_…`).
    pub id: String,
    /// What the process was: only a TUI is started again.
    pub kind: Kind,
    pub directory: String,
    /// The opencode executable that ran it.
    pub executable: String,
    /// The arguments that matter to start it again (model, agent); never a prompt.
    #[serde(default)]
    pub args: Vec<String>,
    /// The tmux server's socket path.
    pub socket: String,
    pub session: String,
    pub window: u32,
    pub window_name: String,
    pub pane: u32,
    /// When a view last saw it running (or when the record was written), Unix ms.
    pub last_seen: i64,
}

impl Entry {
    /// The entry without its time: what "the set changed" compares.
    fn place(&self) -> Entry {
        Entry {
            last_seen: 0,
            ..self.clone()
        }
    }
}

/// The whole record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub sessions: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    sessions: Vec<Entry>,
}

/// The record in `text`; empty if it is not format 1.
pub fn parse(text: &str) -> Record {
    match serde_json::from_str::<File>(text) {
        Ok(f) if f.format == FORMAT => Record {
            sessions: f.sessions,
        },
        _ => Record::default(),
    }
}

/// The file's text for `record`: the most recently seen [`MAX_SESSIONS`], under
/// [`MAX_FILE_BYTES`].
pub fn render(record: &Record) -> String {
    let mut sessions = record.sessions.clone();
    sessions.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.id.cmp(&b.id)));
    sessions.truncate(MAX_SESSIONS);
    loop {
        let text = serde_json::to_string(&File {
            format: FORMAT,
            sessions: sessions.clone(),
        })
        .unwrap_or_default();
        if text.len() as u64 <= MAX_FILE_BYTES || sessions.pop().is_none() {
            return text;
        }
    }
}

/// Whether two records hold the same sessions in the same places, whenever they were seen.
pub fn same_set(a: &Record, b: &Record) -> bool {
    let set = |r: &Record| r.sessions.iter().map(Entry::place).collect::<Vec<_>>();
    let (mut x, mut y) = (set(a), set(b));
    x.sort_by(|p, q| p.id.cmp(&q.id));
    y.sort_by(|p, q| p.id.cmp(&q.id));
    x == y
}

/// The arguments of `argv` that matter to start a TUI's session again: the model (`-m`,
/// `--model`) and the agent (`--agent`). Nothing else: a prompt (`--prompt`) would be sent
/// again, a session or project flag is replaced by the record's own.
pub fn restart_args(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = argv.iter().skip(1);
    while let Some(w) = words.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let takes = |f: &str| crate::source::process::VALUE_FLAGS.contains(&f);
        let value = match inline {
            Some(v) => Some(v),
            None if takes(flag) => words.next().cloned(),
            None if flag == "--" => break,
            None => None,
        };
        let name = match flag {
            "-m" | "--model" => "--model",
            "--agent" => "--agent",
            _ => continue,
        };
        if let Some(v) = value.filter(|v| !v.is_empty() && v.len() <= MAX_FIELD) {
            out.extend([name.to_string(), v]);
        }
    }
    out
}

/// What `rows` say runs now, as entries seen at `now`: each local interactive session (a TUI,
/// `opencode run`, an attached client; no subagent) with a pane, tied to its process by
/// evidence or by a guess no twin contradicts (a guess with a twin could be the other's id).
pub fn seen(rows: &[Row], now: i64) -> Vec<Entry> {
    let running = Row::running(rows);
    let mut out: Vec<Entry> = rows
        .iter()
        .filter(|r| r.host.is_none())
        .filter_map(|r| {
            let p = r.process.as_ref()?;
            let s = r.session.as_ref()?;
            let t = r.tmux.as_ref()?;
            if !p.kind.runs_sessions() || s.is_subagent() || r.matched.is_none() {
                return None;
            }
            if r.twin_doubt(running.iter().copied()).is_some() {
                return None;
            }
            let executable = executable(&p.info.exe, &p.info.argv);
            let e = Entry {
                id: s.id.clone(),
                kind: p.kind,
                directory: r.cwd()?.to_string(),
                args: if p.kind == Kind::Tui {
                    restart_args(&p.info.argv)
                } else {
                    Vec::new()
                },
                executable,
                socket: t.socket.clone(),
                session: t.session.clone(),
                window: t.window,
                window_name: t.window_name.clone(),
                pane: pane_index(&t.target),
                last_seen: now,
            };
            let fields = [&e.id, &e.directory, &e.executable, &e.socket, &e.session];
            let fits = fields.iter().all(|f| f.len() <= MAX_FIELD)
                && e.window_name.len() <= MAX_FIELD
                && s.id.starts_with("ses_");
            fits.then_some(e)
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// The pane index in a `session:window.pane` target.
fn pane_index(target: &str) -> u32 {
    target
        .rsplit_once('.')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(0)
}

/// The executable that ran a process: its `exe` (without the ` (deleted)` of a replaced
/// binary), else an absolute `argv[0]`, else `opencode` as the shell would find it.
fn executable(exe: &Option<String>, argv: &[String]) -> String {
    if let Some(e) = exe {
        return e.strip_suffix(" (deleted)").unwrap_or(e).to_string();
    }
    match argv.first() {
        Some(a) if a.starts_with('/') => a.clone(),
        _ => "opencode".to_string(),
    }
}

/// The record after a refresh at `now` that saw `seen` running, with `running` the ids of every
/// local session a process runs (with a pane or not) and `alive` telling whether a tmux server
/// still listens at a socket. A recorded session not seen now leaves the record when it ended
/// on purpose (its server lives on), or a week after it was last seen; while its process runs
/// (its pane unread this once) it stays as it was.
pub fn next(
    old: &Record,
    seen: &[Entry],
    running: &BTreeSet<String>,
    alive: impl Fn(&str) -> bool,
    now: i64,
) -> Record {
    let ids: BTreeSet<&str> = seen.iter().map(|e| e.id.as_str()).collect();
    let mut sessions = seen.to_vec();
    for e in old.sessions.iter().filter(|e| !ids.contains(e.id.as_str())) {
        let keep = if running.contains(&e.id) {
            true
        } else {
            !alive(&e.socket) && now - e.last_seen <= KEEP_MS
        };
        if keep {
            sessions.push(e.clone());
        }
    }
    sessions.sort_by(|a, b| a.id.cmp(&b.id));
    Record { sessions }
}

#[cfg(test)]
mod tests;
