//! What a running otop saw (#30): the spells of waiting and error opencode's records keep no
//! time of (a permission wait, a retrying provider, a question whose part has no times), cut
//! from one snapshot to the next, and laid over the records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Interval, Origin, Timeline};
use crate::model::state::State;

/// Two looks further apart than this (ms) did not see what happened between them: otop was
/// not running, or the machine slept. A spell seen before such a gap ends at the earlier look.
pub const MAX_GAP_MS: i64 = 30_000;

/// One spell of one session, as otop's state directory keeps it (a line of JSON each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spell {
    pub session: String,
    pub state: State,
    pub start: i64,
    pub end: i64,
}

impl Spell {
    pub fn interval(&self) -> Interval {
        Interval {
            state: self.state,
            start: self.start,
            end: self.end,
            origin: Origin::Observed,
        }
    }
}

/// The states kept: those the records cannot time. Working and idle they always can.
fn kept(state: State) -> bool {
    matches!(state, State::Waiting | State::Error)
}

/// A state held since `start`, last seen at `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Held {
    state: State,
    start: i64,
    last: i64,
}

/// The sessions' states from one look to the next: [`Watch::look`] gives the spells that ended.
#[derive(Debug, Clone, Default)]
pub struct Watch {
    held: BTreeMap<String, Held>,
}

impl Watch {
    /// What one look at `now` saw (session id, state): the spells it ended. A state that
    /// changed between two looks changed at the later one (within one refresh).
    pub fn look(&mut self, seen: &[(String, State)], now: i64) -> Vec<Spell> {
        let mut ended = Vec::new();
        let mut next = BTreeMap::new();
        for (id, state) in seen {
            let held = match self.held.remove(id) {
                Some(h) if h.state == *state && now - h.last <= MAX_GAP_MS => {
                    Held { last: now, ..h }
                }
                Some(h) => {
                    ended.extend(spell(id, h, now));
                    Held {
                        state: *state,
                        start: now,
                        last: now,
                    }
                }
                None => Held {
                    state: *state,
                    start: now,
                    last: now,
                },
            };
            next.insert(id.clone(), held);
        }
        // Sessions no longer seen (their process quit): ended now, or at their last look.
        for (id, h) in std::mem::take(&mut self.held) {
            ended.extend(spell(&id, h, now));
        }
        self.held = next;
        ended
    }

    /// The spells held now of the states kept, as if they ended at `now`: what a view shows
    /// before they end.
    pub fn held(&self, now: i64) -> Vec<Spell> {
        self.held
            .iter()
            .filter_map(|(id, h)| spell(id, *h, now))
            .collect()
    }

    /// Every spell still held, ended at `now` (the watcher stops).
    pub fn close(&mut self, now: i64) -> Vec<Spell> {
        std::mem::take(&mut self.held)
            .into_iter()
            .filter_map(|(id, h)| spell(&id, h, now))
            .collect()
    }
}

/// The spell `h` of `id` ended at `now` (at its last look, if that was long ago); None for a
/// state not kept or an empty spell.
fn spell(id: &str, h: Held, now: i64) -> Option<Spell> {
    let end = if now - h.last <= MAX_GAP_MS {
        now
    } else {
        h.last
    };
    (kept(h.state) && end > h.start).then(|| Spell {
        session: id.to_string(),
        state: h.state,
        start: h.start,
        end,
    })
}

/// The records with what was seen laid over them: a spell of waiting or error the records
/// show no trace of (no interval of its state overlaps it) takes the place of the records'
/// working or stalled time, and fills time they say nothing of; it never overrides a recorded
/// wait, error or idle time.
pub fn merge(records: Timeline, seen: &[Interval]) -> Timeline {
    let mut out = records.intervals;
    let mut seen: Vec<Interval> = seen.to_vec();
    seen.sort_by_key(|i| (i.start, i.end));
    for s in seen.iter().filter(|s| s.end > s.start) {
        let told = out
            .iter()
            .any(|i| i.state == s.state && i.overlap(s.start, s.end) > 0);
        if !told {
            paint(&mut out, *s);
        }
    }
    out.sort_by_key(|i| (i.start, i.end));
    Timeline { intervals: out }
}

