//! What a plugin file says, as the model reads it.

use std::collections::HashMap;

use crate::source::db::types::QuestionFacts;

/// Live state of one session as the plugin saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// `idle`, `busy` or `retry`.
    pub status: Option<String>,
    pub retry_attempt: Option<u32>,
    pub retry_message: Option<String>,
    /// Unix ms of the next retry.
    pub retry_next: Option<i64>,
    /// A pending permission: tool and pattern/command, e.g. `bash rm -rf build`.
    pub permission: Option<String>,
    /// A pending question's header.
    pub question: Option<String>,
    /// The pending permission's request id (`per_…`), by which the plugin answers it.
    pub permission_id: Option<String>,
    /// The pending question's request id (`que_…`) and what it asks.
    pub question_id: Option<String>,
    pub questions: Vec<QuestionFacts>,
    pub error: Option<String>,
    pub updated_at: Option<i64>,
}

/// One plugin file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginFile {
    pub pid: u32,
    /// Process start time, Unix ms, as the plugin read it.
    pub started_at: Option<i64>,
    pub version: Option<String>,
    /// Current top-level session of the process.
    pub session_id: Option<String>,
    pub sessions: HashMap<String, LiveState>,
    pub written_at: Option<i64>,
    /// The plugin listens for answers on its channel.
    pub channel: bool,
}
