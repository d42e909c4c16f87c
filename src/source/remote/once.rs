//! One remote call under a deadline: started at once, collected later, so every host's answer
//! and the local collection are waited for together, never one after another.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{MAX_LINE, Remote, RemoteError};

/// The most of a remote call's stderr kept: its last bytes, where ssh and the shell say why.
const MAX_STDERR: usize = 4 << 10;
/// The most of a connection's stderr read at all.
const MAX_STDERR_READ: usize = 1 << 20;

/// A remote call under way.
pub struct Call {
    remote: Remote,
    child: Option<Child>,
    out: mpsc::Receiver<Result<Vec<u8>, RemoteError>>,
    err: mpsc::Receiver<Tail>,
    deadline: Instant,
    failed: Option<RemoteError>,
}

/// Starts `otop ARGS` on `remote`; it has until `limit` from now.
pub fn start(remote: &Remote, args: &[&str], limit: Duration) -> Call {
    start_with(remote, args, limit, None)
}

/// [`start`], with `input` on the remote command's stdin (then closed): data, never shell text.
pub fn start_with(remote: &Remote, args: &[&str], limit: Duration, input: Option<Vec<u8>>) -> Call {
    let (out_tx, out) = mpsc::channel();
    let (err_tx, err) = mpsc::channel();
    let deadline = Instant::now() + limit;
    let mut command = super::ssh(remote, args);
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let (child, failed) = match command.spawn() {
        Ok(mut child) => {
            if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
                // On a thread: a host that does not read cannot hold this side.
                std::thread::spawn(move || {
                    let _ = stdin.write_all(&input);
                });
            }
            first_line(child.stdout.take(), out_tx);
            if let Some(pipe) = child.stderr.take() {
                tail(pipe, err_tx);
            }
            (Some(child), None)
        }
        Err(e) => (None, Some(RemoteError::NoSsh(e.to_string()))),
    };
    Call {
        remote: remote.clone(),
        child,
        out,
        err,
        deadline,
        failed,
    }
}

/// Reads the first line a call prints (every answer of otop's is one), at most [`MAX_LINE`]
/// bytes, on a thread of its own; what follows is never read (the pipe is closed). A longer
/// line is refused, unread.
fn first_line(
    pipe: Option<impl Read + Send + 'static>,
    tx: mpsc::Sender<Result<Vec<u8>, RemoteError>>,
) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe.take(MAX_LINE as u64 + 1));
        let mut buf = Vec::new();
        let _ = reader.read_until(b'\n', &mut buf);
        let _ = tx.send(if buf.len() > MAX_LINE {
            Err(RemoteError::LineTooLong)
        } else {
            Ok(buf)
        });
    });
}

/// What was kept of a host's stderr, once its reader is done.
#[derive(Debug, Default)]
pub(super) struct Tail {
    /// The last [`MAX_STDERR`] bytes read.
    pub kept: Vec<u8>,
    /// Whether the pipe was read to its end (the writer closed it: ssh is exiting), rather
    /// than left unread after [`MAX_STDERR_READ`] bytes.
    pub closed: bool,
}

/// Reads `pipe` with [`tail_of`] on a thread of its own and sends the result, owned, once the
/// pipe ends: the one who waits for it knows it has everything ssh said.
pub(super) fn tail(pipe: impl Read + Send + 'static, tx: mpsc::Sender<Tail>) {
    std::thread::spawn(move || {
        let _ = tx.send(tail_of(pipe));
    });
}

/// Reads a host's stderr until it ends or has said [`MAX_STDERR_READ`] bytes (then it is left
/// unread: a host that floods it blocks on its own writes, costing this side nothing), keeping
/// only the last [`MAX_STDERR`] bytes, where ssh and the shell say why they failed.
pub(super) fn tail_of(mut pipe: impl Read) -> Tail {
    let mut chunk = [0u8; 8192];
    let mut read = 0;
    let mut t = Tail::default();
    while read < MAX_STDERR_READ {
        match pipe.read(&mut chunk) {
            Ok(0) => {
                t.closed = true;
                break;
            }
            Ok(n) => {
                read += n;
                t.kept.extend_from_slice(&chunk[..n]);
                if t.kept.len() > MAX_STDERR {
                    let cut = t.kept.len() - MAX_STDERR;
                    t.kept.drain(..cut);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if !t.closed && read >= MAX_STDERR_READ {
        // Cut off mid-flood: the last whole line is the last thing said.
        let whole = t
            .kept
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        t.kept.truncate(whole);
    }
    t
}

impl Call {
    /// The first line the call printed, once it exited with status 0; else why it failed.
    /// Never waits past the deadline: a call still running then is killed.
    pub fn wait(mut self) -> Result<String, RemoteError> {
        if let Some(why) = self.failed.take() {
            return Err(why);
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        let out = self.out.recv_timeout(left);
        let mut status = None;
        if let Some(child) = self.child.as_mut() {
            // stdout closed: the exit is a moment away. Looked at once at least, even past
            // the deadline (another host's wait may have used the time).
            loop {
                if let Ok(Some(s)) = child.try_wait() {
                    status = Some(s);
                    break;
                }
                if Instant::now() >= self.deadline + Duration::from_millis(100) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        // stderr may be held open by a ControlPersist master ssh left behind: a moment, no more.
        let err = self
            .err
            .recv_timeout(Duration::from_millis(50))
            .map(|t| String::from_utf8_lossy(&t.kept).into_owned())
            .unwrap_or_default();
        match (out, status) {
            (Ok(Err(why)), _) => Err(why),
            // 141 (128 + SIGPIPE): the host kept printing after its first line and died of the
            // pipe closed on it; that line is its answer, for the caller to judge.
            (Ok(Ok(out)), Some(s))
                if s.success() || (s.code() == Some(141) && out.ends_with(b"\n")) =>
            {
                Ok(String::from_utf8_lossy(&out).into_owned())
            }
            (_, Some(s)) => Err(super::failure(&self.remote, s.code(), &err)),
            (_, None) => Err(RemoteError::TimedOut(self.remote.timeout.as_secs_f64())),
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if !matches!(c.try_wait(), Ok(Some(_))) {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
    }
}
