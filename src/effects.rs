//! What a long-lived process (the monitor, `otop watch --tmux`) does with each snapshot once
//! it is made. `Source::collect` only reads; the loop that collects then runs
//! [`Effects::after`], on the same thread and before the snapshot is shown: the one step where
//! otop writes its own files and tells what it saw: the notifier, then the fleet record `otop
//! restore` reads. A new writer fed by snapshots is called from `after` too, nowhere else.

use crate::collect::{Snapshot, Waker};
use crate::config::Config;
use crate::model::state::State;
use crate::model::timeline::{Watch, merge};
use crate::notify::Notifier;
use crate::restore::Keeper;

/// The effects of one process's snapshots.
#[derive(Default)]
pub struct Effects {
    /// Notifications and the unseen marks; none for the demo, which nothing acts on.
    notifier: Option<Notifier>,
    /// The fleet record; none for the demo.
    keeper: Option<Keeper>,
    /// The spells of waiting and error seen (#30); none for the demo.
    observer: Option<Observer>,
}

impl Effects {
    /// No effects: the demo's snapshots, and tests of the loops.
    pub fn none() -> Effects {
        Effects::default()
    }

    pub fn notifying(notifier: Notifier) -> Effects {
        Effects {
            notifier: Some(notifier),
            ..Effects::default()
        }
    }

    /// These effects, and the fleet record kept at `fleet` (None: not kept).
    pub fn keeping(self, fleet: Option<std::path::PathBuf>) -> Effects {
        Effects {
            keeper: fleet.map(Keeper::new),
            ..self
        }
    }

    /// These effects, and the spells seen kept at `file` (None: not kept).
    pub fn observing(self, file: Option<std::path::PathBuf>) -> Effects {
        Effects {
            observer: file.map(|path| Observer {
                path,
                watch: Watch::default(),
            }),
            ..self
        }
    }

    /// Acts on `snap`, just made: writes what follows from it and tells what is news; what
    /// the views should see of that (the marks as written, warnings) is set on `snap`.
    pub fn after(&mut self, snap: &mut Snapshot) {
        if let Some(n) = &mut self.notifier {
            n.after(snap);
        }
        // Failing to write the record costs only a restore's knowledge of this refresh.
        if let Some(k) = &mut self.keeper {
            let _ = k.keep(snap);
        }
        if let Some(o) = &mut self.observer {
            o.after(snap);
        }
    }

    /// Gives the effects a way to ask for a refresh when something they watch changes (the
    /// notifier watches the companion plugin's files).
    pub fn wake_with(&mut self, wake: Waker) {
        if let Some(n) = &mut self.notifier {
            n.wake_with(wake);
        }
    }

    /// When a state now pending will have held long enough to be told (Unix ms): a loop that
    /// waits between refreshes can wake then.
    pub fn next_deadline(&self) -> Option<i64> {
        self.notifier.as_ref().and_then(Notifier::next_deadline)
    }

    /// The configuration as the file said at the last refresh that found it edited (None:
    /// unedited since start, or not followed).
    pub fn config(&self) -> Option<&Config> {
        self.notifier.as_ref().and_then(Notifier::config)
    }
}

/// Watches the local sessions' states from snapshot to snapshot and appends each spell of
/// waiting or error that ends to the file `otop report` and later monitors read.
struct Observer {
    path: std::path::PathBuf,
    watch: Watch,
}

impl Observer {
    fn after(&mut self, snap: &mut Snapshot) {
        if snap.demo {
            return;
        }
        let now = snap.taken_at;
        // A session two rows show (twins) holds the more urgent state.
        let mut seen: std::collections::BTreeMap<String, State> = Default::default();
        for r in snap.rows.iter().filter(|r| r.host.is_none()) {
            if let Some(id) = r.session_id() {
                let s = seen.entry(id.to_string()).or_insert(r.status.state);
                *s = (*s).min(r.status.state);
            }
        }
        let seen: Vec<(String, State)> = seen.into_iter().collect();
        let ended = self.watch.look(&seen, now);
        // Failing to write costs only later views' knowledge of these spells.
        let _ = crate::collect::observed::append(&self.path, &ended, now);
        // The collector read the file before these ended; those not ended yet are shown as far
        // as they go.
        for s in ended.into_iter().chain(self.watch.held(now)) {
            if let Some(t) = snap.timelines.remove(&s.session) {
                let t = merge(t, &[s.interval()]);
                snap.timelines.insert(s.session, t);
            }
        }
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        let now = crate::collect::now_ms();
        let _ = crate::collect::observed::append(&self.path, &self.watch.close(now), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::row::Row;
    use crate::model::state::Status;
    use crate::model::timeline::{Interval, Origin, Timeline};

    fn snap(at: i64, state: State, detail: &str) -> Snapshot {
        let mut s = Snapshot {
            taken_at: at,
            rows: vec![Row::tui(7, "ses_a", Status::new(state, detail))],
            ..Snapshot::default()
        };
        s.timelines.insert(
            "ses_a".into(),
            Timeline {
                intervals: vec![Interval {
                    state: State::Working,
                    start: 0,
                    end: at,
                    origin: Origin::Recorded,
                }],
            },
        );
        s
    }

    /// A permission wait the records show as working: shown while it lasts, kept once it ends,
    /// and read back by a later process (the collector, `otop report`).
    #[test]
    fn a_wait_seen_is_shown_while_it_lasts_and_kept_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("otop/timeline.jsonl");
        let mut e = Effects::none().observing(Some(file.clone()));
        e.after(&mut snap(1_000, State::Working, "tool:bash"));
        let mut s = snap(3_000, State::Waiting, "permission");
        e.after(&mut s);
        let mut s = snap(9_000, State::Waiting, "permission");
        e.after(&mut s);
        assert_eq!(
            s.timelines["ses_a"].waited(0, 9_000),
            6_000,
            "held, shown to now"
        );
        assert!(
            crate::collect::observed::read(&file, 0).is_empty(),
            "not ended yet"
        );
        let mut s = snap(11_000, State::Working, "tool:bash");
        e.after(&mut s);
        assert_eq!(s.timelines["ses_a"].waited(0, 11_000), 8_000);
        let kept = crate::collect::observed::read(&file, 0);
        let w: Vec<_> = kept["ses_a"]
            .iter()
            .map(|i| (i.state, i.start, i.end))
            .collect();
        assert_eq!(w, [(State::Waiting, 3_000, 11_000)]);
        // The demo's snapshots are nobody's: nothing kept.
        let mut demo = snap(20_000, State::Error, "error");
        demo.demo = true;
        e.after(&mut demo);
        assert_eq!(crate::collect::observed::read(&file, 0)["ses_a"].len(), 1);
    }
}
