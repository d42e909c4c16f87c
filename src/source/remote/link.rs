//! The long-lived views' connection to a host: one `otop serve --interval` kept running over
//! one ssh connection, printing a snapshot per refresh, read on a thread of its own. The thread
//! sends what it learns, owned and in order, over a channel; a refresh takes the latest and
//! costs no handshake; a connection that breaks is tried again, less often the longer the host
//! stays away.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, mpsc};
use std::time::{Duration, Instant};

use super::once::{Tail, tail};
use super::{MAX_LINE, Remote, RemoteError, Seen};

/// Asks whoever reads the link to refresh now.
pub type Wake = Arc<dyn Fn() + Send + Sync>;
/// What a line means: a snapshot, or why not ([`RemoteError::Version`] for a format this otop
/// does not read, anything else for a line that is not otop's).
pub type Decode<S> = Box<dyn Fn(&str) -> Result<S, RemoteError> + Send>;
/// This machine's clock, Unix ms.
pub type Clock = fn() -> i64;

/// What the reading thread learnt: a snapshot and when it came (Unix ms), or a failure (its
/// time is the rule's: [`Seen::down`]).
#[derive(Debug)]
enum News<S> {
    Answered(S, i64),
    Failed(RemoteError),
}

/// News a link may hold unread (a view that stops refreshing stops its reader, not its memory).
const NEWS_AHEAD: usize = 8;
/// Lines a connection may print beyond one per interval (a burst after a stall).
const LINES_AHEAD: u32 = 5;
/// Lines that are not snapshots a connection may print before its first (a login banner).
const BANNER_LINES: u32 = 20;
/// How long ssh's stderr may stay open after its stdout closed (a ControlPersist master can
/// hold it): ssh's last words are waited for this long, no longer.
const STDERR_GRACE: Duration = Duration::from_secs(1);

/// One host's running `otop serve`; stopped (ssh killed) when dropped.
pub struct Link<S> {
    /// How long after its last snapshot a host is silent: a refresh and its timeout.
    late: Duration,
    seen: Seen<S>,
    news: mpsc::Receiver<News<S>>,
    /// The running ssh: the reader waits for it, [`Link::latest`] kills a silent one.
    child: Arc<Mutex<Option<Child>>>,
    stop: Arc<AtomicBool>,
    wake: Arc<OnceLock<Wake>>,
}

impl<S: Clone + Send + 'static> Link<S> {
    /// Starts reading `remote` every `interval`; `args` say what to collect there (`serve`'s),
    /// `decode` what a line means, `clock` when news arrives.
    pub fn open(
        remote: Remote,
        interval: Duration,
        args: Vec<String>,
        decode: Decode<S>,
        clock: Clock,
    ) -> Link<S> {
        let (tx, news) = mpsc::sync_channel(NEWS_AHEAD);
        let link = Link {
            late: interval + remote.timeout,
            seen: Seen::Asking { since: clock() },
            news,
            child: Arc::new(Mutex::new(None)),
            stop: Arc::new(AtomicBool::new(false)),
            wake: Arc::new(OnceLock::new()),
        };
        let mut all = vec![
            "serve".to_string(),
            "--interval".into(),
            format!("{}", interval.as_secs_f64()),
        ];
        all.extend(args);
        let reader = Reader {
            remote,
            args: all,
            interval,
            clock,
            tx,
            child: link.child.clone(),
            stop: link.stop.clone(),
            wake: link.wake.clone(),
            last: None,
        };
        std::thread::spawn(move || reader.run(&decode));
        link
    }

    /// Asks the view to refresh when the host comes or goes (not on every snapshot: the
    /// view's own interval picks those up). The first waker given is kept.
    pub fn wake_with(&mut self, wake: Wake) {
        let _ = self.wake.set(wake);
    }

    /// What the host looks like at `now`: the reader's news in order, then aged (a host
    /// silent for longer than a refresh and its timeout is down, and its connection is killed,
    /// so the reader connects again).
    pub fn latest(&mut self, now: i64) -> Seen<S> {
        let mut seen = std::mem::replace(&mut self.seen, Seen::Asking { since: now });
        while let Ok(news) = self.news.try_recv() {
            seen = match news {
                News::Answered(with, at) => Seen::Answered { with, at },
                News::Failed(why) => seen.down(why),
            };
        }
        let was_down = seen.is_down();
        seen = seen.aged(now, self.late);
        if !was_down
            && seen.is_down()
            && let Some(c) = lock(&self.child).as_mut()
        {
            let _ = c.kill();
        }
        self.seen = seen;
        self.seen.clone()
    }
}