/// Lays `new` over `out` where `out` is working or stalled or says nothing.
fn paint(out: &mut Vec<Interval>, new: Interval) {
    let yields = |s: State| matches!(s, State::Working | State::Stalled);
    let mut kept = Vec::with_capacity(out.len() + 2);
    let mut blocked: Vec<(i64, i64)> = Vec::new();
    for i in out.drain(..) {
        if i.overlap(new.start, new.end) == 0 {
            kept.push(i);
        } else if yields(i.state) {
            for (a, b) in [(i.start, new.start), (new.end, i.end)] {
                if a < b {
                    kept.push(Interval {
                        start: a,
                        end: b,
                        ..i
                    });
                }
            }
        } else {
            blocked.push((i.start, i.end));
            kept.push(i);
        }
    }
    blocked.sort_unstable();
    let mut at = new.start;
    for (a, b) in blocked {
        if a > at {
            kept.push(Interval {
                start: at,
                end: a.min(new.end),
                ..new
            });
        }
        at = at.max(b);
    }
    if at < new.end {
        kept.push(Interval { start: at, ..new });
    }
    *out = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(state: State, start: i64, end: i64, origin: Origin) -> Interval {
        Interval::new(state, start, end, origin)
    }

    #[test]
    fn a_watch_cuts_spells_at_the_look_that_saw_the_change() {
        let mut w = Watch::default();
        let look = |w: &mut Watch, s: State, now| w.look(&[("s1".into(), s)], now);
        assert!(look(&mut w, State::Working, 0).is_empty());
        assert!(look(&mut w, State::Waiting, 2_000).is_empty());
        assert!(look(&mut w, State::Waiting, 4_000).is_empty());
        let ended = look(&mut w, State::Working, 6_000);
        let wait = Spell {
            session: "s1".into(),
            state: State::Waiting,
            start: 2_000,
            end: 6_000,
        };
        assert_eq!(ended, vec![wait.clone()]);
        // An error seen, then otop stopped for a minute: the spell ends at the last look.
        look(&mut w, State::Error, 8_000);
        look(&mut w, State::Error, 10_000);
        let ended = look(&mut w, State::Idle, 10_000 + 60_000);
        assert_eq!(ended.len(), 1);
        assert_eq!((ended[0].start, ended[0].end), (8_000, 10_000));
        look(&mut w, State::Waiting, 71_000);
        assert_eq!(w.look(&[], 72_000)[0].end, 72_000, "gone: ended now");
        look(&mut w, State::Waiting, 80_000);
        assert_eq!(w.close(82_000)[0].end, 82_000);
        assert!(w.close(90_000).is_empty());
    }

    #[test]
    fn an_observed_wait_takes_working_time_but_never_a_recorded_wait() {
        use Origin::{Observed, Recorded};
        let records = Timeline {
            intervals: vec![
                iv(State::Working, 0, 100, Recorded),
                iv(State::Waiting, 100, 120, Recorded),
                iv(State::Working, 120, 200, Recorded),
                iv(State::Idle, 200, 300, Recorded),
            ],
        };
        let seen = [
            // A permission wait inside the turn.
            iv(State::Waiting, 20, 40, Observed),
            // The recorded question, seen a refresh late: already told.
            iv(State::Waiting, 102, 124, Observed),
            // A retrying spell running past the turn into idle time, and past the records.
            iv(State::Error, 190, 210, Observed),
            iv(State::Error, 290, 320, Observed),
        ];
        let t = merge(records, &seen);
        let got: Vec<_> = t
            .intervals
            .iter()
            .map(|i| (i.state, i.start, i.end, i.origin))
            .collect();
        assert_eq!(
            got,
            vec![
                (State::Working, 0, 20, Recorded),
                (State::Waiting, 20, 40, Observed),
                (State::Working, 40, 100, Recorded),
                (State::Waiting, 100, 120, Recorded),
                (State::Working, 120, 190, Recorded),
                (State::Error, 190, 200, Observed),
                (State::Idle, 200, 300, Recorded),
                (State::Error, 300, 320, Observed),
            ]
        );
        assert_eq!(t.waited(0, 400), 40);
    }
}
