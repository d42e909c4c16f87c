//! A session's day as intervals of one state each (#30): what `otop report`, the monitor's
//! timeline strips, its WAITED column and `{waited}` read. Pure: built from facts (opencode's
//! records, what a watcher saw) elsewhere; here only the sums and the cells, with `now` and
//! the window as parameters.

use serde::{Deserialize, Serialize};

use super::state::State;

pub mod observed;
pub mod records;

pub use observed::{Spell, Watch, merge};
pub use records::from_records;

/// Where an interval comes from: opencode's own records (message, part and tool times), or
/// only what a running otop saw (a state the database keeps no trace of, such as a permission
/// wait). Shown where intervals are shown: a reconstructed day and an observed one differ in
/// what they can miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Recorded,
    Observed,
}

/// One state held from `start` to `end` (Unix ms, `start < end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub state: State,
    pub start: i64,
    pub end: i64,
    pub origin: Origin,
}

impl Interval {
    pub fn new(state: State, start: i64, end: i64, origin: Origin) -> Interval {
        Interval {
            state,
            start,
            end,
            origin,
        }
    }

    /// How much of `[from, to)` this interval covers, ms.
    pub fn overlap(&self, from: i64, to: i64) -> i64 {
        (self.end.min(to) - self.start.max(from)).max(0)
    }
}

/// A session's intervals, sorted by start and not overlapping (the builder's promise); time
/// in none of them is unknown (before the session existed, or while nothing was seen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub intervals: Vec<Interval>,
}

impl Timeline {
    /// Time spent in `state` within `[from, to)`, ms.
    pub fn time_in(&self, state: State, from: i64, to: i64) -> i64 {
        self.intervals
            .iter()
            .filter(|i| i.state == state)
            .map(|i| i.overlap(from, to))
            .sum()
    }

    /// Time spent waiting for the user within `[from, to)`, ms.
    pub fn waited(&self, from: i64, to: i64) -> i64 {
        self.time_in(State::Waiting, from, to)
    }

    /// The longest waits overlapping `[from, to)`, longest first, at most `n`.
    pub fn longest_waits(&self, from: i64, to: i64, n: usize) -> Vec<Interval> {
        let mut w: Vec<Interval> = self
            .intervals
            .iter()
            .filter(|i| i.state == State::Waiting && i.overlap(from, to) > 0)
            .copied()
            .collect();
        w.sort_by_key(|i| std::cmp::Reverse(i.overlap(from, to)));
        w.truncate(n);
        w
    }

    /// `[from, to)` cut into `cells` equal cells, each the most urgent state held in it (the
    /// order of [`State`], as the list sorts) (None: nothing known there). A strip draws one per cell.
    pub fn cells(&self, from: i64, to: i64, cells: usize) -> Vec<Option<State>> {
        self.cell_marks(from, to, cells)
            .into_iter()
            .map(|m| m.map(|(state, _)| state))
            .collect()
    }

    /// [`Timeline::cells`] with where each cell's state comes from: recorded when opencode's
    /// records give that state anywhere in the cell, else observed (a strip marks those apart).
    pub fn cell_marks(&self, from: i64, to: i64, cells: usize) -> Vec<Option<(State, Origin)>> {
        if cells == 0 || to <= from {
            return vec![None; cells];
        }
        let span = (to - from) as i128;
        (0..cells)
            .map(|c| {
                let a = from + (span * c as i128 / cells as i128) as i64;
                let b = from + (span * (c as i128 + 1) / cells as i128) as i64;
                let held = || {
                    self.intervals
                        .iter()
                        .filter(move |i| i.overlap(a, b.max(a + 1)) > 0)
                };
                let state = held().map(|i| i.state).min()?;
                let recorded = held().any(|i| i.state == state && i.origin == Origin::Recorded);
                let origin = if recorded {
                    Origin::Recorded
                } else {
                    Origin::Observed
                };
                Some((state, origin))
            })
            .collect()
    }
}

const DAY_MS: i64 = 86_400_000;

/// The start of the local day holding `now` (Unix ms), for a clock `utc_offset_secs` ahead of
/// UTC: where "today" begins for the WAITED column and its total.
pub fn day_start(now: i64, utc_offset_secs: i32) -> i64 {
    let offset = i64::from(utc_offset_secs) * 1000;
    (now + offset).div_euclid(DAY_MS) * DAY_MS - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(state: State, start: i64, end: i64) -> Interval {
        Interval::new(state, start, end, Origin::Recorded)
    }

    fn day() -> Timeline {
        Timeline {
            intervals: vec![
                iv(State::Working, 0, 60_000),
                iv(State::Waiting, 60_000, 80_000),
                iv(State::Working, 80_000, 90_000),
                iv(State::Idle, 90_000, 200_000),
                iv(State::Waiting, 200_000, 205_000),
            ],
        }
    }

    #[test]
    fn sums_count_only_the_window() {
        let t = day();
        assert_eq!(t.waited(0, 300_000), 25_000);
        assert_eq!(t.waited(70_000, 202_000), 12_000);
        assert_eq!(t.time_in(State::Working, 0, 300_000), 70_000);
        assert_eq!(t.waited(300_000, 400_000), 0);
    }

    #[test]
    fn the_longest_wait_comes_first() {
        let w = day().longest_waits(0, 300_000, 1);
        assert_eq!(w, vec![iv(State::Waiting, 60_000, 80_000)]);
    }

    #[test]
    fn a_cell_shows_what_needs_the_user_most() {
        // Cells of 50 s: the second holds working then waiting.
        let c = day().cells(0, 250_000, 5);
        assert_eq!(
            c,
            vec![
                Some(State::Working),
                Some(State::Waiting),
                Some(State::Idle),
                Some(State::Idle),
                Some(State::Waiting),
            ]
        );
        assert_eq!(day().cells(400_000, 500_000, 2), vec![None, None]);
        assert_eq!(day().cells(0, 0, 3), vec![None, None, None]);
    }

    #[test]
    fn a_cell_is_recorded_when_opencode_recorded_its_state_there() {
        let mut t = day();
        t.intervals[1].origin = Origin::Observed;
        let m = t.cell_marks(0, 250_000, 5);
        assert_eq!(m[0], Some((State::Working, Origin::Recorded)));
        assert_eq!(m[1], Some((State::Waiting, Origin::Observed)));
        assert_eq!(m[4], Some((State::Waiting, Origin::Recorded)));
        assert_eq!(t.cell_marks(0, 0, 2), vec![None, None]);
    }

    #[test]
    fn today_starts_at_local_midnight() {
        // 2025-10-09 08:53:20 UTC.
        let now = 1_760_000_000_000;
        assert_eq!(day_start(now, 0), 1_759_968_000_000);
        // At UTC+10 it is 18:53 the same day; at UTC-10, 22:53 the day before.
        assert_eq!(day_start(now, 36_000), 1_759_968_000_000 - 36_000_000);
        assert_eq!(
            day_start(now, -36_000),
            1_759_968_000_000 - 86_400_000 + 36_000_000
        );
        assert_eq!(day_start(1_759_968_000_000, 0), 1_759_968_000_000);
    }
}
