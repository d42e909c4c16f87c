//! A session's day from opencode's own records (#30): turns from their messages' times, the
//! waits of the `question` tool from its part's run.
//!
//! - A turn runs from its user message's `time.created` to the latest `time.completed` of its
//!   assistant messages: working, but for the questions asked in it (a question part's
//!   `state.time.start` to `end`, or to the turn's end while it is unanswered): waiting.
//! - A turn still unfinished runs to `open_until` if it is the last (the caller says how far:
//!   now while a process runs the session, else its last write), to its last write otherwise.
//! - After a turn that failed (an error other than an abort): error until the next turn, as
//!   the list shows it: the session sits there failed until someone prompts it again. After a
//!   last turn left unfinished (its process gone): stalled. Otherwise idle until the next turn.
//! - Before the first message read: unknown (no interval).

use super::{Interval, Origin, Timeline};
use crate::model::state::State;
use crate::source::db::types::{DayFacts, DayMessage};

const ABORTED: &str = "MessageAbortedError";

/// One turn: its user message and the assistant messages after it.
#[derive(Debug, Default)]
struct Turn<'a> {
    start: i64,
    /// The latest `time.completed` of its assistant messages.
    completed: Option<i64>,
    /// The latest write of any of its messages.
    last_write: i64,
    /// Its newest assistant message is finished (none yet: not finished).
    finished: bool,
    /// The newest assistant message's error.
    error: Option<&'a str>,
    ids: Vec<&'a str>,
}

fn turns(messages: &[DayMessage]) -> Vec<Turn<'_>> {
    let mut out: Vec<Turn> = Vec::new();
    for m in messages {
        if m.user || out.is_empty() {
            out.push(Turn {
                start: m.created,
                last_write: m.created,
                ..Turn::default()
            });
        }
        let Some(t) = out.last_mut() else { continue };
        t.last_write = t
            .last_write
            .max(m.updated.unwrap_or(m.created))
            .max(m.created);
        if m.user {
            continue;
        }
        t.ids.push(&m.id);
        t.finished = m.completed.is_some();
        t.error = m.error.as_deref();
        if let Some(c) = m.completed {
            t.completed = Some(t.completed.map_or(c, |p: i64| p.max(c)));
            t.last_write = t.last_write.max(c);
        }
    }
    out
}

/// The session's intervals as its records tell them, up to `now`; an unfinished last turn
/// runs to `open_until` (at least to its last write).
pub fn from_records(facts: &DayFacts, open_until: i64, now: i64) -> Timeline {
    let turns = turns(&facts.messages);
    let mut out = Vec::new();
    for (i, t) in turns.iter().enumerate() {
        let next = turns.get(i + 1).map(|n| n.start);
        let last = next.is_none();
        let end = match (t.finished, t.completed) {
            (true, Some(c)) => c,
            _ if last => open_until.max(t.last_write),
            _ => t.last_write,
        };
        let end = next.map_or(end, |n| end.min(n)).max(t.start);
        let waits: Vec<(i64, i64)> = facts
            .questions
            .iter()
            .filter(|q| t.ids.contains(&q.message_id.as_str()))
            .filter_map(|q| Some((q.start?.max(t.start), q.end.unwrap_or(end).min(end))))
            .filter(|(a, b)| a < b)
            .collect();
        carve(&mut out, t.start, end, waits);
        let after = next.unwrap_or(now);
        let state = match (t.finished, t.error) {
            (true, Some(e)) if e != ABORTED => State::Error,
            (false, _) if last => State::Stalled,
            _ => State::Idle,
        };
        push(&mut out, state, end, after);
    }
    Timeline { intervals: out }
}

/// Working from `start` to `end`, but waiting within `waits`.
fn carve(out: &mut Vec<Interval>, start: i64, end: i64, mut waits: Vec<(i64, i64)>) {
    waits.sort_unstable();
    let mut at = start;
    for (a, b) in waits {
        push(out, State::Working, at, a);
        push(out, State::Waiting, a.max(at), b);
        at = at.max(b);
    }
    push(out, State::Working, at, end);
}

