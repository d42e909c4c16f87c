//! The long-lived views' connection to a host: one `otop serve --interval` kept running over
//! one ssh connection, printing a snapshot per refresh, read on a thread of its own. A refresh
//! takes the latest snapshot and costs no handshake; a connection that breaks is tried again,
//! less often the longer the host stays away.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::wire::{self, RemoteSnapshot, WireError};
use crate::collect::{Waker, now_ms};
use crate::config::hosts::Host;

/// What a view knows of a host.
#[derive(Debug, Clone, PartialEq)]
pub enum HostView {
    /// Asked, no answer yet (since, Unix ms).
    Asking(i64),
    /// Its latest snapshot and when it arrived (Unix ms, this machine's clock).
    Live(RemoteSnapshot, i64),
    /// Not reachable since (Unix ms), and why.
    Down(i64, String),
}

impl HostView {
    /// After a failure: down since the first failure of this stretch.
    fn down(&self, now: i64, why: String) -> HostView {
        let since = match self {
            HostView::Down(since, _) => *since,
            HostView::Asking(since) => *since,
            HostView::Live(_, _) => now,
        };
        HostView::Down(since, why)
    }
}

/// One host's running `otop serve`; stopped (ssh killed) when dropped.
pub struct Link {
    host: Host,
    interval: Duration,
    seen: Arc<Mutex<HostView>>,
    child: Arc<Mutex<Option<Child>>>,
    stop: Arc<AtomicBool>,
    wake: Arc<Mutex<Option<Waker>>>,
}

/// Lines a connection may print beyond one per interval (a burst after a stall).
const LINES_AHEAD: u32 = 5;
/// Lines that are not snapshots a connection may print before its first (a login banner).
const BANNER_LINES: u32 = 20;