impl<S> Drop for Link<S> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(mut c) = lock(&self.child).take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The reading thread's side of a [`Link`].
struct Reader<S> {
    remote: Remote,
    args: Vec<String>,
    interval: Duration,
    clock: Clock,
    tx: mpsc::SyncSender<News<S>>,
    child: Arc<Mutex<Option<Child>>>,
    stop: Arc<AtomicBool>,
    wake: Arc<OnceLock<Wake>>,
    /// Whether the last news told was an answer: a change wakes the view.
    last: Option<bool>,
}

/// A connection started: its stdout, and its stderr's reader's result to come.
struct Connection {
    out: ChildStdout,
    stderr: mpsc::Receiver<Tail>,
}

impl<S: Send + 'static> Reader<S> {
    /// Connects, reads snapshots until the connection ends, waits, connects again; until
    /// stopped (or the link is gone).
    fn run(mut self, decode: &Decode<S>) {
        let mut pause = Pause::default();
        while !self.stopped() {
            let ended = match self.connect() {
                Ok(c) => self.read(c, decode),
                Err(why) => {
                    self.tell(Err(why));
                    Ended::NoSsh
                }
            };
            if self.stopped() {
                break;
            }
            sleep(pause.after(&ended), &self.stop);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Starts ssh, its stderr read on a thread of its own.
    fn connect(&self) -> Result<Connection, RemoteError> {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let mut child = super::ssh(&self.remote, &args)
            .spawn()
            .map_err(|e| RemoteError::NoSsh(e.to_string()))?;
        let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RemoteError::NoSsh("no pipe to ssh".into()));
        };
        let (tx, stderr) = mpsc::channel();
        tail(err, tx);
        *lock(&self.child) = Some(child);
        Ok(Connection { out, stderr })
    }

    /// Reads one connection to its end, and tells how it ended.
    fn read(&mut self, c: Connection, decode: &Decode<S>) -> Ended {
        let (ended, live) = read_snapshots(c.out, self.interval, decode, &mut |r| self.tell(r));
        if matches!(ended, Ended::Closed) {
            // ssh ended by itself (or was killed as silent): why, in its last words.
            let why = ended_with(&self.child, &c.stderr, &self.remote);
            self.tell(Err(why));
        } else {
            // Ended here (said already): stop it.
            if let Some(mut child) = lock(&self.child).take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        match ended {
            Ended::Closed if live => Ended::Live,
            other => other,
        }
    }

    /// Sends news to the link (stopping when the link is gone), waking the view when the host
    /// came or went.
    fn tell(&mut self, r: Result<S, RemoteError>) {
        let answered = r.is_ok();
        let news = match r {
            Ok(s) => News::Answered(s, (self.clock)()),
            Err(why) => News::Failed(why),
        };
        if self.tx.send(news).is_err() {
            self.stop.store(true, Ordering::Relaxed);
            return;
        }
        if self.last != Some(answered) {
            self.last = Some(answered);
            if let Some(w) = self.wake.get() {
                w();
            }
        }
    }
}

