//! One call to tmux: [`run_tmux`] (one command) or [`run_tmux_commands`] (several in one
//! call) name the server, never hang, and hand every argument over literally. Reading tmux's
//! state (`source::tmux`) and acting on it (jump, reply, the status options, the clipboard, the
//! window name) all go through here.

use std::borrow::Cow;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

pub(crate) fn run_with_timeout(
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