impl Link {
    /// Starts reading `host` every `interval`; `args` say what to collect there (`serve`'s).
    pub fn open(host: Host, interval: Duration, args: Vec<String>) -> Link {
        let link = Link {
            host,
            interval,
            seen: Arc::new(Mutex::new(HostView::Asking(now_ms()))),
            child: Arc::new(Mutex::new(None)),
            stop: Arc::new(AtomicBool::new(false)),
            wake: Arc::new(Mutex::new(None)),
        };
        let (host, seen, child, stop, wake) = (
            link.host.clone(),
            link.seen.clone(),
            link.child.clone(),
            link.stop.clone(),
            link.wake.clone(),
        );
        let secs = format!("{}", interval.as_secs_f64());
        std::thread::spawn(move || {
            let mut all = vec!["serve", "--interval", secs.as_str()];
            all.extend(args.iter().map(String::as_str));
            run(&host, interval, &all, &seen, &child, &stop, &wake);
        });
        link
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Asks the view to refresh when the host comes or goes (not on every snapshot: the
    /// view's own interval picks those up).
    pub fn wake_with(&mut self, wake: Waker) {
        *self.wake.lock().unwrap_or_else(PoisonError::into_inner) = Some(wake);
    }

    /// What the host looks like now: its latest snapshot, unless none came for longer than a
    /// refresh and the host's timeout (then it is down, and its connection is started again).
    pub fn latest(&self, now: i64) -> HostView {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let late = self.interval + self.host.timeout();
        let late_ms = i64::try_from(late.as_millis()).unwrap_or(i64::MAX);
        let stale = match &*seen {
            HostView::Live(_, at) => now.saturating_sub(*at) > late_ms,
            HostView::Asking(since) => now.saturating_sub(*since) > late_ms,
            HostView::Down(..) => false,
        };
        if stale {
            let why = format!(
                "no answer for {} s",
                (late.as_secs_f64() * 10.0).round() / 10.0
            );
            let at = match &*seen {
                HostView::Live(_, at) => *at,
                _ => now,
            };
            *seen = HostView::Down(at, why);
            // The reading thread sees its pipe close and connects again.
            if let Some(c) = self
                .child
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
            {
                let _ = c.kill();
            }
        }
        seen.clone()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(mut c) = self
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Connects, reads snapshots until the connection ends, waits, connects again; until stopped.
fn run(
    host: &Host,
    interval: Duration,
    args: &[&str],
    seen: &Mutex<HostView>,
    slot: &Mutex<Option<Child>>,
    stop: &AtomicBool,
    wake: &Mutex<Option<Waker>>,
) {
    let set = |v: HostView| {
        let mut s = seen.lock().unwrap_or_else(PoisonError::into_inner);
        let news = std::mem::discriminant(&*s) != std::mem::discriminant(&v);
        *s = v;
        drop(s);
        if news && let Some(w) = wake.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
            w();
        }
    };
    let fail = |why: String| {
        let now = now_ms();
        let v = seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .down(now, why);
        set(v);
    };
    let mut pause = Duration::from_secs(1);
    // Connections in a row that ended with the host misbehaving.
    let mut strikes: u32 = 0;
    while !stop.load(Ordering::Relaxed) {
        let mut child = match super::ssh(host, args).spawn() {
            Ok(c) => c,
            Err(e) => {
                fail(format!("cannot run ssh: {e}"));
                sleep(Duration::from_secs(30), stop);
                continue;
            }
        };
        let (Some(out), err) = (child.stdout.take(), child.stderr.take()) else {
            return;
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(err) = err {
            let stderr = stderr.clone();
            std::thread::spawn(move || super::once::tail_into(err, &stderr));
        }
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(child);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let (ended, live) = read_snapshots(out, interval, &host.name, &set, &fail);
        if live {
            pause = Duration::from_secs(1);
            if !matches!(ended, Ended::Misbehaved) {
                strikes = 0;
            }
        }
        let refused = matches!(ended, Ended::Refused);
        let misbehaved = matches!(ended, Ended::Misbehaved);
        let code = slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .and_then(|mut c| {
                let _ = c.kill();
                c.wait().ok()
            })
            .and_then(|s| s.code());
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // Killed by a signal while already down: `latest` found it silent and killed it, and
        // its "no answer for N s" says more than "ssh was killed".
        let silenced = code.is_none()
            && matches!(
                *seen.lock().unwrap_or_else(PoisonError::into_inner),
                HostView::Down(..)
            );
        if !refused && !silenced && !misbehaved {
            // A moment for the stderr reader to see ssh's last words.
            std::thread::sleep(Duration::from_millis(20));
            let err =
                String::from_utf8_lossy(&stderr.lock().unwrap_or_else(PoisonError::into_inner))
                    .into_owned();
            fail(super::failure(host, code, &err));
        }
        // A refused version does not change by itself: ask again rarely. A host that
        // misbehaved is asked again less and less often, up to every 10 minutes.
        let wait = if refused {
            Duration::from_secs(60)
        } else if misbehaved {
            strikes = strikes.saturating_add(1);
            Duration::from_secs(30)
                .saturating_mul(1 << strikes.min(5))
                .min(Duration::from_secs(600))
        } else {
            pause
        };
        sleep(wait, stop);
        pause = (pause * 2).min(Duration::from_secs(15));
    }
}

/// How a connection's output ended.
enum Ended {
    /// It closed (or broke).
    Closed,
    /// Its otop's format is not this one's.
    Refused,
    /// It sent what no otop sends: a line over [`wire::MAX_LINE`], more lines than asked for,
    /// something other than snapshots once they started. Said (`fail`) already.
    Misbehaved,
}

/// Reads a connection's snapshots until it ends (and whether one came), bounded in every dimension: a line is read up
/// to [`wire::MAX_LINE`] and no further; at most two lines an interval are decoded (the others
/// are dropped unread by the decoder); a connection that prints more than one line an interval
/// (beyond a burst of [`LINES_AHEAD`]), or anything but snapshots after the first, is ended.
fn read_snapshots(
    out: impl Read,
    interval: Duration,
    host: &str,
    set: &dyn Fn(HostView),
    fail: &dyn Fn(String),
) -> (Ended, bool) {
    let max = wire::MAX_LINE as u64;
    let mut reader = BufReader::new(out.take(0));
    let mut line = Vec::new();
    let mut lines: u32 = 0;
    let mut junk: u32 = 0;
    let mut live_since: Option<std::time::Instant> = None;
    let mut decoded: Option<std::time::Instant> = None;
    loop {
        line.clear();
        reader.get_mut().set_limit(max + 1);
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return (Ended::Closed, live_since.is_some()),
            Ok(_) if line.len() as u64 > max => {
                fail(format!("sent a line longer than {} MiB", max >> 20));
                return (Ended::Misbehaved, live_since.is_some());
            }
            Ok(_) if !line.ends_with(b"\n") => return (Ended::Closed, live_since.is_some()),
            Ok(_) => {}
        }
        // Once snapshots come, one an interval, and a burst after a stall.
        if let Some(since) = live_since {
            lines += 1;
            let intervals = since.elapsed().as_secs_f64() / interval.as_secs_f64().max(0.01);
            if f64::from(lines) > intervals.floor() + f64::from(LINES_AHEAD) {
                fail(format!(
                    "sends snapshots faster than asked ({lines} lines in {:.1} s)",
                    since.elapsed().as_secs_f64()
                ));
                return (Ended::Misbehaved, true);
            }
            // A line soon after the last decoded one is not worth decoding.
            if decoded.is_some_and(|at| at.elapsed() < interval / 2) {
                continue;
            }
        }
        let text = String::from_utf8_lossy(&line);
        match wire::decode(&text, host) {
            Ok(snap) => {
                let now = std::time::Instant::now();
                decoded = Some(now);
                if live_since.is_none() {
                    live_since = Some(now);
                    lines = 1;
                }
                set(HostView::Live(snap, now_ms()));
            }
            Err(e @ (WireError::Newer { .. } | WireError::Older { .. })) => {
                fail(e.to_string());
                return (Ended::Refused, live_since.is_some());
            }
            Err(e) => {
                junk += 1;
                fail(e.to_string());
                if live_since.is_some() || junk > BANNER_LINES {
                    return (Ended::Misbehaved, live_since.is_some());
                }
            }
        }
    }
}

/// Sleeps `d`, waking early when asked to stop.
fn sleep(d: Duration, stop: &AtomicBool) {
    let end = std::time::Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn snapshot_line() -> String {
        let snap = crate::collect::demo::snapshot(&crate::collect::Focus::default(), 1);
        format!("{}\n", wire::encode(&snap))
    }

    /// Reads `input` as a connection's output; what the host was shown as, in order.
    fn read(input: impl Read, interval: Duration) -> (Ended, bool, Vec<String>) {
        let said = RefCell::new(Vec::new());
        let set = |v: HostView| {
            said.borrow_mut().push(match v {
                HostView::Live(..) => "live".to_string(),
                other => format!("{other:?}"),
            })
        };
        let fail = |why: String| said.borrow_mut().push(why);
        let (ended, live) = read_snapshots(input, interval, "box", &set, &fail);
        (ended, live, said.into_inner())
    }

    /// Lines, each after a pause (a host printing at its own pace).
    struct Paced(Vec<String>, Duration, usize);
    impl Read for Paced {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some(line) = self.0.first_mut() else {
                return Ok(0);
            };
            if self.2 == 0 {
                std::thread::sleep(self.1);
            }
            let n = buf.len().min(line.len() - self.2);
            buf[..n].copy_from_slice(&line.as_bytes()[self.2..self.2 + n]);
            self.2 += n;
            if self.2 == line.len() {
                self.0.remove(0);
                self.2 = 0;
            }
            Ok(n)
        }
    }

    /// A host printing snapshots as fast as the pipe takes them is cut off after the burst
    /// allowed, having had one decoded.
    #[test]
    fn a_host_faster_than_asked_is_ended() {
        let flood = snapshot_line().repeat(200);
        let (ended, live, said) = read(flood.as_bytes(), Duration::from_secs(1));
        assert!(matches!(ended, Ended::Misbehaved) && live);
        assert_eq!(said.iter().filter(|s| *s == "live").count(), 1, "{said:?}");
        assert!(
            said.last().unwrap().contains("faster than asked"),
            "{said:?}"
        );
        // At its pace, every snapshot is taken, however many.
        let paced = Paced(vec![snapshot_line(); 12], Duration::from_millis(20), 0);
        let (ended, live, said) = read(paced, Duration::from_millis(20));
        assert!(matches!(ended, Ended::Closed) && live, "{said:?}");
        assert!(said.iter().all(|s| s == "live"), "{said:?}");
    }

    /// A line longer than the bound is not read to its end, and ends the connection.
    #[test]
    fn a_line_too_long_is_not_read() {
        /// An endless line, counting what was read of it.
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                buf.fill(b'x');
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        let mut endless = Endless(0);
        let (ended, _, said) = read(&mut endless, Duration::from_secs(1));
        assert!(matches!(ended, Ended::Misbehaved));
        assert!(said.last().unwrap().contains("longer than 8 MiB"));
        assert!(
            endless.0 <= wire::MAX_LINE as u64 + 16 * 1024,
            "read {}",
            endless.0
        );
    }

    /// Lines before the first snapshot may be a login banner; anything else once snapshots
    /// came is not otop's, and ends the connection.
    #[test]
    fn a_banner_is_forgiven_garbage_after_snapshots_is_not() {
        let one = snapshot_line();
        let banner = format!("Welcome to box\n\n{one}");
        let (ended, live, said) = read(banner.as_bytes(), Duration::from_millis(1));
        assert!(matches!(ended, Ended::Closed) && live, "{said:?}");
        assert_eq!(said.last().map(String::as_str), Some("live"));
        let garbage = Paced(
            vec![one.clone(), "garbage\n".into(), one],
            Duration::from_millis(20),
            0,
        );
        let (ended, _, said) = read(garbage, Duration::from_millis(10));
        assert!(matches!(ended, Ended::Misbehaved), "{said:?}");
        let junk = "junk\n".repeat(100);
        let (ended, live, _) = read(junk.as_bytes(), Duration::from_millis(1));
        assert!(matches!(ended, Ended::Misbehaved) && !live);
    }
}
