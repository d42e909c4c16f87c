//! What a long-lived process (the monitor, `otop watch --tmux`) does with each snapshot once
//! it is made. `Source::collect` only reads; the loop that collects then runs
//! [`Effects::after`], on the same thread and before the snapshot is shown: the one step where
//! otop writes its own files and tells what it saw: the notifier, then the fleet record `otop
//! restore` reads. A new writer fed by snapshots is called from `after` too, nowhere else.

use crate::collect::{Snapshot, Waker};
use crate::config::Config;
use crate::notify::Notifier;
use crate::restore::Keeper;

/// The effects of one process's snapshots.
#[derive(Default)]
pub struct Effects {
    /// Notifications and the unseen marks; none for the demo, which nothing acts on.
    notifier: Option<Notifier>,
    /// The fleet record; none for the demo.
    keeper: Option<Keeper>,
}

impl Effects {
    /// No effects: the demo's snapshots, and tests of the loops.
    pub fn none() -> Effects {
        Effects::default()
    }

    pub fn notifying(notifier: Notifier) -> Effects {
        Effects {
            notifier: Some(notifier),
            keeper: None,
        }
    }

    /// These effects, and the fleet record kept at `fleet` (None: not kept).
    pub fn keeping(self, fleet: Option<std::path::PathBuf>) -> Effects {
        Effects {
            keeper: fleet.map(Keeper::new),
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
