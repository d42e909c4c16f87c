//! Today's waits (#30): how long each session waited for the user since local midnight, what
//! the WAITED column shows and sorts by and the header sums. From the snapshot's timelines, at
//! the app's clock.

use std::collections::BTreeMap;

use crate::collect::Snapshot;
use crate::model::row::Row;
use crate::model::timeline::{Timeline, day_start};

impl crate::monitor::state::App {
    /// Today's waits at the app's clock.
    pub fn today(&self) -> Today<'_> {
        Today::of(&self.snapshot, self.now, self.utc_offset_secs)
    }
}

/// The snapshot's timelines over `[from, to)`: today, up to now.
#[derive(Debug, Clone, Copy)]
pub struct Today<'a> {
    pub timelines: &'a BTreeMap<String, Timeline>,
    pub from: i64,
    pub to: i64,
}

impl<'a> Today<'a> {
    /// Today at `now`, local midnight being where a clock `utc_offset_secs` ahead of UTC says.
    pub fn of(snapshot: &'a Snapshot, now: i64, utc_offset_secs: i32) -> Self {
        Today {
            timelines: &snapshot.timelines,
            from: day_start(now, utc_offset_secs),
            to: now,
        }
    }

    fn timeline(&self, row: &Row) -> Option<&'a Timeline> {
        self.timelines.get(row.session_id()?)
    }

    /// Time `row`'s session waited today, ms; None when otop knows nothing of its day.
    pub fn waited(&self, row: &Row) -> Option<i64> {
        Some(self.timeline(row)?.waited(self.from, self.to))
    }

    /// Its longest wait today, ms (the part of it today); None without one.
    pub fn longest(&self, row: &Row) -> Option<i64> {
        let t = self.timeline(row)?;
        let w = t.longest_waits(self.from, self.to, 1);
        w.first().map(|i| i.overlap(self.from, self.to))
    }

    /// Time every session known waited today, ms: the header's total.
    pub fn total(&self) -> i64 {
        self.timelines
            .values()
            .map(|t| t.waited(self.from, self.to))
            .sum()
    }
}
