//! One remote call under a deadline: started at once, collected later, so every host's answer
//! and the local collection are waited for together, never one after another.

use std::io::Read;
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::config::hosts::Host;

/// The most a remote call may print; a snapshot of a big fleet is a few hundred KiB.
const MAX_OUTPUT: u64 = 32 << 20;

/// A remote call under way.
pub struct Call {
    host: Host,
    child: Option<Child>,
    out: mpsc::Receiver<Vec<u8>>,
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
            drain(child.stdout.take(), out_tx);
            drain(child.stderr.take(), err_tx);
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

/// Reads a pipe to its end (or [`MAX_OUTPUT`]) on a thread of its own and sends what it read.
fn drain(pipe: Option<impl Read + Send + 'static>, tx: mpsc::Sender<Vec<u8>>) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.take(MAX_OUTPUT).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
}

impl Call {
    /// What the call printed, once it exited with status 0; else why it failed, in one line.
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
            (Ok(out), Some(s)) if s.success() => Ok(String::from_utf8_lossy(&out).into_owned()),
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
