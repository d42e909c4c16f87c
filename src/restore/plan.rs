//! What `otop restore` would do, from the record and what runs now: pure, with `now` a
//! parameter, so every decision is tested on literals. One [`Step`] per recorded session:
//! started again (and what tmux must make for it first), already running, or skipped and why.

use std::collections::{BTreeMap, BTreeSet};

use super::record::{Entry, KEEP_MS, Record};
use crate::model::facts::Kind;
use crate::model::sanitize::clean;

/// The world as `otop restore` found it, read just before planning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// Session id → where its process runs now (`work:2, pid 4242`), anywhere on this machine.
    pub running: BTreeMap<String, String>,
    /// Socket → the windows (tmux session, index) of the server listening there; a socket
    /// without a server is absent.
    pub servers: BTreeMap<String, BTreeSet<(String, u32)>>,
    /// The recorded directories that exist.
    pub directories: BTreeSet<String>,
    /// Recorded executable → the one to run (itself, or `opencode` on PATH when it is gone);
    /// absent when neither is there.
    pub executables: BTreeMap<String, String>,
}

/// Where a restored session's pane goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A new window at the recorded index (free).
    At(u32),
    /// A new window at the next free index (the recorded one is taken).
    Next,
    /// A new pane beside the one an earlier step of this plan made (by its index in the
    /// plan): both were in one window.
    Beside(usize),
}

/// What to start for a session, and what tmux must make first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// No server listens at the socket: the first step there starts one.
    pub server: bool,
    /// The tmux session does not exist: this step makes it.
    pub session: bool,
    pub place: Place,
    /// The command, each argument literal: the executable, the recorded arguments, `-s ID`.
    pub program: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Restore(Start),
    /// Where it runs.
    Running(String),
    /// Why not.
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub entry: Entry,
    pub outcome: Outcome,
}

/// One step per recorded session, in the order to act: by server, tmux session, window and
/// pane, so a window's first pane is made before the ones beside it.
pub fn plan(record: &Record, world: &World, now: i64) -> Vec<Step> {
    let mut entries = record.sessions.clone();
    entries.sort_by(|a, b| {
        (&a.socket, &a.session, a.window, a.pane, &a.id)
            .cmp(&(&b.socket, &b.session, b.window, b.pane, &b.id))
    });
    let mut servers = world.servers.clone();
    // Recorded (socket, session, window) → the step that made its window.
    let mut made: BTreeMap<(String, String, u32), usize> = BTreeMap::new();
    let mut steps = Vec::new();
    for entry in entries {
        let outcome = match decide(&entry, world, now) {
            Err(outcome) => outcome,
            Ok(program) => {
                let server = !servers.contains_key(&entry.socket);
                let windows = servers.entry(entry.socket.clone()).or_default();
                let session = !windows.iter().any(|(s, _)| *s == entry.session);
                let key = (entry.socket.clone(), entry.session.clone(), entry.window);
                let place = match made.get(&key) {
                    Some(&i) => Place::Beside(i),
                    None if windows.contains(&(entry.session.clone(), entry.window)) => Place::Next,
                    None => Place::At(entry.window),
                };
                windows.insert((entry.session.clone(), entry.window));
                made.entry(key).or_insert(steps.len());
                Outcome::Restore(Start {
                    server,
                    session,
                    place,
                    program,
                })
            }
        };
        steps.push(Step { entry, outcome });
    }
    steps
}

/// The command that starts the session again; else (`Err`) why not: running or skipped.
fn decide(e: &Entry, world: &World, now: i64) -> Result<Vec<String>, Outcome> {
    if let Some(at) = world.running.get(&e.id) {
        return Err(Outcome::Running(at.clone()));
    }
    let skip = |why: String| Err(Outcome::Skipped(why));
    match e.kind {
        Kind::Tui => {}
        Kind::Run => return skip("it was `opencode run`, not interactive".into()),
        Kind::Attach => return skip("it was attached to an opencode server".into()),
        other => return skip(format!("not interactive ({other:?})").to_lowercase()),
    }
    if now - e.last_seen > KEEP_MS {
        let days = (now - e.last_seen) / (24 * 3600 * 1000);
        return skip(format!("last seen {days} days ago"));
    }
    if !world.directories.contains(&e.directory) {
        return skip("its directory is gone".into());
    }
    let Some(exe) = world.executables.get(&e.executable) else {
        return skip(format!(
            "opencode not found (neither {} nor on PATH)",
            clean(&e.executable)
        ));
    };
    let mut program = vec![exe.clone()];
    program.extend(e.args.iter().cloned());
    program.extend(["-s".to_string(), e.id.clone()]);
    Ok(program)
}

/// How many steps of each outcome: (to restore, running, skipped).
pub fn counts(steps: &[Step]) -> (usize, usize, usize) {
    let n = |f: fn(&Outcome) -> bool| steps.iter().filter(|s| f(&s.outcome)).count();
    (
        n(|o| matches!(o, Outcome::Restore(_))),
        n(|o| matches!(o, Outcome::Running(_))),
        n(|o| matches!(o, Outcome::Skipped(_))),
    )
}

/// `work:2 "api"`, where a step's pane goes or went.
pub fn place_text(e: &Entry) -> String {
    format!(
        "{}:{} \"{}\"",
        clean(&e.session),
        e.window,
        clean(&e.window_name)
    )
}

/// The line a step prints: `verb` is what became of a restore (`restored`, `would restore`,
/// `failed to restore`), `note` what tmux said or made.
pub fn line(step: &Step, verb: &str, note: &str) -> String {
    let e = &step.entry;
    let head = |v: &str| format!("{v} {} in {}", clean(&e.id), clean(&e.directory));
    match &step.outcome {
        Outcome::Running(at) => format!("{} ({})", head("already running"), clean(at)),
        Outcome::Skipped(why) => format!("{}: {why}", head("skipped")),
        Outcome::Restore(start) => {
            let mut made = Vec::new();
            if start.server {
                made.push("new tmux server");
            }
            if start.session {
                made.push("new tmux session");
            }
            if start.place == Place::Next {
                made.push("window index taken: next free one");
            }
            if !note.is_empty() {
                made.push(note);
            }
            let extra = if made.is_empty() {
                String::new()
            } else {
                format!(" ({})", made.join(", "))
            };
            format!("{}: {}{extra}", head(verb), place_text(e))
        }
    }
}

#[cfg(test)]
mod tests;
