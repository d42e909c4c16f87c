//! The long-lived views' connection to a host: one `otop serve --interval` kept running over
//! one ssh connection, printing a snapshot per refresh, read on a thread of its own. A refresh
//! takes the latest snapshot and costs no handshake; a connection that breaks is tried again,
//! less often the longer the host stays away.

use std::io::{BufRead, BufReader};
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

/// The longest line a snapshot may be.
const MAX_LINE: u64 = 32 << 20;

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
            run(&host, &all, &seen, &child, &stop, &wake);
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
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(err) = err {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    *stderr.lock().unwrap_or_else(PoisonError::into_inner) = line;
                }
            });
        }
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(child);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mut reader = BufReader::new(std::io::Read::take(out, u64::MAX));
        let mut line = String::new();
        let mut refused = false;
        loop {
            line.clear();
            reader.get_mut().set_limit(MAX_LINE);
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if !line.ends_with('\n') => break,
                Ok(_) => {}
            }
            match wire::decode(&line, &host.name) {
                Ok(snap) => {
                    pause = Duration::from_secs(1);
                    set(HostView::Live(snap, now_ms()));
                }
                Err(e @ (WireError::Newer { .. } | WireError::Older { .. })) => {
                    fail(e.to_string());
                    refused = true;
                    break;
                }
                Err(e) => fail(e.to_string()),
            }
        }
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
        if !refused && !silenced {
            // A moment for the stderr reader to see ssh's last words.
            std::thread::sleep(Duration::from_millis(20));
            let err = stderr
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            fail(super::failure(host, code, &err));
        }
        // A refused version does not change by itself: ask again rarely.
        sleep(
            if refused {
                Duration::from_secs(60)
            } else {
                pause
            },
            stop,
        );
        pause = (pause * 2).min(Duration::from_secs(15));
    }
}

/// Sleeps `d`, waking early when asked to stop.
fn sleep(d: Duration, stop: &AtomicBool) {
    let end = std::time::Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
}
