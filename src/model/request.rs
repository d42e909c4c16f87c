//! A request a session waits on that otop can answer: a permission or a question, with the id
//! it is answered by. [`infer`](super::infer) finds it with the waiting state, so the status a
//! row shows and the request an answer goes to are one decision.

use serde::{Deserialize, Serialize};

use crate::error::answer::Misfit;
use crate::source::db::types::{QuestionFacts, ToolFacts};
use crate::source::plugin::types::LiveState;

use super::row::Row;

/// What a session waits for, as far as answering it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// opencode's request id (`per_…`, `que_…`) when the companion plugin reported it; else the
    /// waiting tool part's id (`prt_…`), read from the database.
    pub id: String,
    /// The session it belongs to (a subagent's, when the parent waits on it).
    pub session_id: String,
    /// Reported by the companion plugin, which answers it by id.
    pub from_plugin: bool,
    #[serde(flatten)]
    pub ask: Ask,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Ask {
    /// `tool` (`bash`, `edit`, …) asks to run; `what` is the command or path.
    Permission { tool: String, what: String },
    /// The questions of one request; opencode answers them together.
    Question { questions: Vec<QuestionFacts> },
}

/// An answer to a [`Request`]. Its JSON (`"once"`, `{"option":2}`, `{"text":"…"}`) is what an
/// answer sent to another machine carries (`collect::wire::AnswerOrder`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// Allow this once.
    Once,
    /// Allow it, and what matches it, until opencode restarts.
    Always,
    Reject,
    /// The n-th option (from 1) of the only question.
    Option(usize),
    /// A typed answer to the only question.
    Text(String),
}

/// An answer for the session of a row, as a view or the command line asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The row as the asker saw it: which process, which session.
    pub row: Row,
    /// The request the asker saw (a view always names it; `otop reply` may leave it to
    /// whatever is pending now).
    pub request: Option<String>,
    pub answer: Answer,
}

impl Order {
    /// An answer to the request `row` shows now.
    pub fn to_shown(row: &Row, answer: Answer) -> Option<Order> {
        let request = row.status.request.as_ref()?.id.clone();
        Some(Order {
            row: row.clone(),
            request: Some(request),
            answer,
        })
    }
}

impl Answer {
    /// As the answers log and messages write it: `once`, `always`, `reject`, `option 2`,
    /// `text "…"`.
    pub fn describe(&self) -> String {
        match self {
            Answer::Once => "once".into(),
            Answer::Always => "always".into(),
            Answer::Reject => "reject".into(),
            Answer::Option(n) => format!("option {n}"),
            Answer::Text(t) => format!("text {t:?}"),
        }
    }
}

impl Request {
    /// The request behind a running tool part read from the database: a `question`, or a tool
    /// waiting for permission.
    pub fn from_part(session_id: &str, part: &ToolFacts) -> Option<Request> {
        if part.part_id.is_empty() {
            return None;
        }
        let ask = if part.tool == "question" {
            Ask::Question {
                questions: part.questions.clone(),
            }
        } else {
            Ask::Permission {
                tool: part.tool.clone(),
                what: part
                    .command
                    .clone()
                    .or(part.input_summary.clone())
                    .unwrap_or_default(),
            }
        };
        Some(Request {
            id: part.part_id.clone(),
            session_id: session_id.to_string(),
            from_plugin: false,
            ask,
        })
    }

    /// The plugin's pending permission (when `permission`) or question of a session.
    pub fn from_plugin(session_id: &str, live: &LiveState, permission: bool) -> Option<Request> {
        let (id, ask) = if permission {
            let what = live.permission.as_deref().unwrap_or("");
            let (tool, what) = what.split_once(' ').unwrap_or((what, ""));
            (
                live.permission_id.clone()?,
                Ask::Permission {
                    tool: tool.to_string(),
                    what: what.to_string(),
                },
            )
        } else {
            (
                live.question_id.clone()?,
                Ask::Question {
                    questions: live.questions.clone(),
                },
            )
        };
        Some(Request {
            id,
            session_id: session_id.to_string(),
            from_plugin: true,
            ask,
        })
    }

    /// The only question of a question request with one single-choice question; None for a
    /// permission or a request of several questions (answered in opencode's own dialog).
    pub fn single_question(&self) -> Option<&QuestionFacts> {
        match &self.ask {
            Ask::Question { questions } if questions.len() == 1 && !questions[0].multiple => {
                questions.first()
            }
            _ => None,
        }
    }

