//! Acting on what otop sees, from the long-lived processes (`otop watch --tmux` and the
//! monitor): notifications when a session starts waiting, errors or finishes, and the unseen
//! marks. [`Notifier::after`] runs on each of their snapshots once it is made (through
//! `effects::Effects`, never inside `Source::collect`): every snapshot passes through
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

use crate::collect::{Snapshot, Waker};
use crate::config::follow::Follow;
use crate::config::{Config, Notify};
use crate::jump::in_front;
use crate::model::select;
use crate::model::transition::{Rules, Seen, Tracker};
use crate::model::unseen::mark_rows;
use crate::source::unseen;
use deliver::{Deliverer, Note};
use lock::Owner;

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
    /// The configuration file, followed: an edit changes `[notify]` at the next refresh.
    pub follow: Option<Follow>,
    /// What to say when an edit changes more than `[notify]` (None: nothing, the process takes
    /// the rest itself through [`Notifier::config`]).
    pub restart_for: Option<&'static str>,
}

impl NotifyOptions {
    pub fn new(conf: &Notify, env: &crate::paths::Env, what: &'static str) -> NotifyOptions {
        NotifyOptions {
            conf: conf.clone(),
            quiet: false,
            marks: env.unseen_file(),
            lock: lock::place(env),
            what,
            follow: None,
            restart_for: None,
        }
    }
}

/// What watches a process's snapshots for news.
pub struct Notifier {
    tracker: Tracker,
    owner: Owner,
    deliverer: Option<Deliverer>,
    opts: NotifyOptions,
    watch: Option<watch::PluginWatch>,
    /// The hosts that answered the last refresh.
    answering: std::collections::HashSet<String>,
    /// How many notes each host may still cause.
    limit: limit::PerHost,
    /// The configuration file's settings, once it was edited while running.
    edited: Option<Config>,
    /// What the last edit left to say (an error in the file, a restart it needs).
    edit_note: Option<String>,
}

impl Notifier {
    pub fn new(opts: NotifyOptions) -> Notifier {
        let rules = Rules {
            hold_ms: (opts.conf.hold_secs * 1000.0) as i64,
            ..Rules::default()
        };
        let deliver = !opts.quiet && opts.conf.any();
        Notifier {
            tracker: Tracker::new(rules),
            owner: Owner::new(opts.lock.clone(), opts.what, opts.conf.describe()),
            deliverer: deliver.then(|| Deliverer::start(opts.conf.clone())),
            opts,
            watch: None,
            answering: Default::default(),
            limit: limit::PerHost::default(),
            edited: None,
            edit_note: None,
        }
    }

    /// The configuration as the file said at the last refresh that found it edited (None:
    /// unedited since start, or not followed).
    pub fn config(&self) -> Option<&Config> {
        self.edited.as_ref()
    }

    /// Reads the configuration file again if it changed: `[notify]` applies from this refresh;
    /// an error in the file, or other settings this process cannot take while running, are
    /// said in the snapshot's warnings until the next edit.
    fn follow(&mut self, snap: &mut Snapshot) {
        let Some(f) = &mut self.opts.follow else {
            return;
        };
        if let Some(new) = f.poll() {
            self.edit_note = None;
            if let Some(what) = self.opts.restart_for {
                let first = &f.started;
                let rest_differs = Config {
                    notify: first.notify.clone(),
                    ..new.clone()
                } != *first;
                if rest_differs {
                    self.edit_note = Some(format!(
                        "configuration file edited: notifications follow it; {what}"
                    ));
                }
            }
            self.reconfigure(&new.notify);
            self.edited = Some(new);
        } else if let Some(e) = &f.error {
            self.edit_note = Some(format!("{e} (running with the settings read before)"));
        }
        snap.warnings.extend(self.edit_note.clone());
    }

