//! tmux's state: servers, panes, clients. Every call goes through [`crate::tmux_call`].

use super::process::types::ProcessInfo;
pub use crate::tmux_call::{MAX_ARG, TmuxError, batches, literal, run_tmux, run_tmux_commands};
pub mod types;

use self::types::{Client, Pane, Server};

/// Field separator in `-F` formats. tmux 3.x passes it through verbatim; session names cannot
/// contain it in practice, and the window name (free text) comes last so it may.
const SEP: char = '\x1f';

const PANE_FORMAT: &str = "#{pane_id}\x1f#{pane_tty}\x1f#{pane_pid}\x1f#{window_index}\x1f\
    #{pane_index}\x1f#{pane_active}\x1f#{window_active}\x1f#{session_name}\x1f#{window_name}";

/// Whether a tmux server listens at `socket`. Connecting costs no process spawn.
pub fn server_alive(socket: &str) -> bool {
    std::os::unix::net::UnixStream::connect(socket).is_ok()
}

/// The windows of the server at `socket`: (session name, window index) each.
pub fn list_windows(socket: &str) -> Result<Vec<(String, u32)>, TmuxError> {
    const FORMAT: &str = "#{window_index}\x1f#{session_name}";
    run_tmux(Some(socket), &["list-windows", "-a", "-F", FORMAT]).map(|o| parse_windows(&o))
}

/// Parses `list-windows -a -F '#{window_index}<SEP>#{session_name}'`; malformed lines are
/// skipped.
pub fn parse_windows(out: &str) -> Vec<(String, u32)> {
    out.lines()
        .filter_map(|line| {
            let line = with_separators(line);
            let (index, session) = line.split_once(SEP)?;
            Some((session.to_string(), index.parse().ok()?))
        })
        .collect()
}

/// Marks `list-clients` lines apart from pane lines (which start with a pane id, `%N`).
const CLIENT_FORMAT: &str = "client\x1f#{client_name}\x1f#{client_flags}\x1f#{client_session}";

/// All panes of the server at `socket`.
pub fn list_panes(socket: &str) -> Result<Vec<Pane>, TmuxError> {
    list(socket).map(|s| s.panes)
}

/// The panes and attached clients of the server at `socket`, in one tmux call.
pub fn list(socket: &str) -> Result<Server, TmuxError> {
    let cmds = [
        vec!["list-panes", "-a", "-F", PANE_FORMAT],
        vec!["list-clients", "-F", CLIENT_FORMAT],
    ];
    let out = run_tmux_commands(Some(socket), &cmds)?;
    Ok(Server {
        panes: parse_panes(&out, socket),
        clients: parse_clients(&out, socket),
    })
}

/// `line` with its field separators: some tmux builds print non-printables as octal escapes.
fn with_separators(line: &str) -> String {
    if line.contains(SEP) {
        line.to_string()
    } else {
        line.replace("\\037", "\x1f")
    }
}

/// The client lines of [`list`]'s output (`client`, name, flags, session); others are skipped.
pub fn parse_clients(out: &str, socket: &str) -> Vec<Client> {
    out.lines()
        .filter_map(|line| {
            let line = with_separators(line);
            let f: Vec<&str> = line.splitn(4, SEP).collect();
            let ["client", name, flags, session] = f.as_slice() else {
                return None;
            };
            let flags: Vec<&str> = flags.split(',').collect();
            flags.contains(&"attached").then(|| Client {
                socket: socket.to_string(),
                name: name.to_string(),
                session: session.to_string(),
                focused: flags.contains(&"focused"),
            })
        })
        .collect()
}

/// Parses `list-panes -a -F PANE_FORMAT` output; malformed lines are skipped.
pub fn parse_panes(out: &str, socket: &str) -> Vec<Pane> {
    out.lines()
        .filter_map(|line| {
            let line = with_separators(line);
            let f: Vec<&str> = line.splitn(9, SEP).collect();
            let [
                id,
                tty,
                pid,
                win,
                pane,
                pane_active,
                win_active,
                session,
                window_name,
            ] = f.as_slice()
            else {
                return None;
            };
            Some(Pane {
                socket: socket.to_string(),
                pane_id: id.to_string(),
                tty: tty.to_string(),
                pid: pid.parse().ok()?,
                session: session.to_string(),
                window_index: win.parse().ok()?,
                window_name: window_name.to_string(),
                pane_index: pane.parse().ok()?,
                pane_active: *pane_active == "1",
                window_active: *win_active == "1",
            })
        })
        .collect()
}