    /// Whether `answer` is one this request takes; if not, why.
    pub fn check(&self, answer: &Answer) -> Result<(), Misfit> {
        match (&self.ask, answer) {
            (Ask::Permission { .. }, Answer::Once | Answer::Always | Answer::Reject) => Ok(()),
            (Ask::Permission { tool, .. }, _) => Err(Misfit::Permission { tool: tool.clone() }),
            (Ask::Question { .. }, Answer::Once | Answer::Always | Answer::Reject) => {
                Err(Misfit::Question)
            }
            (Ask::Question { questions }, _) if self.single_question().is_none() => {
                Err(Misfit::Several {
                    questions: questions.len(),
                })
            }
            (Ask::Question { questions }, Answer::Option(n)) => {
                let count = questions[0].options.len();
                if (1..=count).contains(n) {
                    Ok(())
                } else {
                    Err(Misfit::NoOption { count, chosen: *n })
                }
            }
            (Ask::Question { questions }, Answer::Text(t)) => {
                if !questions[0].custom {
                    Err(Misfit::NotTyped)
                } else if t.trim().is_empty() {
                    Err(Misfit::Empty)
                } else if t.chars().any(char::is_control) {
                    Err(Misfit::NotOneLine)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// What a row shows of it: `permission: bash sleep 5`, `? Which colour?`.
    pub fn headline(&self) -> String {
        match (&self.ask, self.single_question()) {
            (Ask::Permission { .. }, _) => format!("permission: {}", self.summary()),
            (_, Some(q)) => format!("? {}", q.question),
            _ => format!("? {}", self.summary()),
        }
    }

    /// One line saying what it asks: `bash sleep 5`, `Which colour? (Red, Blue)`.
    pub fn summary(&self) -> String {
        match &self.ask {
            Ask::Permission { tool, what } => format!("{tool} {what}").trim().to_string(),
            Ask::Question { questions } => match questions.as_slice() {
                [q] => format!("{} ({})", q.question, q.options.join(", ")),
                qs => format!("{} questions", qs.len()),
            },
        }
    }
}

/// The tests' question: "Which colour?" with `options`, from the plugin as `que_1` of `ses_1`.
#[cfg(test)]
pub(crate) fn question(options: &[&str], custom: bool) -> Request {
    Request {
        id: "que_1".into(),
        session_id: "ses_1".into(),
        from_plugin: true,
        ask: Ask::Question {
            questions: vec![QuestionFacts {
                question: "Which colour?".into(),
                header: Some("Colour".into()),
                options: options.iter().map(|o| o.to_string()).collect(),
                multiple: false,
                custom,
            }],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_must_fit_what_is_asked() {
        let q = question(&["Red", "Blue"], true);
        assert!(q.check(&Answer::Option(2)).is_ok());
        assert_eq!(
            q.check(&Answer::Option(3)),
            Err(Misfit::NoOption {
                count: 2,
                chosen: 3
            })
        );
        assert_eq!(
            q.check(&Answer::Option(0)),
            Err(Misfit::NoOption {
                count: 2,
                chosen: 0
            })
        );
        assert!(q.check(&Answer::Text("Green".into())).is_ok());
        assert_eq!(
            q.check(&Answer::Text("a\u{1b}[2J".into())),
            Err(Misfit::NotOneLine)
        );
        assert_eq!(
            q.check(&Answer::Text("two\nlines".into())),
            Err(Misfit::NotOneLine)
        );
        assert_eq!(q.check(&Answer::Text("  ".into())), Err(Misfit::Empty));
        assert_eq!(q.check(&Answer::Once), Err(Misfit::Question));
        let fixed = question(&["Red"], false);
        assert_eq!(
            fixed.check(&Answer::Text("Green".into())),
            Err(Misfit::NotTyped)
        );
        let p = Request {
            ask: Ask::Permission {
                tool: "bash".into(),
                what: "sleep 5".into(),
            },
            ..q.clone()
        };
        assert!(p.check(&Answer::Reject).is_ok());
        assert_eq!(
            p.check(&Answer::Option(1)),
            Err(Misfit::Permission {
                tool: "bash".into()
            })
        );
        assert_eq!(p.summary(), "bash sleep 5");
        assert_eq!(q.summary(), "Which colour? (Red, Blue)");
    }

    #[test]
    fn several_questions_are_left_to_opencode() {
        let mut q = question(&["Red"], true);
        if let Ask::Question { questions } = &mut q.ask {
            questions.push(questions[0].clone());
        }
        let why = q.check(&Answer::Option(1)).expect_err("refused");
        assert_eq!(why, Misfit::Several { questions: 2 });
        assert_eq!(
            why.to_string(),
            "it asks 2 questions at once: answer it in opencode"
        );
    }

    #[test]
    fn a_plugin_permission_splits_tool_and_command() {
        let live = LiveState {
            permission: Some("bash rm -rf build".into()),
            permission_id: Some("per_9".into()),
            ..LiveState::default()
        };
        let r = Request::from_plugin("ses_1", &live, true).expect("a request");
        assert_eq!(r.id, "per_9");
        assert_eq!(
            r.ask,
            Ask::Permission {
                tool: "bash".into(),
                what: "rm -rf build".into()
            }
        );
        // A plugin from before answers reports no id: nothing to answer by.
        let old = LiveState {
            permission_id: None,
            ..live
        };
        assert_eq!(Request::from_plugin("ses_1", &old, true), None);
    }
}
