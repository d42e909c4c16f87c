//! `otop report`'s figures (#30): per session and per project, the time working, waiting for
//! the user and in error within a window, with the messages, tokens and spend opencode
//! recorded in it, and the longest waits. Pure: built from each session's records and
//! timeline, the window a parameter. The JSON of `otop report --json` is these types.

use std::collections::BTreeMap;

use serde::Serialize;

use super::state::State;
use super::timeline::{Interval, Origin, Timeline};
use crate::source::db::types::{DayFacts, SessionName, Tokens};

/// Waits listed per session and overall.
pub const LONGEST_WAITS: usize = 5;

/// Time and spend over a window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub working_ms: i64,
    /// Waiting for the user: a question or a permission request.
    pub waiting_ms: i64,
    pub error_ms: i64,
    /// Of those three, the time only a running otop saw (the records keep no trace of it).
    pub observed_ms: i64,
    /// Messages created in the window.
    pub messages: u64,
    pub tokens: Tokens,
    /// What opencode recorded the window's assistant messages cost; None where none says.
    pub cost: Option<f64>,
}

impl Figures {
    fn add(&mut self, o: &Figures, time: bool) {
        if time {
            self.working_ms += o.working_ms;
            self.waiting_ms += o.waiting_ms;
            self.error_ms += o.error_ms;
            self.observed_ms += o.observed_ms;
        }
        self.messages += o.messages;
        let t = &mut self.tokens;
        t.input += o.tokens.input;
        t.output += o.tokens.output;
        t.reasoning += o.tokens.reasoning;
        t.cache_read += o.tokens.cache_read;
        t.cache_write += o.tokens.cache_write;
        self.cost = match (self.cost, o.cost) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }

    /// The times of `t` within `[from, to)`.
    pub fn of_timeline(t: &Timeline, from: i64, to: i64) -> Figures {
        Figures {
            working_ms: t.time_in(State::Working, from, to),
            waiting_ms: t.waited(from, to),
            error_ms: t.time_in(State::Error, from, to),
            observed_ms: t
                .intervals
                .iter()
                .filter(|i| i.origin == Origin::Observed)
                .map(|i| i.overlap(from, to))
                .sum(),
            ..Figures::default()
        }
    }
}

