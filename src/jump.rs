//! The jump: take a tmux client to the pane a session runs in, on the right server, across
//! tmux sessions. The picker, `otop jump` and the monitor all act through [`go`], which first
//! checks where the target lives ([`plan`]): a client can only be switched within its server.

use crate::error::Error;
use crate::model::row::{Row, TmuxLocation};
use crate::model::sanitize::clean;
use crate::source::tmux::{self, same_socket};

/// What choosing a row leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Switch the client to this pane.
    Jump(TmuxLocation),
    /// Cannot jump (no pane, or a pane on another server); say why and stay.
    Explain(String),
    /// Not inside tmux: print where the session is.
    Print(String),
}

/// Where an action is asked from: the tmux server otop runs under and the client to move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Here {
    pub current_socket: Option<String>,
    pub client: Option<String>,
    /// The rows are the demo fleet's ([`crate::collect::Snapshot::demo`]): nothing is moved.
    pub demo: bool,
}

impl Here {
    /// This process's tmux server (`$TMUX`) and the client the popup binding named, if any;
    /// `demo`: whether the rows acted on are the demo's.
    pub fn from_env(client: Option<String>, demo: bool) -> Here {
        Here {
            current_socket: current_socket(),
            client,
            demo,
        }
    }
}

/// What a successful [`go`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Went {
    /// The client is at the pane; a line saying where.
    Jumped(String),
    /// Not inside tmux: where the session is, to print.
    Print(String),
    /// The demo: where a jump would have gone; no client was moved.
    Demo(String),
}

/// Takes the client to `row`'s pane, if it lives where a jump can reach; otherwise says why
/// ([`Error::Refused`]) or, outside tmux, where the session is. On the demo it only says
/// where it would go: demo panes are nobody's.
pub fn go(row: &Row, here: &Here) -> Result<Went, Error> {
    if here.demo {
        return Ok(Went::Demo(demo_line(row)));
    }
    let client = here.client.as_deref();
    match plan(row, here.current_socket.as_deref(), client) {
        Plan::Jump(loc) => Ok(Went::Jumped(jump_to(&loc, client)?)),
        Plan::Explain(why) => Err(Error::Refused(why)),
        Plan::Print(text) => Ok(Went::Print(text)),
    }
}

/// Decides what choosing `row` does. `current_socket` is the server otop runs under (from
/// `$TMUX`), `client` the client named by the popup binding.
pub fn plan(row: &Row, current_socket: Option<&str>, client: Option<&str>) -> Plan {
    let inside = current_socket.is_some() || client.is_some();
    let Some(loc) = &row.tmux else {
        return if inside {
            Plan::Explain(format!(
                "{} is not in a tmux pane ({})",
                name(row),
                whereabouts(row)
            ))
        } else {
            Plan::Print(describe(row))
        };
    };
    if !inside {
        return Plan::Print(describe(row));
    }
    match current_socket {
        Some(cur) if !same_socket(cur, &loc.socket) => Plan::Explain(format!(
            "{} is on another tmux server: tmux -S {} attach -t {}",
            name(row),
            clean(&loc.socket),
            clean(&loc.target)
        )),
        _ => Plan::Jump(loc.clone()),
    }
}

/// Moves `client` (or tmux's current client) to the pane: its session, window and pane, in one
/// tmux call. Returns a line saying where it went.
fn jump_to(loc: &TmuxLocation, client: Option<&str>) -> Result<String, tmux::TmuxError> {
    let pane = loc.pane_id.as_str();
    let mut switch = vec!["switch-client"];
    if let Some(c) = client {
        switch.extend(["-c", c]);
    }
    // A pane id is a valid target for a session, a window and a pane, and unlike names it
    // cannot be misread (names may hold `:` or `.`).
    switch.extend(["-t", pane]);
    let cmds = [
        switch,
        vec!["select-window", "-t", pane],
        vec!["select-pane", "-t", pane],
    ];
    tmux::run_tmux_commands(Some(&loc.socket), &cmds)?;
    Ok(format!("jumped to {}", clean(&loc.target)))
}

