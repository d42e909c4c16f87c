//! Jumping to a session's tmux pane. A simple direct implementation; the integrator will route
//! it through the shared tmux module.

use std::process::Command;

use crate::model::row::TmuxLocation;

/// The tmux arguments that bring `client` (or the current client) to the pane: its session,
/// its window, then the pane itself, as one command list.
fn jump_args(loc: &TmuxLocation, client: Option<&str>) -> Vec<String> {
    let mut args = vec![
        "-S".to_string(),
        loc.socket.clone(),
        "switch-client".to_string(),
    ];
    if let Some(c) = client {
        args.extend(["-c".to_string(), c.to_string()]);
    }
    let window = format!("{}:{}", loc.session, loc.window);
    args.extend(
        [
            "-t",
            &loc.session,
            ";",
            "select-window",
            "-t",
            &window,
            ";",
            "select-pane",
            "-t",
            &loc.pane_id,
        ]
        .map(str::to_string),
    );
    args
}

/// Switches the tmux client to the pane at `loc`. `Ok` carries a line to show the user,
/// `Err` tmux's complaint (no client attached to that server, pane gone, …).
pub fn jump_to(loc: &TmuxLocation, client: Option<&str>) -> Result<String, String> {
    let out = Command::new("tmux")
        .args(jump_args(loc, client))
        .output()
        .map_err(|e| format!("cannot run tmux: {e}"))?;
    if out.status.success() {
        Ok(format!("jumped to {} ({})", loc.short(), loc.pane_id))
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(format!("tmux: {}", err.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tmux_call_switches_session_window_and_pane() {
        let loc = TmuxLocation {
            socket: "/tmp/s".into(),
            pane_id: "%7".into(),
            target: "work:2.1".into(),
            session: "work".into(),
            window: 2,
            window_name: "api".into(),
        };
        assert_eq!(
            jump_args(&loc, Some("/dev/pts/4")).join(" "),
            "-S /tmp/s switch-client -c /dev/pts/4 -t work ; select-window -t work:2 ; \
             select-pane -t %7"
        );
    }
}