/// Why a connection that closed by itself ended: ssh's status and its last words. The words are
/// waited for (the stderr reader sends them once the pipe closes, which ssh does as it exits),
/// so they are never lost to the reader being a moment late.
fn ended_with(
    child: &Mutex<Option<Child>>,
    stderr: &mpsc::Receiver<Tail>,
    remote: &Remote,
) -> RemoteError {
    let tail = stderr.recv_timeout(STDERR_GRACE).unwrap_or_default();
    let code = lock(child)
        .take()
        .and_then(|mut c| {
            // A stderr closed is ssh exiting: its status is a moment away. Else stop it.
            if !tail.closed {
                let _ = c.kill();
            }
            c.wait().ok()
        })
        .and_then(|s| s.code());
    super::failure(remote, code, &String::from_utf8_lossy(&tail.kept))
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ended {
    /// ssh could not be started.
    NoSsh,
    /// It closed (or broke).
    Closed,
    /// It closed after snapshots came.
    Live,
    /// Its otop's format is not this one's.
    Refused,
    /// It sent what no otop sends: a line over [`MAX_LINE`], more lines than asked for,
    /// something other than snapshots once they started (told already); whether snapshots came.
    Misbehaved(bool),
}

/// How long to wait before connecting again, from how the connections ended.
struct Pause {
    /// After a connection that closed: 1 s, doubling up to 15 s, 1 s again after a live one.
    next: Duration,
    /// Connections in a row that ended with the host misbehaving.
    strikes: u32,
}

impl Default for Pause {
    fn default() -> Self {
        Pause {
            next: Duration::from_secs(1),
            strikes: 0,
        }
    }
}

impl Pause {
    fn after(&mut self, ended: &Ended) -> Duration {
        if matches!(ended, Ended::Live | Ended::Misbehaved(true)) {
            self.next = Duration::from_secs(1);
        }
        if matches!(ended, Ended::Live) {
            self.strikes = 0;
        }
        let wait = match ended {
            Ended::NoSsh => Duration::from_secs(30),
            // A refused version does not change by itself: ask again rarely.
            Ended::Refused => Duration::from_secs(60),
            // A host that misbehaved is asked again less and less often, up to every 10 min.
            Ended::Misbehaved(_) => {
                self.strikes = self.strikes.saturating_add(1);
                Duration::from_secs(30)
                    .saturating_mul(1 << self.strikes.min(5))
                    .min(Duration::from_secs(600))
            }
            Ended::Closed | Ended::Live => self.next,
        };
        self.next = (self.next * 2).min(Duration::from_secs(15));
        wait
    }
}

/// Reads a connection's snapshots until it ends (and whether one came), bounded in every
/// dimension: a line is read up to [`MAX_LINE`] and no further; at most two lines an interval
/// are decoded (the others are dropped undecoded); a connection that prints more than one line
/// an interval (beyond a burst of [`LINES_AHEAD`]), or anything but snapshots after the first,
/// is ended. Each snapshot, and each thing wrong, is told.
fn read_snapshots<S>(
    out: impl Read,
    interval: Duration,
    decode: &dyn Fn(&str) -> Result<S, RemoteError>,
    tell: &mut dyn FnMut(Result<S, RemoteError>),
) -> (Ended, bool) {
    let max = MAX_LINE as u64;
    let mut reader = BufReader::new(out.take(0));
    let mut line = Vec::new();
    let mut lines: u32 = 0;
    let mut junk: u32 = 0;
    let mut live_since: Option<Instant> = None;
    let mut decoded: Option<Instant> = None;
    loop {
        let live = live_since.is_some();
        line.clear();
        reader.get_mut().set_limit(max + 1);
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return (Ended::Closed, live),
            Ok(_) if line.len() as u64 > max => {
                tell(Err(RemoteError::LineTooLong));
                return (Ended::Misbehaved(live), live);
            }
            Ok(_) if !line.ends_with(b"\n") => return (Ended::Closed, live),
            Ok(_) => {}
        }
        // Once snapshots come, one an interval, and a burst after a stall.
        if let Some(since) = live_since {
            lines += 1;
            let intervals = since.elapsed().as_secs_f64() / interval.as_secs_f64().max(0.01);
            if f64::from(lines) > intervals.floor() + f64::from(LINES_AHEAD) {
                tell(Err(RemoteError::TooFast {
                    lines,
                    secs: since.elapsed().as_secs_f64(),
                }));
                return (Ended::Misbehaved(true), true);
            }
            // A line soon after the last decoded one is not worth decoding.
            if decoded.is_some_and(|at| at.elapsed() < interval / 2) {
                continue;
            }
        }
        match decode(&String::from_utf8_lossy(&line)) {
            Ok(snap) => {
                let now = Instant::now();
                decoded = Some(now);
                if live_since.is_none() {
                    live_since = Some(now);
                    lines = 1;
                }
                tell(Ok(snap));
            }
            Err(e @ RemoteError::Version(_)) => {
                tell(Err(e));
                return (Ended::Refused, live);
            }
            Err(e) => {
                junk += 1;
                tell(Err(e));
                if live || junk > BANNER_LINES {
                    return (Ended::Misbehaved(live), live);
                }
            }
        }
    }
}

/// Sleeps `d`, waking early when asked to stop.
fn sleep(d: Duration, stop: &AtomicBool) {
    let end = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests;
