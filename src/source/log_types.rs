//! Facts read from opencode's log files.

use std::collections::HashMap;

/// How a log run is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RunKey {
    /// Up to 1.15: one file per process; the path of that file.
    File(String),
    /// From 1.17: the `run=<8 hex>` field of the shared `opencode.log`.
    Run(String),
}

/// What one opencode process wrote to its log, as far as otop cares.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRun {
    pub key: RunKey,
    /// Time of the run's first line, Unix ms.
    pub started_at: Option<i64>,
    /// `directory=` of the `creating instance` line.
    pub directory: Option<String>,
    /// Session ids named by the run, with the time they were last named (Unix ms).
    pub sessions: HashMap<String, i64>,
    /// Session ids with a `stream error` line, with the time of the latest one.
    pub stream_errors: HashMap<String, i64>,
}

impl LogRun {
    pub fn new(key: RunKey) -> Self {
        LogRun {
            key,
            started_at: None,
            directory: None,
            sessions: HashMap::new(),
            stream_errors: HashMap::new(),
        }
    }

    /// The session this run named last, if any.
    pub fn latest_session(&self) -> Option<&str> {
        self.sessions
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
            .map(|(id, _)| id.as_str())
    }
}
