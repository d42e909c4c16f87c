//! The demo fleet's day (#30): each session's timeline since it was created, so the monitor's
//! strips, fleet view and WAITED column can be tried without opencode. Deterministic: the past
//! is laid out on blocks of absolute time (a pattern per block, chosen by the session's
//! temperament), so it does not change from one refresh to the next; the last interval is the
//! phase the session is in now.

use std::collections::BTreeMap;

use super::fleet::{FLEET, Spec};
use super::{Answered, id, phase_at};
use crate::model::state::State;
use crate::model::timeline::{Interval, Origin, Timeline};

const MIN: i64 = 60_000;
/// Each block of the past is one pattern.
const BLOCK: i64 = 15 * MIN;

/// A block's pattern: states and their minutes, summing to 15.
type Pattern = &'static [(State, i64)];

const WORK: Pattern = &[(State::Working, 15)];
const SHORT_WAIT: Pattern = &[
    (State::Working, 9),
    (State::Waiting, 2),
    (State::Working, 4),
];
const LONG_WAIT: Pattern = &[(State::Working, 4), (State::Waiting, 11)];
const WAIT_WORK: Pattern = &[(State::Waiting, 6), (State::Working, 9)];
const IDLE: Pattern = &[(State::Idle, 15)];
const WORK_IDLE: Pattern = &[(State::Working, 6), (State::Idle, 9)];
const ERROR: Pattern = &[(State::Working, 3), (State::Error, 5), (State::Working, 7)];

/// The patterns a session's blocks are drawn from, by its place in the fleet: a steady worker,
/// one that asks a lot, one held by permissions, one idle most of the day, one with a failing
/// provider, one that stalled.
fn temperament(i: usize) -> &'static [Pattern] {
    match i {
        0 => &[WORK, SHORT_WAIT, WORK_IDLE, WORK, WORK, WAIT_WORK, IDLE],
        1 => &[LONG_WAIT, WORK, WORK_IDLE, SHORT_WAIT],
        2 => &[SHORT_WAIT, WORK, WAIT_WORK, WORK],
        3 => &[IDLE, IDLE, IDLE, IDLE, WORK_IDLE, IDLE, IDLE, SHORT_WAIT],
        4 => &[ERROR, WORK, SHORT_WAIT, WORK, WORK_IDLE],
        5 => &[WORK, WORK_IDLE, SHORT_WAIT, IDLE, WORK],
        _ => &[WORK],
    }
}

/// A session held by permissions: opencode keeps no record of a permission's wait, so only a
/// watching otop saw those (the strip marks them apart).
fn origin(spec: &Spec, state: State) -> Origin {
    if state == State::Waiting && spec.phases[0].0 == "permission" {
        Origin::Observed
    } else {
        Origin::Recorded
    }
}

fn mix(i: usize, block: i64) -> u64 {
    let mut x = (block as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(i as u64 * 0x2545_F491);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// Appends `[start, end)` in `state`, joined to the last interval when it goes on from it.
fn push(out: &mut Vec<Interval>, state: State, start: i64, end: i64, origin: Origin) {
    if start >= end {
        return;
    }
    match out.last_mut() {
        Some(l) if l.state == state && l.origin == origin && l.end == start => l.end = end,
        _ => out.push(Interval {
            state,
            start,
            end,
            origin,
        }),
    }
}

/// Fleet session `i`'s day at `now`, from its creation.
pub fn timeline(i: usize, now: i64, answered: Option<i64>) -> Timeline {
    let Some(spec) = FLEET.get(i) else {
        return Timeline::default();
    };
    let created = now - spec.age_min.max(3) * MIN;
    let ((_, state, _, _), in_phase) = phase_at(spec, i, now, answered);
    // A stalled session has not moved for most of an hour.
    let current = match state {
        State::Stalled => now - 40 * MIN,
        _ => now - in_phase,
    }
    .max(created);
    let mut out = Vec::new();
    for block in created.div_euclid(BLOCK)..=current.div_euclid(BLOCK) {
        let patterns = temperament(i);
        let pattern = patterns[(mix(i, block) % patterns.len() as u64) as usize];
        let mut t = block * BLOCK;
        for (s, minutes) in pattern {
            let end = t + minutes * MIN;
            push(
                &mut out,
                *s,
                t.max(created),
                end.min(current),
                origin(spec, *s),
            );
            t = end;
        }
    }
    push(&mut out, *state, current, now, origin(spec, *state));
    Timeline { intervals: out }
}

/// Every fleet session's day, by session id.
pub fn timelines(now: i64, answered: &Answered) -> BTreeMap<String, Timeline> {
    (0..FLEET.len())
        .map(|i| {
            let t = timeline(i, now, answered.get(&i).copied());
            (id("ses", i as u64 + 1), t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_760_000_000_000;

    #[test]
    fn a_day_is_ordered_disjoint_and_ends_in_the_current_state() {
        let all = timelines(T, &Answered::new());
        assert_eq!(all.len(), FLEET.len());
        for (i, spec) in FLEET.iter().enumerate() {
            let t = &all[&id("ses", i as u64 + 1)];
            let created = T - spec.age_min.max(3) * MIN;
            assert_eq!(t.intervals.first().map(|i| i.start), Some(created));
            assert!(t.intervals.windows(2).all(|w| w[0].end == w[1].start));
            assert!(t.intervals.iter().all(|i| i.start < i.end));
            let now = phase_at(spec, i, T, None).0.1;
            assert_eq!(t.intervals.last().map(|i| (i.state, i.end)), Some((now, T)));
        }
    }

    /// Waits of several lengths, an error spell, idle time, and permission waits only observed:
    /// what the fleet view is there to show.
    #[test]
    fn the_day_is_plausible() {
        let all = timelines(T, &Answered::new());
        let day = |i: usize| &all[&id("ses", i as u64 + 1)];
        let from = T - 4 * 60 * MIN;
        let waits: Vec<i64> = (0..FLEET.len())
            .flat_map(|i| day(i).longest_waits(from, T, 5))
            .map(|w| w.end - w.start)
            .collect();
        assert!(waits.iter().any(|w| *w <= 2 * MIN), "{waits:?}");
        assert!(waits.iter().any(|w| *w >= 10 * MIN), "{waits:?}");
        assert!(day(4).time_in(State::Error, from, T) > 0);
        assert!(day(3).time_in(State::Idle, from, T) > 2 * 60 * MIN);
        assert!(day(5).time_in(State::Stalled, from, T) >= 40 * MIN);
        let permission = day(2)
            .intervals
            .iter()
            .filter(|i| i.state == State::Waiting);
        assert!(permission.clone().count() > 0);
        assert!(permission.clone().all(|i| i.origin == Origin::Observed));
        // The past stays put as the clock moves on (but for its start: the demo's sessions
        // are as old at any time).
        let later = timeline(0, T + 90_000, None);
        assert_eq!(later.intervals[1..4], day(0).intervals[1..4]);
    }
}
