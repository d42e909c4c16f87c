//! Facts about tmux panes.

use serde::Serialize;

/// One pane of one tmux server, from `list-panes -a`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pane {
    /// Socket path of the server this pane belongs to.
    pub socket: String,
    /// `%N`.
    pub pane_id: String,
    /// `/dev/pts/N`.
    pub tty: String,
    /// Pid of the pane's first process (usually a shell).
    pub pid: u32,
    pub session: String,
    pub window_index: u32,
    pub window_name: String,
    pub pane_index: u32,
    pub pane_active: bool,
    pub window_active: bool,
}

impl Pane {
    /// `session:window.pane`, the target tmux commands take.
    pub fn target(&self) -> String {
        format!("{}:{}.{}", self.session, self.window_index, self.pane_index)
    }
}

/// One attached client of one tmux server, from `list-clients`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// Socket path of the server.
    pub socket: String,
    /// `/dev/pts/N`: what `-c` takes.
    pub name: String,
    /// The session it shows.
    pub session: String,
    /// tmux says `focused`: its terminal has focus. Without `focus-events` tmux never hears
    /// otherwise, so every client counts as focused.
    pub focused: bool,
}

/// A tmux server's panes and attached clients, read in one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Server {
    pub panes: Vec<Pane>,
    pub clients: Vec<Client>,
}

impl Server {
    /// The panes in front of someone: the active pane of the current window of a session an
    /// attached, focused client shows.
    pub fn in_front(&self) -> impl Iterator<Item = &Pane> {
        self.panes.iter().filter(|p| {
            p.pane_active
                && p.window_active
                && self
                    .clients
                    .iter()
                    .any(|c| c.focused && c.session == p.session)
        })
    }
}
