//! Which rows a view is about, in what order, and which row a target names: the one rule the
//! status segment, `watch`, `sessions`, the picker and `jump` share.

use crate::model::row::Row;
use crate::model::state::State;

/// Most urgent first (waiting, error, working, idle, stalled; unseen before seen within each,
/// see [`Row::urgency`]), then by tmux location and pid, so the order is stable between runs.
pub fn sort_by_urgency(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        a.urgency()
            .cmp(&b.urgency())
            .then_with(|| {
                let t = |r: &Row| r.tmux.as_ref().map(|t| (t.session.clone(), t.window));
                t(a).cmp(&t(b))
            })
            .then_with(|| a.pid().cmp(&b.pid()))
    });
}

/// A row someone works in: an interactive opencode (TUI or attach) with a session, not a
/// subagent, an `opencode run` or a helper.
pub fn is_session(row: &Row) -> bool {
    row.is_primary() && row.session.is_some()
}

/// The sessions of `rows` (see [`is_session`]), most urgent first; with `all`, every row.
pub fn sessions(rows: Vec<Row>, all: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = rows.into_iter().filter(|r| all || is_session(r)).collect();
    sort_by_urgency(&mut rows);
    rows
}

/// What a user names a session by on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `ses_…`
    Session(String),
    /// The pid of its opencode process.
    Pid(u32),
    /// A tmux pane id, `%5`.
    Pane(String),
    /// The terminal its opencode runs on, `/dev/pts/3` or `pts/3`.
    Tty(String),
}

impl Target {
    /// Reads `%5` as a pane, digits as a pid, `/dev/…` or `pts/…` as a tty, anything else as a
    /// session id.
    pub fn parse(s: &str) -> Target {
        if s.starts_with('%') {
            Target::Pane(s.to_string())
        } else if let Ok(pid) = s.parse() {
            Target::Pid(pid)
        } else if s.starts_with("/dev/") || s.starts_with("pts/") || s.starts_with("tty") {
            Target::Tty(s.to_string())
        } else {
            Target::Session(s.to_string())
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Session(s) | Target::Pane(s) | Target::Tty(s) => f.write_str(s),
            Target::Pid(p) => write!(f, "{p}"),
        }
    }
}

/// The row `target` names, on this machine or any host. A session id may name any row (a
/// subagent too), on whichever machine holds it; a pid, pane or tty names the interactive
/// session there, on this machine (pids and panes are per machine: `box:%5` names one on
/// host `box`, see [`named`]).
pub fn find<'a>(rows: &'a [Row], target: &Target) -> Option<&'a Row> {
    find_on(rows, None, target)
}

/// What a user typed: `box:ses_…`, `box:%5`, `box:1234` name a row on host `box`; anything
/// else as [`Target::parse`] reads it, on this machine for a pid, pane or tty.
pub fn named<'a>(rows: &'a [Row], typed: &str) -> Option<&'a Row> {
    match whereabouts(typed) {
        Whereabouts::Host(host, rest) => find_on(rows, Some(&host), &Target::parse(&rest)),
        _ => find(rows, &Target::parse(typed)),
    }
}

/// Where a typed target can be: on one host (`box:…`), on this machine only (a pid, pane or
/// tty: they are per machine), or anywhere (a session id). [`named`] reads it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whereabouts {
    /// `box:%5`: host `box`, and the target there.
    Host(String, String),
    Here,
    Anywhere,
}

pub fn whereabouts(typed: &str) -> Whereabouts {
    match typed.split_once(':') {
        Some((host, rest)) if !host.is_empty() && !host.contains('/') => {
            Whereabouts::Host(host.to_string(), rest.to_string())
        }
        _ => match Target::parse(typed) {
            Target::Session(_) => Whereabouts::Anywhere,
            _ => Whereabouts::Here,
        },
    }
}

fn find_on<'a>(rows: &'a [Row], host: Option<&str>, target: &Target) -> Option<&'a Row> {
    let not_subagent = |r: &&Row| r.session.as_ref().is_none_or(|s| !s.is_subagent());
    let there = |r: &&Row| r.host.as_deref() == host;
    match target {
        Target::Session(id) => rows
            .iter()
            .filter(|r| host.is_none() || there(r))
            .find(|r| r.session_id() == Some(id.as_str())),
        Target::Pid(pid) => rows
            .iter()
            .filter(there)
            .filter(not_subagent)
            .find(|r| r.pid() == Some(*pid)),
        Target::Pane(pane) => rows
            .iter()
            .filter(there)
            .filter(not_subagent)
            .find(|r| r.tmux.as_ref().is_some_and(|t| t.pane_id == *pane)),
        Target::Tty(tty) => {
            let bare = |t: &str| t.strip_prefix("/dev/").unwrap_or(t).to_string();
            let want = bare(tty);
            rows.iter().filter(there).filter(not_subagent).find(|r| {
                r.process
                    .as_ref()
                    .and_then(|p| p.info.tty.as_deref())
                    .map(bare)
                    .as_deref()
                    == Some(want.as_str())
            })
        }
    }
}

/// The next session in `state` after the pane `here` (cycling), in tmux order. Sessions on the
/// server otop runs under come first (`on_current` says whether a socket path is that server's:
/// a question for the filesystem, asked by the caller): a client can only be switched within
/// its own server.
pub fn next_in_state<'a>(
    rows: &'a [Row],
    state: State,
    here: Option<&str>,
    on_current: Option<&dyn Fn(&str) -> bool>,
) -> Option<&'a Row> {
    let mut candidates: Vec<&Row> = rows
        .iter()
        .filter(|r| is_session(r) && r.status.state == state)
        .collect();
    if let Some(current) = on_current {
        let local = |r: &&Row| {
            r.tmux
                .as_ref()
                .is_some_and(|t| t.host.is_none() && current(&t.socket))
        };
        if candidates.iter().any(local) {
            candidates.retain(local);
        }
    }
    candidates.sort_by_key(|r| {
        r.tmux
            .as_ref()
            .map(|t| (t.session.clone(), t.window, t.target.clone()))
    });
    let at = here.and_then(|h| {
        candidates
            .iter()
            .position(|r| r.tmux.as_ref().is_some_and(|t| t.pane_id == h))
    });
    match at {
        Some(i) => candidates.get((i + 1) % candidates.len()).copied(),
        None => candidates.first().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_by_their_shape() {
        assert_eq!(Target::parse("%5"), Target::Pane("%5".into()));
        assert_eq!(Target::parse("4242"), Target::Pid(4242));
        assert_eq!(
            Target::parse("/dev/pts/3"),
            Target::Tty("/dev/pts/3".into())
        );
        assert_eq!(Target::parse("pts/3"), Target::Tty("pts/3".into()));
        assert_eq!(Target::parse("ses_abc"), Target::Session("ses_abc".into()));
        assert_eq!(
            whereabouts("box:%5"),
            Whereabouts::Host("box".into(), "%5".into())
        );
        assert_eq!(whereabouts("%5"), Whereabouts::Here);
        assert_eq!(whereabouts("/dev/pts/3"), Whereabouts::Here);
        assert_eq!(whereabouts("4242"), Whereabouts::Here);
        assert_eq!(whereabouts("ses_abc"), Whereabouts::Anywhere);
    }
}
