//! Acting on what otop sees, from the long-lived processes (`otop watch --tmux` and the
//! monitor): notifications when a session starts waiting, errors or finishes, and the unseen
//! marks. [`Notifier`] wraps their source: every snapshot passes through
//! [`model::transition`](crate::model::transition); each such process keeps the marks
//! ([`crate::source::unseen`]: setting and clearing them is the same in every process, and
//! the file's lock orders the writes), and the one process per user that holds the lock of
//! [`lock`] delivers what is to be told ([`deliver`]). The companion plugin's files are watched
//! ([`watch`]) so its reports wake a refresh at once.

pub mod deliver;
pub mod desktop;
pub mod lock;
pub mod watch;

use std::path::PathBuf;

use crate::collect::{Focus, Snapshot, Source, Waker};
use crate::config::Notify;
use crate::jump::in_front;
use crate::model::select;
use crate::model::transition::{Rules, Seen, Tracker};
use crate::model::unseen::mark_rows;
use crate::source::unseen;
use deliver::{Deliverer, Note};
use lock::Owner;

/// What `otop doctor` says of notifications: whether they can be delivered, and who sends
/// them (true: nothing is wrong).
pub fn check(conf: &Notify, env: &crate::paths::Env) -> (bool, String) {
    if !conf.any() {
        return (true, "off: [notify] turns no channel on".into());
    }
    let mut ok = true;
    let mut parts = Vec::new();
    parts.push(match env.notify_lock().map(|p| lock::holder(&p)) {
        Some(lock::Holder::Held(who)) => match who.split_once(' ') {
            Some((pid, what)) => format!("sent by {what} (pid {pid})"),
            None => format!("sent by pid {who}"),
        },
        Some(lock::Holder::Nobody) => {
            "nobody sends them now (`otop watch --tmux` and the monitor do)".into()
        }
        Some(lock::Holder::Unreadable(e)) => {
            ok = false;
            format!("the lock cannot be read: {e}")
        }
        None => {
            ok = false;
            "no HOME or XDG_RUNTIME_DIR: no process can send them".into()
        }
    });
    // On by default, so a machine without a desktop (a server reached over ssh) is no mistake:
    // said, not flagged.
    if conf.desktop {
        parts.push(match desktop::service() {
            Ok(s) => format!("desktop: {s}"),
            Err(e) => format!("desktop: no notification service answers ({e}); none is shown"),
        });
    }
    if !conf.tmux.is_empty() {
        let names: Vec<&str> = conf.tmux.iter().map(|t| t.as_str()).collect();
        parts.push(format!("tmux: {}", names.join(", ")));
    }
    if let Some(prog) = conf.command.first() {
        match which::which(prog) {
            Ok(_) => parts.push(format!("command: {prog}")),
            Err(_) => {
                ok = false;
                parts.push(format!("command: {prog} is not found"));
            }
        }
    }
    let on: Vec<&str> = conf.on.iter().map(|k| k.as_str()).collect();
    parts.push(format!("on {}", on.join(", ")));
    (ok, parts.join("; "))
}

/// How a [`Notifier`] runs.
#[derive(Debug, Clone)]
pub struct NotifyOptions {
    /// `[notify]`.
    pub conf: Notify,
    /// Deliver nothing (`--no-notify`), and leave sending to another process; the marks are
    /// still kept.
    pub quiet: bool,
    /// The unseen marks' file.
    pub marks: Option<PathBuf>,
    /// The lock of the process that sends.
    pub lock: Option<PathBuf>,
    /// This process, as the lock file names it.
    pub what: &'static str,
}

impl NotifyOptions {
    pub fn new(conf: &Notify, env: &crate::paths::Env, what: &'static str) -> NotifyOptions {
        NotifyOptions {
            conf: conf.clone(),
            quiet: false,
            marks: env.unseen_file(),
            lock: env.notify_lock(),
            what,
        }
    }
}

