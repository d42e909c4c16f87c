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
}

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
        if r.is_done() {
            c.done += 1;
        } else {
            c.add(r.status.state);
        }
    }
    c
}