    /// Takes `[notify]` as the configuration file says now (edited while this process runs):
    /// the next refresh tells with it.
    pub fn reconfigure(&mut self, conf: &Notify) {
        if *conf == self.opts.conf {
            return;
        }
        self.tracker.set_hold_ms((conf.hold_secs * 1000.0) as i64);
        let deliver = !self.opts.quiet && conf.any();
        // The old delivery thread ends when its channel closes.
        self.deliverer = deliver.then(|| Deliverer::start(conf.clone()));
        self.owner.set_uses(conf.describe());
        self.opts.conf = conf.clone();
    }

    /// When a state now pending will have held long enough to be told (Unix ms): a caller
    /// that waits between refreshes can wake then.
    pub fn next_deadline(&self) -> Option<i64> {
        self.tracker.next_deadline()
    }

    /// The notifier's effect on `snap`, just made: follows an edit of the configuration file,
    /// tells what is news and keeps the marks.
    pub fn after(&mut self, snap: &mut Snapshot) {
        self.follow(snap);
        self.look(snap);
    }

    /// Watches the companion plugin's files, so its reports wake a refresh at once.
    pub fn wake_with(&mut self, wake: Waker) {
        self.watch = Some(watch::PluginWatch::new(wake));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::hosts::{HostState, Seen as HostSeen};
    use crate::collect::{Focus, Source};
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
                    seen: HostSeen::Answered {
                        with: "9".into(),
                        at: now,
                    },
                }],
                ..Snapshot::default()
            }
        }
    }

    struct Empty;

    impl Source for Empty {
        fn collect(&mut self, _: &Focus, now: i64) -> Snapshot {
            Snapshot {
                taken_at: now,
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
            follow: None,
            restart_for: None,
        };
        let mut n = Notifier::new(opts);
        let mut flood = Flood(0);
        let t0 = 1_800_000_000_000;
        let mut warned = Vec::new();
        for tick in 0..60 {
            let mut snap = flood.collect(&Focus::default(), t0 + tick * 500);
            n.after(&mut snap);
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

    /// The monitor's case: `[notify]` follows an edit; what it cannot take while running, or
    /// an error in the file, is said on its screen (the snapshot's warnings).
    #[test]
    fn an_edit_is_taken_or_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[notify]\ndesktop = false\n").unwrap();
        let first = crate::config::load(Some(&path), true).unwrap();
        let mut n = Notifier::new(NotifyOptions {
            conf: first.notify.clone(),
            quiet: true,
            marks: None,
            lock: None,
            what: "otop monitor",
            follow: Some(Follow::new(Some(path.clone()), true, first)),
            restart_for: Some("restart otop for the rest"),
        });
        let warnings = |n: &mut Notifier| {
            let mut snap = Empty.collect(&Focus::default(), 0);
            n.after(&mut snap);
            snap.warnings
        };
        assert!(warnings(&mut n).is_empty());
        assert!(n.config().is_none());

        std::fs::write(&path, "[notify]\ndesktop = false\nhold_secs = 9\n").unwrap();
        assert!(warnings(&mut n).is_empty(), "[notify] alone is taken");
        assert_eq!(n.opts.conf.hold_secs, 9.0);
        assert_eq!(n.config().map(|c| c.notify.hold_secs), Some(9.0));

        std::fs::write(
            &path,
            "[notify]\ndesktop = false\n[monitor]\ninterval = 5\n",
        )
        .unwrap();
        assert_eq!(
            warnings(&mut n),
            ["configuration file edited: notifications follow it; restart otop for the rest"]
        );
        assert_eq!(n.opts.conf.hold_secs, 3.0);

        std::fs::write(&path, "[monitor]\ninterval = \"x\"\n").unwrap();
        let w = warnings(&mut n);
        assert!(
            w.len() == 1 && w[0].ends_with("(running with the settings read before)"),
            "{w:?}"
        );
        assert_eq!(warnings(&mut n), w, "said until the next edit");
    }
}