/// Appends `[start, end)` in `state`, joined to the last interval when that one is the same
/// state and ends there; nothing when empty.
fn push(out: &mut Vec<Interval>, state: State, start: i64, end: i64) {
    if end <= start {
        return;
    }
    if let Some(l) = out.last_mut()
        && l.state == state
        && l.end == start
        && l.origin == Origin::Recorded
    {
        l.end = end;
        return;
    }
    out.push(Interval {
        state,
        start,
        end,
        origin: Origin::Recorded,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::db::types::QuestionTime;

    fn user(id: &str, at: i64) -> DayMessage {
        DayMessage {
            id: id.into(),
            user: true,
            created: at,
            updated: Some(at),
            ..DayMessage::default()
        }
    }

    fn reply(id: &str, at: i64, done: Option<i64>, error: Option<&str>) -> DayMessage {
        DayMessage {
            id: id.into(),
            created: at,
            updated: Some(done.unwrap_or(at)),
            completed: done,
            error: error.map(str::to_string),
            ..DayMessage::default()
        }
    }

    fn question(msg: &str, start: i64, end: Option<i64>) -> QuestionTime {
        QuestionTime {
            message_id: msg.into(),
            start: Some(start),
            end,
            status: Some(
                if end.is_some() {
                    "completed"
                } else {
                    "running"
                }
                .into(),
            ),
        }
    }

    fn states(t: &Timeline) -> Vec<(State, i64, i64)> {
        t.intervals
            .iter()
            .map(|i| (i.state, i.start, i.end))
            .collect()
    }

    #[test]
    fn a_turn_is_working_with_its_question_waiting_inside_then_idle() {
        let facts = DayFacts {
            messages: vec![
                user("u1", 1_000),
                reply("a1", 1_100, Some(5_000), None),
                reply("a2", 5_000, Some(90_000), None),
            ],
            questions: vec![question("a1", 3_000, Some(23_000))],
        };
        let t = from_records(&facts, 100_000, 100_000);
        assert_eq!(
            states(&t),
            vec![
                (State::Working, 1_000, 3_000),
                (State::Waiting, 3_000, 23_000),
                (State::Working, 23_000, 90_000),
                (State::Idle, 90_000, 100_000),
            ]
        );
        assert_eq!(t.waited(0, 100_000), 20_000);
        assert!(t.intervals.iter().all(|i| i.origin == Origin::Recorded));
    }

    #[test]
    fn an_unanswered_question_waits_until_now_while_the_session_runs() {
        let facts = DayFacts {
            messages: vec![user("u1", 0), reply("a1", 10, None, None)],
            questions: vec![question("a1", 500, None)],
        };
        let t = from_records(&facts, 60_000, 60_000);
        assert_eq!(
            states(&t),
            vec![(State::Working, 0, 500), (State::Waiting, 500, 60_000)]
        );
        // No process: the turn ends at its last write and the session is stalled since.
        let t = from_records(&facts, 0, 60_000);
        assert_eq!(
            states(&t),
            vec![(State::Working, 0, 10), (State::Stalled, 10, 60_000)]
        );
    }

    #[test]
    fn a_failed_turn_is_an_error_until_the_next_prompt_and_an_abort_is_not() {
        let facts = DayFacts {
            messages: vec![
                user("u1", 0),
                reply("a1", 10, Some(1_000), Some("APIError")),
                user("u2", 5_000),
                reply("a2", 5_010, Some(6_000), Some(ABORTED)),
            ],
            questions: vec![],
        };
        let t = from_records(&facts, 9_000, 9_000);
        assert_eq!(
            states(&t),
            vec![
                (State::Working, 0, 1_000),
                (State::Error, 1_000, 5_000),
                (State::Working, 5_000, 6_000),
                (State::Idle, 6_000, 9_000),
            ]
        );
    }

    #[test]
    fn a_turn_left_unfinished_before_another_ends_at_its_last_write() {
        let facts = DayFacts {
            messages: vec![
                user("u1", 0),
                reply("a1", 10, None, None),
                user("u2", 5_000),
                reply("a2", 5_010, Some(6_000), None),
            ],
            questions: vec![question("zz", 1, Some(2))],
        };
        let t = from_records(&facts, 7_000, 7_000);
        assert_eq!(
            states(&t),
            vec![
                (State::Working, 0, 10),
                (State::Idle, 10, 5_000),
                (State::Working, 5_000, 6_000),
                (State::Idle, 6_000, 7_000),
            ]
        );
    }

    #[test]
    fn nothing_read_is_nothing_known() {
        assert_eq!(
            from_records(&DayFacts::default(), 5, 5),
            Timeline::default()
        );
    }
}
