//! One remote call under a deadline: started at once, collected later, so every host's answer
//! and the local collection are waited for together, never one after another.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::config::hosts::Host;

/// The most of a remote call's stderr kept: its last bytes, where ssh and the shell say why.
const MAX_STDERR: usize = 4 << 10;
/// The most of a connection's stderr read at all.
const MAX_STDERR_READ: usize = 1 << 20;

/// A remote call under way.
pub struct Call {
    host: Host,
    child: Option<Child>,
    out: mpsc::Receiver<Result<Vec<u8>, String>>,
    err: mpsc::Receiver<Vec<u8>>,
    deadline: Instant,
    failed: Option<String>,
}

/// Starts `otop ARGS` on `host`; it has until `limit` from now.
pub fn start(host: &Host, args: &[&str], limit: Duration) -> Call {
    let (out_tx, out) = mpsc::channel();
    let (err_tx, err) = mpsc::channel();
    let deadline = Instant::now() + limit;
    let (child, failed) = match super::ssh(host, args).spawn() {
        Ok(mut child) => {
            first_line(child.stdout.take(), out_tx);
            tail(child.stderr.take(), err_tx);
            (Some(child), None)
        }
        Err(e) => (None, Some(format!("cannot run ssh: {e}"))),
    };
    Call {
        host: host.clone(),
        child,
        out,
        err,
        deadline,
        failed,
    }
}

/// Reads the first line a call prints (every answer of otop's is one), at most
/// [`wire::MAX_LINE`](super::wire::MAX_LINE) bytes, on a thread of its own; what follows is
/// never read (the pipe is closed). A longer line is refused, unread.
fn first_line(pipe: Option<impl Read + Send + 'static>, tx: mpsc::Sender<Result<Vec<u8>, String>>) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        let max = super::wire::MAX_LINE;
        let mut reader = BufReader::new(pipe.take(max as u64 + 1));
        let mut buf = Vec::new();
        let _ = reader.read_until(b'\n', &mut buf);
        let _ = tx.send(if buf.len() > max {
            Err(format!("sent a line longer than {} MiB", max >> 20))
        } else {
            Ok(buf)
        });
    });
}

/// Reads a pipe on a thread of its own and sends what [`tail_into`] kept of it.
fn tail(pipe: Option<impl Read + Send + 'static>, tx: mpsc::Sender<Vec<u8>>) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        let kept = Mutex::new(Vec::new());
        tail_into(pipe, &kept);
        let _ = tx.send(kept.into_inner().unwrap_or_else(PoisonError::into_inner));
    });
}

/// Reads a host's stderr until it ends or has said [`MAX_STDERR_READ`] bytes (then it is left
/// unread: a host that floods it blocks on its own writes, costing this side nothing), keeping
/// only the last [`MAX_STDERR`] bytes in `kept`, where ssh and the shell say why they failed.
pub(super) fn tail_into(mut pipe: impl Read, kept: &Mutex<Vec<u8>>) {
    let mut chunk = [0u8; 8192];
    let mut read = 0;
    while read < MAX_STDERR_READ {
        match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                read += n;
                let mut k = kept.lock().unwrap_or_else(PoisonError::into_inner);
                k.extend_from_slice(&chunk[..n]);
                if k.len() > MAX_STDERR {
                    let cut = k.len() - MAX_STDERR;
                    k.drain(..cut);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if read >= MAX_STDERR_READ {
        // Cut off mid-flood: the last whole line is the last thing said.
        let mut k = kept.lock().unwrap_or_else(PoisonError::into_inner);
        let whole = k.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        k.truncate(whole);
    }
}

impl Call {
    /// The first line the call printed, once it exited with status 0; else why it failed, in
    /// one line.
    /// Never waits past the deadline: a call still running then is killed.
    pub fn wait(mut self) -> Result<String, String> {
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
            .map(|e| String::from_utf8_lossy(&e).into_owned())
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
            (_, Some(s)) => Err(super::failure(&self.host, s.code(), &err)),
            (_, None) => Err(format!("no answer within {} s", self.host.timeout)),
        }
    }
}

/// Asks `host` for one snapshot (`otop serve --once` and `extra`), under its timeout.
pub fn snapshot(host: &Host, extra: &[&str]) -> Call {
    let mut args = vec!["serve", "--once"];
    args.extend(extra);
    start(host, &args, host.timeout())
}

impl Call {
    /// [`Call::wait`] for a [`snapshot`] call: the snapshot, its rows on the call's host.
    pub fn snapshot(self) -> Result<super::wire::RemoteSnapshot, String> {
        let name = self.host.name.clone();
        self.wait().and_then(|out| {
            let line = out.lines().next().unwrap_or_default();
            super::wire::decode(line, &name).map_err(|e| e.to_string())
        })
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