/// What a jump on the demo would have done.
fn demo_line(row: &Row) -> String {
    match &row.tmux {
        Some(t) => format!(
            "demo: would jump to {} (pane {}); nothing is moved in the demo",
            clean(&t.target),
            clean(&t.pane_id)
        ),
        None => format!("demo: {} is in no tmux pane", name(row)),
    }
}

/// One line saying where a session is, for people outside tmux.
pub fn describe(row: &Row) -> String {
    let mut s = format!("{}: {}", name(row), whereabouts(row));
    if let Some(t) = &row.tmux {
        s.push_str(&format!(
            ", tmux pane {} ({}) on {}",
            clean(&t.pane_id),
            clean(&t.target),
            clean(&t.socket)
        ));
    }
    s
}

fn name(row: &Row) -> String {
    match &row.session {
        Some(s) => match &s.title {
            Some(t) => format!("\"{}\" ({})", clean(t), clean(&s.id)),
            None => clean(&s.id).into_owned(),
        },
        None => row.pid().map_or("session".into(), |p| format!("pid {p}")),
    }
}

fn whereabouts(row: &Row) -> String {
    match &row.process {
        Some(p) => format!(
            "pid {}, tty {}, cwd {}",
            p.info.pid,
            p.info.tty.as_deref().unwrap_or("none"),
            clean(p.info.cwd.as_deref().unwrap_or("?"))
        ),
        None => "no process".into(),
    }
}

/// The socket of the tmux server otop runs under, from `$TMUX`.
pub fn current_socket() -> Option<String> {
    std::env::var("TMUX").ok().and_then(|t| tmux::socket_of(&t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::row::ProcessRow;
    use crate::model::state::{State, Status};
    use crate::source::db::types::SessionFacts;
    use crate::source::process::types::{Kind, ProcessInfo};

    fn row(socket: Option<&str>) -> Row {
        Row {
            process: Some(ProcessRow {
                info: ProcessInfo {
                    pid: 42,
                    tty: Some("/dev/pts/7".into()),
                    cwd: Some("/src/app".into()),
                    ..ProcessInfo::default()
                },
                kind: Kind::Tui,
                cpu_percent: None,
                owner: None,
                plugin: false,
            }),
            session: Some(SessionFacts {
                id: "ses_1".into(),
                title: Some("Fix #(evil)".into()),
                ..SessionFacts::default()
            }),
            status: Status::new(State::Idle, "idle"),
            matched: None,
            tmux: socket.map(|s| TmuxLocation {
                socket: s.into(),
                pane_id: "%3".into(),
                target: "b:2.1".into(),
                session: "b".into(),
                window: 2,
                window_name: "w".into(),
            }),
        }
    }

    #[test]
    fn jumps_within_the_same_server() {
        let p = plan(&row(Some("/tmp/s")), Some("/tmp/s"), Some("/dev/pts/1"));
        assert!(matches!(p, Plan::Jump(l) if l.pane_id == "%3"));
    }

    #[test]
    fn a_session_without_pane_is_explained_not_jumped() {
        let p = plan(&row(None), Some("/tmp/s"), None);
        assert_eq!(
            p,
            Plan::Explain(
                "\"Fix #(evil)\" (ses_1) is not in a tmux pane (pid 42, tty /dev/pts/7, cwd /src/app)"
                    .into()
            )
        );
    }

    #[test]
    fn another_server_is_explained_with_the_command_to_reach_it() {
        let p = plan(&row(Some("/tmp/other")), Some("/tmp/s"), None);
        assert!(matches!(p, Plan::Explain(m) if m.contains("tmux -S /tmp/other attach -t b:2.1")));
    }

    #[test]
    fn outside_tmux_it_prints_where_the_session_is() {
        let p = plan(&row(Some("/tmp/s")), None, None);
        assert!(matches!(p, Plan::Print(m) if m.contains("pid 42") && m.contains("%3 (b:2.1)")));
    }
}
