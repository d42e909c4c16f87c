//! When a change of state is worth telling you, and when a session counts as done but unseen.
//! Pure: each refresh's sessions go in with `now`, what to tell and which marks to set or clear
//! come out.
//!
//! - Each run of refreshes showing a session in one state is an occurrence of that state. It
//!   counts once it has lasted [`Rules::hold_ms`] (a refresh that lands between two steps of a
//!   turn, a slow tool taken for a permission request, never count); a state opencode reported
//!   itself (`certain`: the companion plugin's pending permission or question) counts at once.
//! - A counted waiting or error is told; a counted idle after a turn (any refresh showing the
//!   session working or waiting since it was last idle, and a turn that ended normally) is told
//!   as done. Nothing is told for the states sessions are found in at start-up (they held
//!   before otop started), nor while the session's pane is in front of you.
//! - A session is told the same kind of news at most once per [`Rules::flap_ms`], unless its
//!   pane has been in front of you since: a session flapping between two states does not spam.
//! - Done and error while you are not looking mark the session unseen; the mark clears when
//!   its pane is in front of you or a new turn counts (working or waiting).

use std::collections::HashMap;

use serde::Deserialize;

use crate::model::state::{State, Status};

/// What is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A session starts waiting for you: a question or a permission request.
    Waiting,
    /// A turn ended in an error, or the provider is failing.
    Error,
    /// A turn finished: working (or waiting) → idle.
    Done,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Waiting, Kind::Error, Kind::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Waiting => "waiting",
            Kind::Error => "error",
            Kind::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long a new state must last before it counts, ms.
    pub hold_ms: i64,
    /// The shortest time between two notifications of one kind for one session, ms.
    pub flap_ms: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            hold_ms: 3_000,
            flap_ms: 60_000,
        }
    }
}

/// A session as one refresh saw it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub session: &'a str,
    pub status: &'a Status,
    /// The state is opencode's own report, not an inference: no hold.
    pub certain: bool,
    /// Its pane is in front of you now.
    pub in_front: bool,
    /// Seen for the first time because its machine just answered (a host connected or came
    /// back): a session new to the tracker then held its state before, as at start-up.
    pub first_look: bool,
}

/// One thing to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    pub session: String,
    pub kind: Kind,
    pub status: Status,
    pub at: i64,
}

/// What one refresh changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub tell: Vec<Told>,
    /// Sessions now done (or errored) unseen, and when.
    pub mark: Vec<(String, i64)>,
    /// Sessions whose mark, if any, goes.
    pub clear: Vec<String>,
}

impl Outcome {
    pub fn changes_marks(&self) -> bool {
        !self.mark.is_empty() || !self.clear.is_empty()
    }
}

/// How long a session that vanished from the refreshes is remembered (a process restarting,
/// a refresh that missed it): within this, coming back in the same state is no news.
const FORGET_MS: i64 = 10 * 60 * 1_000;

#[derive(Debug, Clone, Default)]
struct Track {
    /// The state of the latest refresh, and since when it has lasted.
    state: Option<State>,
    since: i64,
    /// This occurrence of `state` has counted (or was found at start-up).
    counted: bool,
    /// A refresh showed the session working or waiting since it was last idle or in error.
    turn: bool,
    last_seen: i64,
    /// When each kind was last told.
    told: Vec<(Kind, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct Tracker {
    rules: Rules,
    /// The first refresh's `now`.
    started: Option<i64>,
    /// The latest refresh's `now`.
    now: i64,
    tracks: HashMap<String, Track>,
}

/// Sessions first seen this soon after the first refresh count as found at start-up: the
/// first refreshes may not have tied every process to its session yet.
const STARTUP_MS: i64 = 5_000;

impl Tracker {
    pub fn new(rules: Rules) -> Tracker {
        Tracker {
            rules,
            ..Tracker::default()
        }
    }

    /// How long a state must hold from now on (a configuration file edited while running).
    pub fn set_hold_ms(&mut self, hold_ms: i64) {
        self.rules.hold_ms = hold_ms;
    }

    /// Takes one refresh's sessions at `now`.
    pub fn observe(&mut self, seen: &[Seen], now: i64) -> Outcome {
        let started = *self.started.get_or_insert(now);
        let starting = now.saturating_sub(started) < STARTUP_MS;
        self.now = now;
        let mut out = Outcome::default();
        for s in seen {
            let state = s.status.state;
            let new = !self.tracks.contains_key(s.session);
            let t = self.tracks.entry(s.session.to_string()).or_default();
            t.last_seen = now;
            if s.in_front {
                t.told.clear();
                out.clear.push(s.session.to_string());
            }
            if t.state != Some(state) {
                t.state = Some(state);
                t.since = now;
                t.counted = new && (starting || s.first_look);
            }
            let busy = matches!(state, State::Working | State::Waiting);
            t.turn |= busy;
            if t.counted || (!s.certain && now.saturating_sub(t.since) < self.rules.hold_ms) {
                continue;
            }
            t.counted = true;
            if busy && !s.in_front {
                // A new turn: the mark goes (in front, it went above already).
                out.clear.push(s.session.to_string());
            }
            let kind = match state {
                State::Waiting => Kind::Waiting,
                State::Error => Kind::Error,
                State::Idle if std::mem::take(&mut t.turn) && s.status.is_finished_turn() => {
                    Kind::Done
                }
                _ => continue,
            };
            if kind == Kind::Error {
                t.turn = false;
            }
            if s.in_front {
                continue;
            }
            if kind != Kind::Waiting {
                out.mark.push((s.session.to_string(), now));
            }
            let flap = self.rules.flap_ms;
            if t.told
                .iter()
                .any(|(k, at)| *k == kind && now.saturating_sub(*at) < flap)
            {
                continue;
            }
            t.told.retain(|(k, _)| *k != kind);
            t.told.push((kind, now));
            out.tell.push(Told {
                session: s.session.to_string(),
                kind,
                status: s.status.clone(),
                at: now,
            });
        }
        self.tracks
            .retain(|_, t| now.saturating_sub(t.last_seen) < FORGET_MS);
        out
    }

    /// When a state not yet counted will have lasted long enough to count, Unix ms (of the
    /// sessions the latest refresh saw).
    pub fn next_deadline(&self) -> Option<i64> {
        self.tracks
            .values()
            .filter(|t| !t.counted && t.last_seen == self.now)
            .map(|t| t.since.saturating_add(self.rules.hold_ms))
            .min()
    }
}

#[cfg(test)]
mod tests;