/// The socket path in a `TMUX` value (`/tmp/tmux-1000/default,1234,0`).
pub fn socket_of(tmux_env: &str) -> Option<String> {
    // Split from the right: the path itself may contain commas.
    let mut parts = tmux_env.rsplitn(3, ',');
    let session = parts.next()?;
    let pid = parts.next()?;
    let path = parts.next()?;
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (numeric(session) && numeric(pid) && !path.is_empty()).then(|| path.to_string())
}

/// Where this user's tmux servers keep their sockets: `${TMUX_TMPDIR:-/tmp}/tmux-UID`.
fn socket_dir() -> Option<String> {
    let dir = std::env::var("TMUX_TMPDIR")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/tmp".to_string());
    Some(format!(
        "{}/tmux-{}",
        dir.trim_end_matches('/'),
        super::file::uid()?
    ))
}

/// The default server's socket path for this user.
pub fn default_socket() -> Option<String> {
    socket_dir().map(|d| format!("{d}/default"))
}

/// Every socket in this user's tmux directory (`tmux -L NAME` servers; some may be stale).
pub fn user_sockets() -> Vec<String> {
    use std::os::unix::fs::FileTypeExt;
    let Some(entries) = socket_dir().and_then(|d| std::fs::read_dir(d).ok()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_socket()))
        .map(|e| e.path().display().to_string())
        .collect()
}

/// Whether a server could listen at `socket`: a socket file is there. Asking tmux costs a
/// process start (a few milliseconds, most of it the dynamic loader), so a refresh skips the
/// servers that were never started, the default one often.
pub fn socket_exists(socket: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(socket).is_ok_and(|m| m.file_type().is_socket())
}

/// The servers otop asks where panes are: `sockets` (those opencode processes run under), the
/// default server and the configured `extra` ones, each once.
pub fn servers(mut sockets: Vec<String>, extra: &[String]) -> Vec<String> {
    sockets.extend(default_socket());
    sockets.extend(extra.iter().cloned());
    sockets.sort();
    sockets.dedup();
    sockets
}

/// The pane a process runs in: by `TMUX_PANE` (on the process's own server), else by TTY,
/// else by walking up `ancestors` to a pane's pid.
pub fn pane_for<'a>(proc: &ProcessInfo, ancestors: &[u32], panes: &'a [Pane]) -> Option<&'a Pane> {
    if let Some(id) = &proc.env.tmux_pane {
        let socket = proc.env.tmux.as_deref().and_then(socket_of);
        // Pane ids are per server: only trust the id on the server the process belongs to.
        let known = socket
            .as_deref()
            .is_some_and(|s| panes.iter().any(|p| p.socket == s));
        let hit = panes
            .iter()
            .find(|p| &p.pane_id == id && (!known || socket.as_deref() == Some(p.socket.as_str())));
        if hit.is_some() {
            return hit;
        }
    }
    if let Some(p) = proc
        .tty
        .as_ref()
        .and_then(|tty| panes.iter().find(|p| &p.tty == tty))
    {
        return Some(p);
    }
    std::iter::once(&proc.pid)
        .chain(ancestors)
        .find_map(|a| panes.iter().find(|p| p.pid == *a))
}

/// The pane's visible contents with colours (`capture-pane -e -p`).
pub fn capture_pane(socket: &str, pane_id: &str) -> Result<String, TmuxError> {
    run_tmux(Some(socket), &["capture-pane", "-e", "-p", "-t", pane_id])
}

/// Whether two socket paths name the same server: equal, or equal once resolved (a symlinked
/// `/tmp`, a relative path). A path that cannot be resolved is compared as written.
pub fn same_socket(a: &str, b: &str) -> bool {
    let canon = |p: &str| std::fs::canonicalize(p).unwrap_or_else(|_| p.into());
    a == b || canon(a) == canon(b)
}

#[cfg(test)]
mod tests;
