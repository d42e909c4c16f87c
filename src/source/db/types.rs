//! Facts read from opencode's database: plain owned data, no SQL here.
//! All times are Unix milliseconds, as opencode stores them.

use serde::{Deserialize, Serialize};

/// Token counts as opencode records them (summed over a session's assistant messages).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub reasoning: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

impl Tokens {
    /// Context as opencode counts it: fresh input plus input served from cache.
    pub fn context(&self) -> u64 {
        self.input.saturating_add(self.cache_read)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    Other,
}

/// The latest message of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageFacts {
    pub id: String,
    pub role: Role,
    pub created_at: Option<i64>,
    /// `time.completed` of an assistant message; None while it is still being produced.
    pub completed_at: Option<i64>,
    /// `finish`: `stop`, `tool-calls`, `length`, …
    pub finish: Option<String>,
    /// `error.name`, e.g. `MessageAbortedError`, `APIError`.
    pub error: Option<String>,
    /// `error.data.message` (or `error.message`), first line only.
    pub error_message: Option<String>,
    /// Number of parts the message has.
    pub part_count: u32,
    /// `message.time_updated` (row column), the last write to this message.
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolStatus {
    #[default]
    Pending,
    Running,
    Completed,
    Error,
}

/// A tool part of the latest assistant message that has not finished.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolFacts {
    /// Tool name: `bash`, `question`, `task`, `edit`, …
    pub tool: String,
    /// `state.title`, if the tool set one.
    pub title: Option<String>,
    pub status: ToolStatus,
    /// `state.time.start`, else the part's creation time.
    pub started_at: Option<i64>,
    /// Whether `state.metadata` is present: a running tool without it waits for a permission.
    pub has_metadata: bool,
    /// For `task`: the child session id from `state.metadata.sessionId`.
    pub child_session: Option<String>,
    /// A one-line summary of the input: bash `command`, a file path, a question header.
    pub input_summary: Option<String>,
    /// The part's id (`prt_…`): the request, while the tool waits for an answer.
    #[serde(skip)]
    pub part_id: String,
    /// bash: the whole command.
    #[serde(skip)]
    pub command: Option<String>,
    /// `question`: what it asks.
    #[serde(skip)]
    pub questions: Vec<QuestionFacts>,
}

/// One question of a `question` tool call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionFacts {
    pub question: String,
    pub header: Option<String>,
    /// The options' labels, in order.
    pub options: Vec<String>,
    /// Several options may be picked.
    pub multiple: bool,
    /// A typed answer is allowed.
    pub custom: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub content: String,
    /// `pending`, `in_progress`, `completed`, `cancelled`.
    pub status: String,
    /// `high`, `medium`, `low`.
    pub priority: String,
}

/// Everything otop shows about one session, read in one short transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionFacts {
    pub id: String,
    pub title: Option<String>,
    pub directory: Option<String>,
    pub parent_id: Option<String>,
    pub project_id: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub compacting_at: Option<i64>,
    pub archived_at: Option<i64>,
    /// `session.permission IS NOT NULL`; None when the column does not exist (old schema).
    pub has_permission: Option<bool>,
    /// `providerID/modelID` of the latest message that names one.
    pub model: Option<String>,
    /// Agent of the latest message (`build`, `plan`, …).
    pub agent: Option<String>,
    pub message_count: u64,
    /// Totals over the session: session.tokens_* columns where they exist, else summed from messages.
    pub tokens: Tokens,
    /// Context now in use: input + cache.read of the latest assistant message that has tokens.
    pub context_tokens: Option<u64>,
    pub cost: Option<f64>,
    pub last_message: Option<MessageFacts>,
    /// Creation time of the latest user message: the start of the current round.
    pub round_started_at: Option<i64>,
    /// Last non-empty line of the latest assistant text part.
    pub last_output: Option<String>,
    /// Unfinished (pending or running) tool parts of the latest assistant message.
    pub tools: Vec<ToolFacts>,
    pub todos: Vec<Todo>,
    /// Latest write seen for the session (message or part `time_updated`, else session `time_updated`).
    pub last_activity_at: Option<i64>,
}

impl SessionFacts {
    /// A subagent session (created by the `task` tool) runs inside its parent's process.
    pub fn is_subagent(&self) -> bool {
        self.parent_id.is_some()
    }
}

/// A session that a process might be running: enough to correlate, cheap to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub directory: Option<String>,
    pub parent_id: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub has_permission: Option<bool>,
    /// Messages created at or after the `since` time the query was asked for.
    pub messages_since: u64,
    /// Creation time of the latest message.
    pub last_message_at: Option<i64>,
}

/// One message in a session's history (detail view).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem {
    pub id: String,
    pub role: Role,
    pub created_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub agent: Option<String>,
    pub model: Option<String>,
    pub tokens: Tokens,
    pub finish: Option<String>,
    pub error: Option<String>,
    /// The message's text parts joined, cut to a few hundred characters.
    pub text: String,
    /// Tool parts in order: (tool name, title or input summary, status).
    pub tools: Vec<(String, Option<String>, ToolStatus)>,
}

/// Totals shown in the monitor's header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub sessions: u64,
    pub messages: u64,
    /// Context tokens (input + cache.read) summed over assistant messages.
    pub context_tokens: u64,
    pub output_tokens: u64,
    /// What opencode recorded the assistant messages cost, in millionths of a dollar (whole
    /// numbers: totals kept by adding and taking away rows never drift); 0 for most local and
    /// subscription providers.
    pub cost_micros: u64,
}

/// All-time and today's totals ("today" starts at local midnight).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TotalsPair {
    pub all_time: Totals,
    pub today: Totals,
}

/// How much of a session [`crate::source::db::Db::session_facts_to`] reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Depth {
    /// Everything the views show.
    #[default]
    Full,
    /// Only what status inference needs (`otop status`, run every few seconds by tmux): no
    /// message count, summed tokens, todos, or output line beyond the latest assistant message;
    /// the collector also leaves out opencode's helper processes.
    State,
}

/// One message as a session's day reads it (#30): when it began and ended, and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayMessage {
    pub id: String,
    /// A user message (a turn's start); else an assistant message.
    pub user: bool,
    pub created: i64,
    /// `time.completed` (assistant messages).
    pub completed: Option<i64>,
    /// The row's `time_updated`: its last write.
    pub updated: Option<i64>,
    /// `error.name`, e.g. `MessageAbortedError`, `APIError`.
    pub error: Option<String>,
    pub cost: Option<f64>,
    pub tokens: Tokens,
}

/// A `question` tool part's run: asked at `start`, answered (or dismissed) at `end`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionTime {
    pub message_id: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// `pending`, `running`, `completed`, `error`.
    pub status: Option<String>,
}

/// What opencode's records say of a session's day: its messages from the turn running at the
/// window's start on (oldest first) and the question parts among them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayFacts {
    pub messages: Vec<DayMessage>,
    pub questions: Vec<QuestionTime>,
}

/// A session's own row, as a report names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionName {
    pub id: String,
    pub title: Option<String>,
    pub directory: Option<String>,
    pub parent_id: Option<String>,
}
