//! Carrying out a plan's starts in tmux. Every path, name and id is one literal argument, and
//! the program is never a shell string: with more than one argument after `--`, tmux executes
//! it directly (a single argument would go through `sh -c`; a start always has at least
//! three: the executable, `-s`, the id). Only new servers, sessions, windows and panes are
//! made: nothing that exists is touched.

use std::time::Duration;

use super::plan::{Place, Start};
use super::record::Entry;
use crate::source::tmux::server_alive;
use crate::tmux_call::{TmuxError, run_tmux_within};

/// A call that may start a server reads the user's configuration and plugins first.
const TIMEOUT: Duration = Duration::from_secs(10);
/// What tmux prints for a new pane: its id and window index.
const PRINT: &str = "#{pane_id}\x1f#{window_index}";

/// Starts `entry`'s session as `start` says; `beside` is the pane an earlier step made for
/// [`Place::Beside`]. Returns the new pane's id and a note on where it went when that is not
/// the recorded place.
pub fn start(
    entry: &Entry,
    start: &Start,
    beside: Option<&str>,
) -> Result<(String, String), TmuxError> {
    let socket = entry.socket.as_str();
    let mut tail: Vec<&str> = vec!["-P", "-F", PRINT, "-c", &entry.directory, "--"];
    tail.extend(start.program.iter().map(String::as_str));
    let session_exists = server_alive(socket)
        && run_tmux_within(
            Some(socket),
            &["has-session", "-t", &exact(&entry.session)],
            TIMEOUT,
        )
        .is_ok();
    if !session_exists {
        make_socket_dir(socket);
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            &entry.session,
            "-n",
            &entry.window_name,
        ];
        args.extend(&tail);
        let (pane, index) = printed(&run_tmux_within(Some(socket), &args, TIMEOUT)?)?;
        let mut note = String::new();
        if index != entry.window {
            // The session's first window has the server's base-index: move it where it was.
            let to = format!("{}:{}", exact(&entry.session), entry.window);
            if run_tmux_within(
                Some(socket),
                &["move-window", "-d", "-s", &pane, "-t", &to],
                TIMEOUT,
            )
            .is_err()
            {
                note = format!("in window {index} instead");
            }
        }
        return Ok((pane, note));
    }
    let (target, mut args) = match (&start.place, beside) {
        (Place::Beside(_), Some(pane)) => (pane.to_string(), vec!["split-window", "-d"]),
        (Place::At(i), _) => (
            format!("{}:{i}", exact(&entry.session)),
            vec!["new-window", "-d"],
        ),
        _ => (
            format!("{}:", exact(&entry.session)),
            vec!["new-window", "-d"],
        ),
    };
    let named = ["-n", entry.window_name.as_str()];
    if args[0] == "new-window" {
        args.extend(named);
    }
    let mut first = args.clone();
    first.extend(["-t", &target]);
    first.extend(&tail);
    let made = run_tmux_within(Some(socket), &first, TIMEOUT);
    let out = match made {
        // Taken since the plan was made: the next free index, never the window there.
        Err(TmuxError::Failed(e))
            if matches!(start.place, Place::At(_)) && e.contains("in use") =>
        {
            let next = format!("{}:", exact(&entry.session));
            args.extend(["-t", &next]);
            args.extend(&tail);
            run_tmux_within(Some(socket), &args, TIMEOUT)?
        }
        other => other?,
    };
    let (pane, index) = printed(&out)?;
    let note = if index == entry.window {
        String::new()
    } else {
        format!("in window {index} instead")
    };
    Ok((pane, note))
}

/// A tmux session named exactly `name` (no prefix match, no fnmatch pattern).
fn exact(name: &str) -> String {
    format!("={name}")
}

/// Pane id and window index from a start's `-P` output.
fn printed(out: &str) -> Result<(String, u32), TmuxError> {
    let line = out.lines().next().unwrap_or("").replace("\\037", "\x1f");
    line.split_once('\x1f')
        .and_then(|(pane, index)| Some((pane.to_string(), index.trim().parse().ok()?)))
        .ok_or_else(|| TmuxError::Failed(format!("unexpected answer from tmux: {line:?}")))
}

/// After a reboot the socket's directory (`/tmp/tmux-UID`) may be gone; tmux makes it only for
/// its default sockets, so make it as tmux would: the user's, 0700.
fn make_socket_dir(socket: &str) {
    let Some(dir) = std::path::Path::new(socket).parent() else {
        return;
    };
    if !dir.as_os_str().is_empty() && !dir.exists() {
        let _ = crate::source::file::private_dir(dir);
    }
}
