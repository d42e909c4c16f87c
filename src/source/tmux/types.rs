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
