//! Status inference: a pure function of (session facts, process facts, now).

use super::state::{State, Status};
use crate::source::db_types::SessionFacts;
use crate::source::plugin::LiveState;

/// What otop knows about the process running a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Liveness {
    /// Some process runs this session.
    pub has_process: bool,
    /// CPU% over the last sample interval; None when only one sample exists (one-shot mode).
    pub cpu_percent: Option<f32>,
    /// Latest `stream error` the log recorded for this session, Unix ms.
    pub stream_error_at: Option<i64>,
    /// Live state from the companion plugin, when a fresh plugin file exists.
    pub plugin: Option<LiveState>,
}

/// Infers the status of `session`, given its subagent `children` and what runs it.
pub fn infer(
    _session: &SessionFacts,
    _children: &[SessionFacts],
    _live: &Liveness,
    _now: i64,
) -> Status {
    Status::new(State::Idle, "idle")
}
