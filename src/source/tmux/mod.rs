//! tmux: every call goes through [`run_tmux`] (one command) or [`run_tmux_commands`] (several
//! in one call), which name the server, never hang, and hand every argument over literally.

use std::borrow::Cow;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::process::types::ProcessInfo;
pub mod types;

use self::types::{Client, Pane, Server};

#[derive(Debug, thiserror::Error)]
pub enum TmuxError {
    #[error("tmux is not installed")]
    NotInstalled,
    #[error("tmux did not answer in time")]
    Timeout,
    #[error("tmux failed: {0}")]
    Failed(String),
}

/// A healthy server answers in milliseconds; a hung one must not freeze the UI.
const TIMEOUT: Duration = Duration::from_secs(1);

/// Field separator in `-F` formats. tmux 3.x passes it through verbatim; session names cannot
/// contain it in practice, and the window name (free text) comes last so it may.
const SEP: char = '\x1f';

const PANE_FORMAT: &str = "#{pane_id}\x1f#{pane_tty}\x1f#{pane_pid}\x1f#{window_index}\x1f\
    #{pane_index}\x1f#{pane_active}\x1f#{window_active}\x1f#{session_name}\x1f#{window_name}";

/// Longest argument otop hands tmux, in bytes; a longer one is cut (see [`literal`]). A status
/// segment or a window name never needs this much, and tmux refuses a command whose arguments
/// pass about 16 KiB in all ("command too long"; Linux refuses a 128 KiB argument with E2BIG).
pub const MAX_ARG: usize = 4096;

/// Bytes of arguments per tmux call in [`run_tmux_commands`]: below tmux's 16 KiB message.
const MAX_CALL: usize = 12 * 1024;

/// Runs the one command `tmux [-S socket] args…` and returns its stdout. Every argument
/// reaches the command as written (see [`literal`]).
pub fn run_tmux(socket: Option<&str>, args: &[&str]) -> Result<String, TmuxError> {
    let args: Vec<Cow<str>> = args.iter().map(|a| literal(a)).collect();
    let refs: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    run_with_timeout(socket, &refs, TIMEOUT)
}

/// Runs several commands, as few tmux calls as the size limit allows (one, usually), each
/// argument literal; stdout of all calls. Stops at the first call that fails.
pub fn run_tmux_commands<S: AsRef<str>>(
    socket: Option<&str>,
    commands: &[Vec<S>],
) -> Result<String, TmuxError> {
    let mut out = String::new();
    for call in batches(commands) {
        let refs: Vec<&str> = call.iter().map(AsRef::as_ref).collect();
        out.push_str(&run_with_timeout(socket, &refs, TIMEOUT)?);
    }
    Ok(out)
}

/// The argument lists of the tmux calls that run `commands`: literal arguments, commands
/// joined by standalone `;` arguments, each call under `MAX_CALL` bytes.
pub fn batches<S: AsRef<str>>(commands: &[Vec<S>]) -> Vec<Vec<Cow<'_, str>>> {
    let mut calls: Vec<Vec<Cow<str>>> = Vec::new();
    let mut size = 0;
    for cmd in commands.iter().filter(|c| !c.is_empty()) {
        let args: Vec<Cow<str>> = cmd.iter().map(|a| literal(a.as_ref())).collect();
        // Each argument travels with a NUL.
        let len: usize = args.iter().map(|a| a.len() + 1).sum();
        match calls.last_mut() {
            Some(call) if size + 2 + len <= MAX_CALL => {
                call.push(Cow::Borrowed(";"));
                call.extend(args);
                size += 2 + len;
            }
            _ => {
                calls.push(args);
                size = len;
            }
        }
    }
    calls
}

/// `arg` as tmux's argument parser must receive it to pass it on unchanged, cut to
/// [`MAX_ARG`] bytes. tmux ends a command at any argument that *ends* with `;` (the `;` is
/// dropped: a title `a;` would be stored as `a`, and a title `;` would leave `set-option`
/// without a value), unless that last `;` is written `\;`. Nothing else in an argument is
/// special there (quotes, `#{…}`, `\`, newlines pass as they are). A cut value does not end
/// in half of a `##` pair.
pub fn literal(arg: &str) -> Cow<'_, str> {
    let mut arg = Cow::Borrowed(arg);
    if arg.len() > MAX_ARG {
        let mut end = MAX_ARG;
        while !arg.is_char_boundary(end) {
            end -= 1;
        }
        let cut = &arg[..end];
        let hashes = cut.len() - cut.trim_end_matches('#').len();
        arg = Cow::Owned(cut[..cut.len() - hashes % 2].to_string());
    }
    match arg.strip_suffix(';') {
        Some(head) => Cow::Owned(format!("{head}\\;")),
        None => arg,
    }
}

/// [`run_tmux`] with a longer `timeout`: a call that may start a server (which reads the
/// user's configuration and plugins first).
pub fn run_tmux_within(
    socket: Option<&str>,
    args: &[&str],
    timeout: Duration,
) -> Result<String, TmuxError> {
    let args: Vec<Cow<str>> = args.iter().map(|a| literal(a)).collect();
    let refs: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    run_with_timeout(socket, &refs, timeout)
}

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

fn run_with_timeout(
    socket: Option<&str>,
    args: &[&str],
    timeout: Duration,
) -> Result<String, TmuxError> {
    let bin = which::which("tmux").map_err(|_| TmuxError::NotInstalled)?;
    let mut cmd = Command::new(bin);
    // Without a UTF-8 locale (an ssh session without PAM, a bare `#()` environment) tmux
    // prints the \x1f separators of otop's formats as `_`; -u keeps them.
    cmd.arg("-u");
    if let Some(s) = socket {
        cmd.arg("-S").arg(s);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => TmuxError::NotInstalled,
            _ => TmuxError::Failed(e.to_string()),
        })?;
    // Pipes are drained on threads: a large capture-pane would otherwise fill the pipe and
    // block tmux while we wait for it to exit.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TmuxError::Timeout);
            }
            Err(e) => return Err(TmuxError::Failed(e.to_string())),
        }
    };
    // A server started by this call may hold our pipes open: do not wait for EOF forever.
    let collect = |rx: mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_millis(200))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let stdout = collect(out);
    if status.success() {
        Ok(stdout)
    } else {
        let stderr = collect(err);
        let line = stderr.lines().next().unwrap_or("").trim().to_string();
        Err(TmuxError::Failed(if line.is_empty() {
            status.to_string()
        } else {
            line
        }))
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    }
    rx
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
