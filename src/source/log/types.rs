//! Facts read from opencode's log files.

use std::collections::{HashMap, HashSet};

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
    /// Sessions created with a `parentID` (subagents): named, but never the run's own session.
    pub children: HashSet<String>,
    /// Time of the run's latest line, Unix ms (old runs of gone processes are forgotten).
    pub last_seen: Option<i64>,
    /// Session ids with `stream error` lines, and what those lines said.
    pub stream_errors: HashMap<String, StreamErrors>,
}

/// What `stream error` lines said of one session: opencode writes one per failed attempt at
/// the provider, and nothing else (the database is not written) until it retries with success
/// or gives up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamErrors {
    /// Times of the latest lines, Unix ms, oldest first (at most [`StreamErrors::KEPT`]).
    pub times: Vec<i64>,
    /// The error of the latest line that gave one (`error.error=`, its class dropped: `mock
    /// upstream failure`).
    pub message: Option<String>,
    /// When that line was written, Unix ms.
    pub message_at: Option<i64>,
}

impl StreamErrors {
    /// Lines kept per session: more attempts than opencode makes in one round.
    pub const KEPT: usize = 32;

    /// Time of the latest line.
    pub fn latest(&self) -> Option<i64> {
        self.times.last().copied()
    }

    /// Adds one line (lines may come from several runs, in any order).
    pub fn add(&mut self, time: i64, message: Option<&str>) {
        let at = self.times.partition_point(|t| *t <= time);
        self.times.insert(at, time);
        if self.times.len() > Self::KEPT {
            self.times.remove(0);
        }
        self.said(time, message);
    }

    fn said(&mut self, time: i64, message: Option<&str>) {
        if let Some(m) = message
            && self.message_at.is_none_or(|t| t <= time)
        {
            self.message = Some(m.to_string());
            self.message_at = Some(time);
        }
    }

    /// Both sessions' lines, as if one run had written them all.
    pub fn merge(&mut self, other: &StreamErrors) {
        for t in &other.times {
            self.add(*t, None);
        }
        if let Some(at) = other.message_at {
            self.said(at, other.message.as_deref());
        }
    }

    /// Lines after `since` (Unix ms): the failed attempts of a round that started then.
    pub fn since(&self, since: i64) -> usize {
        self.times.iter().filter(|t| **t > since).count()
    }
}

impl LogRun {
    pub fn new(key: RunKey) -> Self {
        LogRun {
            key,
            started_at: None,
            directory: None,
            sessions: HashMap::new(),
            children: HashSet::new(),
            last_seen: None,
            stream_errors: HashMap::new(),
        }
    }

    /// The session this run named last, if any; a top-level session wins over subagents
    /// (whose lines follow their parent's), which count only when nothing else was named.
    pub fn latest_session(&self) -> Option<&str> {
        let latest = |top_only: bool| {
            self.sessions
                .iter()
                .filter(|(id, _)| !top_only || !self.children.contains(*id))
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
                .map(|(id, _)| id.as_str())
        };
        latest(true).or_else(|| latest(false))
    }
}
