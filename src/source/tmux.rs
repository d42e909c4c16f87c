//! tmux: every call goes through [`run_tmux`], which names the server and never hangs.

use super::process_types::ProcessInfo;
use super::tmux_types::Pane;

#[derive(Debug, thiserror::Error)]
pub enum TmuxError {
    #[error("tmux is not installed")]
    NotInstalled,
    #[error("tmux did not answer in time")]
    Timeout,
    #[error("tmux failed: {0}")]
    Failed(String),
}

/// Runs `tmux [-S socket] args…` and returns its stdout.
pub fn run_tmux(_socket: Option<&str>, _args: &[&str]) -> Result<String, TmuxError> {
    Err(TmuxError::NotInstalled)
}

/// All panes of the server at `socket`.
pub fn list_panes(_socket: &str) -> Result<Vec<Pane>, TmuxError> {
    Ok(Vec::new())
}

/// The socket path in a `TMUX` value (`/tmp/tmux-1000/default,1234,0`).
pub fn socket_of(_tmux_env: &str) -> Option<String> {
    None
}

/// The default server's socket path for this user.
pub fn default_socket() -> Option<String> {
    None
}

/// The pane a process runs in: by `TMUX_PANE` (on the process's own server), else by TTY,
/// else by walking up `ancestors` to a pane's pid.
pub fn pane_for<'a>(
    _proc: &ProcessInfo,
    _ancestors: &[u32],
    _panes: &'a [Pane],
) -> Option<&'a Pane> {
    None
}

/// The contents of a pane, with colours (`capture-pane -e -p`).
pub fn capture_pane(socket: &str, pane_id: &str) -> Result<String, TmuxError> {
    run_tmux(Some(socket), &["capture-pane", "-e", "-p", "-t", pane_id])
}
