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
pub mod limit;
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
    parts.push(match lock::place(env).map(|p| lock::holder(&p)) {
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
            lock: lock::place(env),
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
    /// How many notes each host may still cause.
    limit: limit::PerHost,
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
            limit: limit::PerHost::default(),
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
            // Another machine's notes are limited per host; this machine's are not.
            let host = row.and_then(|r| r.host.as_deref());
            if host.is_some_and(|h| !self.limit.allow(h, snap.taken_at)) {
                continue;
            }
            d.send(Note::new(told, row, &snap.clients));
        }
        for (host, n) in self.limit.dropping() {
            snap.warnings.push(format!(
                "{host}: too many notifications ({n} dropped; at most {} a minute)",
                60_000 / limit::REFILL_MS
            ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::hosts::{HostState, Seen as HostSeen};
    use crate::model::row::Row;
    use crate::model::state::{State, Status};
    use crate::source::db::types::SessionFacts;

    /// A host reporting 50 new sessions waiting (certain: told at once) every refresh.
    struct Flood(u32);

    impl Source for Flood {
        fn collect(&mut self, _focus: &Focus, now: i64) -> Snapshot {
            let rows = (0..50)
                .map(|_| {
                    self.0 += 1;
                    Row {
                        process: Some(crate::model::row::ProcessRow {
                            info: crate::source::process::types::ProcessInfo {
                                pid: self.0,
                                ..Default::default()
                            },
                            kind: crate::source::process::types::Kind::Tui,
                            cpu_percent: None,
                            owner: None,
                            plugin: true,
                        }),
                        session: Some(SessionFacts {
                            id: format!("ses_{}", self.0),
                            ..SessionFacts::default()
                        }),
                        status: Status::new(State::Waiting, "permission: bash x"),
                        matched: None,
                        tmux: None,
                        unseen: false,
                        certain: true,
                        host: Some("box".into()),
                    }
                })
                .collect();
            Snapshot {
                taken_at: now,
                rows,
                hosts: vec![HostState {
                    name: "box".into(),
                    seen: HostSeen::Answered("9".into()),
                }],
                ..Snapshot::default()
            }
        }
    }

    /// 50 new "certain" sessions every 0.5 s for 30 s start the host's burst and then one
    /// command every 6 s, not 100 a second; the drop is said in one warning line.
    #[test]
    fn a_flooding_host_starts_a_bounded_number_of_commands() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("told");
        let conf = Notify {
            desktop: false,
            tmux: Vec::new(),
            command: vec![
                "sh".into(),
                "-c".into(),
                "echo x >> \"$1\"".into(),
                "sh".into(),
                out.display().to_string(),
            ],
            ..Notify::default()
        };
        let opts = NotifyOptions {
            conf,
            quiet: false,
            marks: None,
            lock: Some(dir.path().join("run/notify.lock")),
            what: "test",
        };
        let mut n = Notifier::new(Flood(0), opts);
        let t0 = 1_800_000_000_000;
        let mut warned = Vec::new();
        for tick in 0..60 {
            let snap = n.collect(&Focus::default(), t0 + tick * 500);
            warned = snap.warnings;
            // Commands finish as they would, one at a time.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        let told = std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .count();
        // Start-up (5 s) counts silently; then the burst, then one every 6 s.
        let most = limit::BURST as usize + (30_000 / limit::REFILL_MS) as usize;
        assert!(told >= 1 && told <= most, "{told} commands, at most {most}");
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].starts_with("box: too many notifications"),
            "{warned:?}"
        );
    }
}