/// One wait for the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wait {
    pub session: String,
    pub start: i64,
    pub end: i64,
    /// Within the window.
    pub ms: i64,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionDay {
    pub id: String,
    pub title: Option<String>,
    pub directory: Option<String>,
    /// Set for a subagent's session: its time is within its parent's turn, so a project's
    /// times leave it out (its messages, tokens and spend count).
    pub parent_id: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    pub longest_waits: Vec<Wait>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectDay {
    /// The sessions' directory.
    pub directory: String,
    pub sessions: usize,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The window, Unix ms.
    pub since: i64,
    pub until: i64,
    /// Top-level sessions' times, every session's messages, tokens and spend.
    pub total: Figures,
    pub projects: Vec<ProjectDay>,
    /// Most waited first, then most worked.
    pub sessions: Vec<SessionDay>,
    pub longest_waits: Vec<Wait>,
    /// What the figures cannot say (a source that gave no timelines, …).
    pub notes: Vec<String>,
}

/// A session's day within `[from, to)` from its records' messages and its timeline.
pub fn session_day(
    name: &SessionName,
    facts: &DayFacts,
    timeline: &Timeline,
    from: i64,
    to: i64,
) -> SessionDay {
    let mut figures = Figures::of_timeline(timeline, from, to);
    for m in facts
        .messages
        .iter()
        .filter(|m| m.created >= from && m.created < to)
    {
        let one = Figures {
            messages: 1,
            tokens: m.tokens,
            cost: m.cost,
            ..Figures::default()
        };
        figures.add(&one, false);
    }
    SessionDay {
        id: name.id.clone(),
        title: name.title.clone(),
        directory: name.directory.clone(),
        parent_id: name.parent_id.clone(),
        figures,
        longest_waits: waits(&name.id, timeline, from, to),
    }
}

/// The longest waits of session `id`'s timeline `t` within `[from, to)`.
pub fn waits(id: &str, t: &Timeline, from: i64, to: i64) -> Vec<Wait> {
    t.longest_waits(from, to, LONGEST_WAITS)
        .iter()
        .map(|i: &Interval| Wait {
            session: id.to_string(),
            start: i.start,
            end: i.end,
            ms: i.overlap(from, to),
            origin: i.origin,
        })
        .collect()
}

/// The report of `sessions` over `[since, until)`: sessions with nothing in the window left
/// out, projects by directory.
pub fn report(sessions: Vec<SessionDay>, since: i64, until: i64) -> Report {
    let mut sessions: Vec<SessionDay> = sessions
        .into_iter()
        .filter(|s| {
            let f = &s.figures;
            f.messages > 0 || f.working_ms > 0 || f.waiting_ms > 0 || f.error_ms > 0
        })
        .collect();
    sessions.sort_by(|a, b| {
        (b.figures.waiting_ms, b.figures.working_ms, &a.id).cmp(&(
            a.figures.waiting_ms,
            a.figures.working_ms,
            &b.id,
        ))
    });
    let mut total = Figures::default();
    let mut projects: BTreeMap<String, ProjectDay> = BTreeMap::new();
    for s in &sessions {
        let top = s.parent_id.is_none();
        total.add(&s.figures, top);
        let dir = s.directory.clone().unwrap_or_else(|| "-".into());
        let p = projects.entry(dir.clone()).or_insert_with(|| ProjectDay {
            directory: dir,
            sessions: 0,
            figures: Figures::default(),
        });
        p.sessions += usize::from(top);
        p.figures.add(&s.figures, top);
    }
    let mut projects: Vec<ProjectDay> = projects.into_values().collect();
    projects.sort_by(|a, b| {
        (b.figures.waiting_ms, b.figures.working_ms)
            .cmp(&(a.figures.waiting_ms, a.figures.working_ms))
    });
    let mut longest: Vec<Wait> = sessions
        .iter()
        .flat_map(|s| s.longest_waits.iter().cloned())
        .collect();
    longest.sort_by(|a, b| b.ms.cmp(&a.ms).then(a.start.cmp(&b.start)));
    longest.truncate(LONGEST_WAITS);
    Report {
        since,
        until,
        total,
        projects,
        sessions,
        longest_waits: longest,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::db::types::DayMessage;

    fn iv(state: State, start: i64, end: i64, origin: Origin) -> Interval {
        Interval::new(state, start, end, origin)
    }

    fn name(id: &str, dir: &str, parent: Option<&str>) -> SessionName {
        SessionName {
            id: id.into(),
            title: Some(format!("title {id}")),
            directory: Some(dir.into()),
            parent_id: parent.map(str::to_string),
        }
    }

    #[test]
    fn a_project_sums_its_sessions_and_leaves_subagents_time_to_their_parents() {
        let t = Timeline {
            intervals: vec![
                iv(State::Working, 0, 1_000, Origin::Recorded),
                iv(State::Waiting, 1_000, 3_000, Origin::Observed),
                iv(State::Error, 3_000, 4_000, Origin::Recorded),
            ],
        };
        let msg = |created: i64, cost: Option<f64>| DayMessage {
            id: format!("m{created}"),
            created,
            cost,
            tokens: Tokens {
                output: 10,
                ..Tokens::default()
            },
            ..DayMessage::default()
        };
        // A message before the window (the turn running at its start) is not counted.
        let facts = DayFacts {
            messages: vec![msg(-5, Some(9.0)), msg(10, Some(0.5)), msg(20, None)],
            questions: vec![],
        };
        let a = session_day(&name("a", "/p", None), &facts, &t, 0, 10_000);
        assert_eq!(
            (
                a.figures.working_ms,
                a.figures.waiting_ms,
                a.figures.error_ms
            ),
            (1_000, 2_000, 1_000)
        );
        assert_eq!(a.figures.observed_ms, 2_000);
        assert_eq!((a.figures.messages, a.figures.cost), (2, Some(0.5)));
        assert_eq!(a.figures.tokens.output, 20);
        assert_eq!(a.longest_waits[0].ms, 2_000);
        let child = session_day(&name("c", "/p", Some("a")), &facts, &t, 0, 10_000);
        let idle = session_day(
            &name("i", "/q", None),
            &DayFacts::default(),
            &Timeline::default(),
            0,
            10_000,
        );
        let r = report(vec![child, a, idle], 0, 10_000);
        assert_eq!(r.sessions.len(), 2, "nothing in the window: left out");
        assert_eq!(r.projects.len(), 1);
        let p = &r.projects[0];
        assert_eq!(
            (p.sessions, p.figures.waiting_ms, p.figures.messages),
            (1, 2_000, 4)
        );
        assert_eq!(p.figures.cost, Some(1.0));
        assert_eq!(r.total.waiting_ms, 2_000);
        assert_eq!(r.longest_waits.len(), 2);
    }
}
