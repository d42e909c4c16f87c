//! The status otop shows for a session: a coarse state and a fine reason.

use serde::{Deserialize, Serialize};

use super::request::Request;

/// Coarse state: exactly one per session. Ordered most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The session needs the user: a question or a permission request.
    Waiting,
    /// The last turn failed, or the provider is failing and being retried.
    Error,
    /// The model is generating, thinking or running a tool.
    Working,
    /// Finished its turn; nothing to do.
    Idle,
    /// Mid-turn in the database but nothing is moving (no process, no writes, no CPU).
    Stalled,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Waiting,
        State::Error,
        State::Working,
        State::Idle,
        State::Stalled,
    ];

    /// The one-character mark of each state, in the status segment and the picker (the status
    /// text is always shown too: the mark is never the only signal).
    pub fn symbol(self) -> &'static str {
        match self {
            State::Waiting => "◆",
            State::Error => "✗",
            State::Working => "●",
            State::Idle => "○",
            State::Stalled => "◌",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Error => "error",
            State::Working => "working",
            State::Idle => "idle",
            State::Stalled => "stalled",
        }
    }
}

/// A state with its reason, e.g. (`working`, `tool:bash`) or (`waiting`, `permission`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub state: State,
    /// Fine status: `generating`, `thinking`, `tool:bash`, `asking`, `permission`,
    /// `retrying`, `compacting`, `aborted`, `error`, `idle`, `stalled`, …
    pub detail: String,
    /// What a waiting session waits on, when otop can answer it.
    #[serde(skip)]
    pub request: Option<Box<Request>>,
}

impl Status {
    pub fn new(state: State, detail: impl Into<String>) -> Self {
        Status {
            state,
            detail: detail.into(),
            request: None,
        }
    }

    /// The same status, waiting on `request`.
    pub fn with_request(mut self, request: Option<Request>) -> Self {
        self.request = request.map(Box::new);
        self
    }

    /// Idle after a turn that ended as turns should (not aborted, not a new session).
    pub fn is_finished_turn(&self) -> bool {
        self.state == State::Idle && self.detail == "idle"
    }

    /// opencode is retrying a failing provider (the plugin's `retry`, or `stream error` lines
    /// with nothing written since): the detail carries the attempt and the provider's error.
    pub fn is_retrying(&self) -> bool {
        self.state == State::Error && self.detail.starts_with("retrying")
    }

    /// Transitional states (thinking, queued, compacting, waiting for the model) are drawn
    /// apart from steady work.
    pub fn is_transitional(&self) -> bool {
        self.state == State::Working
            && (matches!(
                self.detail.as_str(),
                "thinking" | "queued" | "compacting" | "starting"
            ) || self.detail.starts_with("waiting for the model"))
    }
}

/// Which correlation rule tied a process to its session, most certain first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchRule {
    /// An explicit `-s/--session <id>` in argv.
    Flag,
    /// The companion plugin's mapping file.
    Plugin,
    /// opencode's own log named the session for this process.
    Log,
    /// The session in the process's cwd with most activity since the process started.
    Activity,
    /// Fallback: the most recently updated session of the process's cwd.
    Directory,
}

impl MatchRule {
    /// Certain rules are resolved in the first pass, before any guess.
    pub fn is_certain(self) -> bool {
        matches!(self, MatchRule::Flag | MatchRule::Plugin | MatchRule::Log)
    }
}
