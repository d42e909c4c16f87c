//! Acting on a session's pane. The jump takes a tmux client to the pane a session runs in, on
//! the right server, across tmux sessions: the picker, `otop jump` and the monitor all act
//! through [`go`], which first checks where the target lives ([`plan`]): a client can only be
//! switched within its server. Notifications reach a pane through [`tell`], on the pane's own
//! server, and ask [`in_front`] whether you are looking at it.

use std::path::PathBuf;

use crate::error::Error;
use crate::model::row::{Row, TmuxLocation};
use crate::model::sanitize::{clean, for_tmux};
use crate::source::tmux::types::Client;
use crate::source::tmux::{self, same_socket};

mod remote;

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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Here {
    pub current_socket: Option<String>,
    pub client: Option<String>,
    /// The rows are the demo fleet's ([`crate::collect::Snapshot::demo`]): nothing is moved.
    pub demo: bool,
    /// The unseen marks' file: a jump to a session clears its mark (you have opened it).
    pub marks: Option<PathBuf>,
    /// Outside tmux, move the client tmux picks (the one active last) instead of printing
    /// where the session is: how another machine's otop moves this machine's client.
    pub any_client: bool,
    /// The `[[hosts]]` a row may be on: a jump there goes through ssh ([`remote`]).
    pub hosts: Vec<crate::config::hosts::Host>,
}

impl Here {
    /// Asked from this process's tmux server (`$TMUX`), to move `client` (None: tmux's
    /// current one); `demo`: the rows acted on are the demo's; `marks`: the unseen marks' file.
    pub fn new(client: Option<String>, demo: bool, marks: Option<PathBuf>) -> Here {
        Here {
            current_socket: current_socket(),
            client,
            demo,
            marks,
            any_client: false,
            hosts: Vec::new(),
        }
    }

    /// The same, able to reach `hosts`' sessions.
    pub fn with_hosts(self, hosts: &[crate::config::hosts::Host]) -> Here {
        Here {
            hosts: hosts.to_vec(),
            ..self
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

impl Went {
    /// The line a view shows for it.
    pub fn text(self) -> String {
        match self {
            Went::Jumped(s) | Went::Print(s) | Went::Demo(s) => s,
        }
    }
}

/// Takes the client to `row`'s pane, if it lives where a jump can reach; otherwise says why
/// ([`Error::Refused`]) or, outside tmux, where the session is. On the demo it only says
/// where it would go: demo panes are nobody's.
pub fn go(row: &Row, here: &Here) -> Result<Went, Error> {
    if here.demo {
        return Ok(Went::Demo(demo_line(row)));
    }
    if let Some(name) = &row.host {
        return remote::go(row, name, here);
    }
    let client = here.client.as_deref();
    let planned = match (&row.tmux, here.any_client) {
        (Some(loc), true) if here.current_socket.is_none() && client.is_none() => {
            Plan::Jump(loc.clone())
        }
        _ => plan(row, here.current_socket.as_deref(), client),
    };
    match planned {
        Plan::Jump(loc) => {
            if let Some(why) = twin_doubt(row) {
                return Err(Error::Refused(format!("{}: {why}", name(row))));
            }
            let went = jump_to(&loc, client)?;
            if let (Some(marks), Some(id)) = (&here.marks, row.session_id()) {
                // The jump happened; a mark left behind is cleared when the pane is seen.
                let _ = crate::source::unseen::clear(marks, id);
            }
            Ok(Went::Jumped(went))
        }
        Plan::Explain(why) => Err(Error::Refused(why)),
        Plan::Print(text) => Ok(Went::Print(text)),
    }
}

/// [`Row::twin_doubt`] against the processes running now, read only for a row tied to its
/// process by a guess.
fn twin_doubt(row: &Row) -> Option<String> {
    row.matched.filter(|m| !m.is_certain())?;
    let procs =
        crate::source::process::scan_with(crate::source::process::OpenFiles::Database, false);
    row.twin_doubt(
        procs
            .iter()
            .filter(|p| p.kind.runs_sessions())
            .filter_map(|p| Some((p.info.pid, p.info.cwd.as_deref()?))),
    )
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
        // No client to move from here: say how to get there.
        return Plan::Print(format!(
            "{}\nnot run inside tmux, so no client was moved: tmux -S {} attach -t {} shows it, \
             or otop jump --any-client moves the client tmux used last",
            describe(row),
            clean(&loc.socket),
            clean(&loc.target)
        ));
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
pub(crate) fn jump_to(loc: &TmuxLocation, client: Option<&str>) -> Result<String, tmux::TmuxError> {
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

/// Whether `loc` is in front of someone: among `front`, the panes [`crate::collect::Snapshot`]
/// found active in the current window of an attached, focused client.
pub fn in_front(loc: &TmuxLocation, front: &[TmuxLocation]) -> bool {
    front.iter().any(|f| {
        f.host == loc.host && f.pane_id == loc.pane_id && same_socket(&f.socket, &loc.socket)
    })
}

/// Tells the people at `loc`'s tmux server: `message` on the status line of each of its
/// `clients` (those of other servers are skipped), and with `bell`, the bell in the pane's
/// window (rung on the pane's terminal `tty`, so tmux's `monitor-bell` flags it). The message
/// is untrusted text: sanitised, and `#` doubled so tmux expands no format in it.
pub fn tell(
    loc: &TmuxLocation,
    clients: &[Client],
    message: Option<&str>,
    bell: Option<&str>,
) -> Result<(), Error> {
    // Another machine's pane: its socket path means nothing on this one's servers.
    if loc.host.is_some() {
        return Ok(());
    }
    if let Some(tty) = bell {
        ring(tty).map_err(Error::file(tty))?;
    }
    let Some(message) = message else {
        return Ok(());
    };
    let text = for_tmux(message);
    let cmds: Vec<Vec<&str>> = clients
        .iter()
        .filter(|c| same_socket(&c.socket, &loc.socket))
        .map(|c| vec!["display-message", "-c", &c.name, "-d", "5000", "--", &text])
        .collect();
    if !cmds.is_empty() {
        tmux::run_tmux_commands(Some(&loc.socket), &cmds)?;
    }
    Ok(())
}

/// Writes BEL to the terminal `tty` (a pane's): tmux reads it as the pane's output. Only a
/// character device is written to, without waiting and without becoming its controlling
/// process.
fn ring(tty: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(tty)?;
    if !f.metadata()?.file_type().is_char_device() {
        return Err(std::io::Error::other("not a terminal"));
    }
    f.write_all(b"\x07")
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

pub(crate) fn name(row: &Row) -> String {
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
                host: None,
            }),
            unseen: false,
            certain: false,
            host: None,
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
        assert!(matches!(&p, Plan::Print(m) if m.contains("pid 42") && m.contains("%3 (b:2.1)")));
        // And how to get there (issue 28).
        assert!(
            matches!(&p, Plan::Print(m) if m.contains("tmux -S /tmp/s attach -t b:2.1")
                && m.contains("--any-client")),
            "{p:?}"
        );
    }
}
