//! How many sessions are in each state: what the status segment and `status --json` show.

use crate::model::row::Row;
use crate::model::state::State;

/// Counts per state, plus the title of the most urgent session. An idle session that finished
/// since you last looked is counted as `done`, not `idle`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub waiting: usize,
    pub error: usize,
    pub working: usize,
    pub idle: usize,
    pub stalled: usize,
    pub done: usize,
    /// Title of the most urgent session, raw (sanitised when rendered).
    pub top_title: Option<String>,
    /// The same counts for each machine with sessions (`local`, the `[[hosts]]` names):
    /// `{waiting@box}` in a template.
    pub per_host: std::collections::BTreeMap<String, Counts>,
    /// Hosts that did not answer.
    pub unreachable: usize,
    /// Today's time the sessions seen spent waiting for the user, ms (`{waited}`; 0 unless
    /// the template asked for it, see [`crate::statusline::format::uses_waited`]).
    pub waited_ms: i64,
}

/// Counts of nothing, for a host a template names that has no rows.
pub static NONE: Counts = Counts {
    waiting: 0,
    error: 0,
    working: 0,
    idle: 0,
    stalled: 0,
    done: 0,
    top_title: None,
    per_host: std::collections::BTreeMap::new(),
    unreachable: 0,
    waited_ms: 0,
};

impl Counts {
    pub fn total(&self) -> usize {
        self.waiting + self.error + self.working + self.idle + self.stalled + self.done
    }

    pub fn get(&self, s: State) -> usize {
        match s {
            State::Waiting => self.waiting,
            State::Error => self.error,
            State::Working => self.working,
            State::Idle => self.idle,
            State::Stalled => self.stalled,
        }
    }

    pub fn add(&mut self, s: State) {
        match s {
            State::Waiting => self.waiting += 1,
            State::Error => self.error += 1,
            State::Working => self.working += 1,
            State::Idle => self.idle += 1,
            State::Stalled => self.stalled += 1,
        }
    }
}

/// Today's (since local midnight) time the sessions of `snap`'s timelines spent waiting for
/// the user, ms: `{waited}`.
pub fn waited_today(snap: &crate::collect::Snapshot) -> i64 {
    let since = crate::collect::local_midnight_ms(snap.taken_at);
    snap.timelines
        .values()
        .map(|t| t.waited(since, snap.taken_at))
        .sum()
}

/// Counts by state; rows must be sorted most urgent first.
pub fn count(rows: &[Row]) -> Counts {
    let mut c = Counts {
        top_title: rows
            .first()
            .and_then(|r| r.session.as_ref())
            .and_then(|s| s.title.clone()),
        ..Counts::default()
    };
    for r in rows {
        let one = |c: &mut Counts| {
            if r.is_done() {
                c.done += 1;
            } else {
                c.add(r.status.state);
            }
        };
        one(&mut c);
        let name = r.host.as_deref().unwrap_or("local");
        one(c.per_host.entry(name.to_string()).or_default());
    }
    c
}