/// A source whose snapshots are watched for news.
pub struct Notifier<S: Source> {
    inner: S,
    tracker: Tracker,
    owner: Owner,
    deliverer: Option<Deliverer>,
    opts: NotifyOptions,
    watch: Option<watch::PluginWatch>,
    /// The hosts that answered the last refresh.
    answering: std::collections::HashSet<String>,
}

impl<S: Source> Notifier<S> {
    pub fn new(inner: S, opts: NotifyOptions) -> Notifier<S> {
        let rules = Rules {
            hold_ms: (opts.conf.hold_secs * 1000.0) as i64,
            ..Rules::default()
        };
        let deliver = !opts.quiet && opts.conf.any();
        Notifier {
            inner,
            tracker: Tracker::new(rules),
            owner: Owner::new(opts.lock.clone(), opts.what),
            deliverer: deliver.then(|| Deliverer::start(opts.conf.clone())),
            opts,
            watch: None,
            answering: Default::default(),
        }
    }

    /// When a state now pending will have held long enough to be told (Unix ms): a caller
    /// that waits between refreshes can wake then.
    pub fn next_deadline(&self) -> Option<i64> {
        self.tracker.next_deadline()
    }

    /// Looks at one snapshot: tells what is news and keeps the marks, if this process is the
    /// one that sends; sets the rows' marks as they now are.
    fn look(&mut self, snap: &mut Snapshot) {
        if let Some(w) = &mut self.watch {
            w.follow(&snap.plugin_dirs);
        }
        let rows: Vec<&crate::model::row::Row> =
            snap.rows.iter().filter(|r| select::is_session(r)).collect();
        // A host that just answered brings sessions in the states they held while it was away.
        let answering: std::collections::HashSet<String> = snap
            .hosts
            .iter()
            .filter(|h| h.answered())
            .map(|h| h.name.clone())
            .collect();
        let first_look = |r: &crate::model::row::Row| {
            r.host.as_ref().is_some_and(|h| !self.answering.contains(h))
        };
        let seen: Vec<Seen> = rows
            .iter()
            .filter_map(|r| {
                Some(Seen {
                    session: r.session_id()?,
                    status: &r.status,
                    certain: r.certain,
                    in_front: r.tmux.as_ref().is_some_and(|t| in_front(t, &snap.in_front)),
                    first_look: first_look(r),
                })
            })
            .collect();
        let out = self.tracker.observe(&seen, snap.taken_at);
        self.answering = answering;
        if let Some(path) = &self.opts.marks {
            let marked = |c: &String| snap.marks.contains_key(c);
            if (!out.mark.is_empty() || out.clear.iter().any(marked))
                && let Ok(marks) = unseen::update(path, |m| {
                    for c in &out.clear {
                        m.remove(c);
                    }
                    m.extend(out.mark.iter().cloned());
                })
            {
                mark_rows(&mut snap.rows, &marks);
                snap.marks = marks;
            }
        }
        let Some(d) = &self.deliverer else { return };
        // Only a process that delivers competes for the lock.
        if !self.owner.try_own() {
            return;
        }
        for told in out
            .tell
            .iter()
            .filter(|t| self.opts.conf.on.contains(&t.kind))
        {
            let row = snap
                .rows
                .iter()
                .find(|r| select::is_session(r) && r.session_id() == Some(told.session.as_str()));
            d.send(Note::new(told, row, &snap.clients));
        }
    }
}

impl<S: Source> Source for Notifier<S> {
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        let mut snap = self.inner.collect(focus, now);
        self.look(&mut snap);
        snap
    }

    fn wake_with(&mut self, wake: Waker) {
        self.inner.wake_with(wake.clone());
        self.watch = Some(watch::PluginWatch::new(wake));
    }

    fn prime_cpu(&mut self) -> bool {
        self.inner.prime_cpu()
    }

    fn answer(
        &mut self,
        order: &crate::reply::Order,
        now: i64,
    ) -> Result<String, crate::error::Error> {
        self.inner.answer(order, now)
    }
}
