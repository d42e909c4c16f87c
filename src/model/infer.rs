//! Status inference: a pure function of (session facts, process facts, now).
//!
//! Precedence, first match wins (each step is a function below):
//! 1. **Plugin** live state, when present: a pending permission or question → waiting;
//!    `retry` → error; `idle` → only the finished-turn rules (4); `busy` → the DB rules below,
//!    minus the guesses the plugin makes unnecessary (permission heuristic, retry heuristics,
//!    "no process").
//! 2. **New**: no messages → idle / `new`.
//! 3. **Finished** turn (latest message is a completed assistant message and nothing is
//!    compacting) → rule 4. Otherwise the session is mid-turn, as opencode's TUI sees it.
//! 4. Finished: aborted → idle / `aborted`; error → error; `tool-calls` → idle; else idle.
//! 5. Mid-turn, **no process** → stalled / `stalled: no process` (its traces, even a pending
//!    question, can no longer be answered).
//! 6. **Waiting**: a running `question` part; a running part without metadata past
//!    [`PERMISSION_GRACE_MS`]; a child session that waits. (With a busy plugin only the
//!    child: the plugin reports this session's questions and permissions itself.)
//! 7. **Retrying**: a `stream error` newer than the round with no write since (the plugin's
//!    `retry` is rule 1). Silence alone is no evidence: a busy local model server queues the
//!    request for minutes; that reads `waiting for the model` (rule 10) until rule 9 applies.
//! 8. **Running tool** or working child → working / `tool:<name>` / `subagent`.
//! 9. **Stalled**: no DB write for [`STALL_MS`] and CPU known and under [`STALL_CPU_PERCENT`].
//! 10. Working: `compacting`, `thinking`, `generating`, `waiting for the model (2m10s)` (an
//!     assistant message without parts past [`MODEL_WAIT_MS`]).

use super::request::Request;
use super::state::{State, Status};
use crate::source::db::types::{MessageFacts, Role, SessionFacts, ToolFacts, ToolStatus};
use crate::source::log::types::StreamErrors;
use crate::source::plugin::types::LiveState;

/// A running tool part without `state.metadata` this long is taken as a permission request.
/// Tools that run write metadata at once (bash writes `{output:""}` before starting), so a
/// short grace only hides the few ms between part creation and the first metadata write.
pub const PERMISSION_GRACE_MS: i64 = 2_000;

/// An assistant message in progress without any part this long reads `waiting for the model`:
/// opencode writes `step-start` when the provider's stream opens. The message looks the same
/// while opencode retries a failing provider and while a busy server queues the request, so
/// it is no alarm by itself; before this, prefill of a large context is just `thinking`.
pub const MODEL_WAIT_MS: i64 = 10_000;

/// A `stream error` stops counting once the session has written again this long after it:
/// a successful retry writes parts, and opencode waits at least 2 s before retrying, so
/// writes within 1 s of the error line belong to the failure itself.
pub const STREAM_ERROR_SLACK_MS: i64 = 1_000;

/// Mid-turn without any DB write this long (and idle CPU) is stalled. Generous: a model
/// thinking hard writes reasoning deltas far more often than this.
pub const STALL_MS: i64 = 5 * 60 * 1_000;

/// CPU% below which opencode is taken as doing nothing. Streaming a response costs more.
pub const STALL_CPU_PERCENT: f32 = 1.0;

/// A completed `tool-calls` message is followed within milliseconds by the next step's
/// assistant message; for this long it is still taken as mid-turn, so a refresh landing in
/// that gap does not flash `idle`.
pub const STEP_GAP_MS: i64 = 1_500;

/// What otop knows about the process running a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Liveness {
    /// Some process runs this session.
    pub has_process: bool,
    /// CPU% over the last sample interval; None when only one sample exists (one-shot mode).
    pub cpu_percent: Option<f32>,
    /// The `stream error` lines the log recorded for this session.
    pub stream_errors: Option<StreamErrors>,
    /// Live state from the companion plugin, when a fresh plugin file exists.
    pub plugin: Option<LiveState>,
}

/// Infers the status of `session`, given its subagent `children` and what runs it.
///
/// `children` may hold all descendants (any depth): the direct children are those whose
/// `parent_id` is `session.id`, the rest are handed down. Children share the parent's process
/// (subagents run in it) but get no plugin state or stream errors of their own here.
pub fn infer(
    session: &SessionFacts,
    children: &[SessionFacts],
    live: &Liveness,
    now: i64,
) -> Status {
    if let Some(plugin) = &live.plugin
        && let Some(s) = from_plugin(plugin, session, children, live, now)
    {
        return s;
    }
    from_db(session, children, live, now, Trust::Db)
}

/// How much of the DB guesswork is still needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// No live state: every heuristic applies.
    Db,
    /// The plugin says `busy` and reports no permission: skip guesses it has ruled out.
    PluginBusy,
}

/// Whether rule 1 reads the plugin's state as waiting: opencode itself reports a pending
/// permission or question, so the state is certain, not a guess.
pub fn reported_wait(p: &LiveState) -> bool {
    p.permission.is_some() || p.question.is_some()
}

/// Whether `status` is what opencode itself reported through the plugin (rule 1's waiting or
/// retry), not an inference.
pub fn reported(p: &LiveState, status: &Status) -> bool {
    match status.state {
        State::Waiting => reported_wait(p),
        State::Error => p.status.as_deref() == Some("retry") && status.is_retrying(),
        _ => false,
    }
}

/// Rule 1. None when the plugin has nothing to say (unknown status), so the DB rules apply.
fn from_plugin(
    p: &LiveState,
    session: &SessionFacts,
    children: &[SessionFacts],
    live: &Liveness,
    now: i64,
) -> Option<Status> {
    // A plugin from before answers names no request id: the database's part is the request.
    let part = |question: bool| {
        running_tools(session)
            .find(|t| (t.tool == "question") == question)
            .and_then(|t| Request::from_part(&session.id, t))
    };
    if let Some(perm) = &p.permission {
        let request = Request::from_plugin(&session.id, p, true).or_else(|| part(false));
        return Some(
            Status::new(State::Waiting, with_suffix("permission", Some(perm)))
                .with_request(request),
        );
    }
    if let Some(q) = &p.question {
        let request = Request::from_plugin(&session.id, p, false).or_else(|| part(true));
        return Some(
            Status::new(State::Waiting, with_suffix("asking", Some(q))).with_request(request),
        );
    }
    match p.status.as_deref() {
        Some("retry") => Some(Status::new(State::Error, retry_detail(p, now))),
        Some("busy") => Some(from_db(session, children, live, now, Trust::PluginBusy)),
        // The process is alive and not in its loop: whatever the DB shows mid-turn is a
        // leftover (e.g. of a crash before a restart), so only the finished-turn rules apply.
        Some("idle") => Some(match &session.last_message {
            Some(m) if m.role == Role::Assistant => finished(m),
            Some(_) => Status::new(State::Idle, "idle"),
            None => Status::new(State::Idle, "new"),
        }),
        _ => None,
    }
}

/// `retrying (attempt 3, next in 4 s): rate limited`. Seconds round up so the countdown
/// reads 1 until the retry fires; a retry time already passed shows 0.
fn retry_detail(p: &LiveState, now: i64) -> String {
    let mut facts = Vec::new();
    if let Some(n) = p.retry_attempt {
        facts.push(format!("attempt {n}"));
    }
    if let Some(next) = p.retry_next {
        let secs = (next.saturating_sub(now).max(0) + 999) / 1_000;
        facts.push(format!("next in {secs} s"));
    }
    let mut out = String::from("retrying");
    if !facts.is_empty() {
        out.push_str(&format!(" ({})", facts.join(", ")));
    }
    with_suffix(&out, p.retry_message.as_deref())
}

/// `head: tail`, or `head` alone when there is no (non-blank) tail.
fn with_suffix(head: &str, tail: Option<&str>) -> String {
    match tail.map(|t| t.trim()).filter(|t| !t.is_empty()) {
        Some(t) => format!("{head}: {t}"),
        None => head.to_string(),
    }
}

/// Rules 2–10.
fn from_db(
    session: &SessionFacts,
    children: &[SessionFacts],
    live: &Liveness,
    now: i64,
    trust: Trust,
) -> Status {
    let busy = trust == Trust::PluginBusy;
    // Rule 2.
    let Some(msg) = &session.last_message else {
        return if busy {
            Status::new(State::Working, "thinking")
        } else {
            Status::new(State::Idle, "new")
        };
    };
    // Rules 3–4.
    if !mid_turn(session, msg, now) && !busy {
        return finished(msg);
    }
    // Rule 5. A busy plugin proves a live process.
    if !live.has_process && !busy {
        return Status::new(State::Stalled, "stalled: no process");
    }
    let kids = active_children(session, children, live, now);
    // Rule 6.
    if let Some(s) = waiting(session, &kids, now, trust) {
        return s;
    }
    // Rule 7. With a busy plugin the provider is not being retried.
    if !busy && let Some(s) = retrying(session, live) {
        return s;
    }
    // Rule 8.
    if let Some(s) = running(session, &kids) {
        return s;
    }
    // Rule 9.
    if let Some(s) = stalled(session, live, now) {
        return s;
    }
    // Rule 10.
    if session.compacting_at.is_some() {
        return Status::new(State::Working, "compacting");
    }
    let open = msg.role == Role::Assistant && msg.completed_at.is_none();
    match msg.created_at.map(|c| now.saturating_sub(c)) {
        _ if open && msg.part_count > 0 => Status::new(State::Working, "generating"),
        Some(waited) if open && waited > MODEL_WAIT_MS => Status::new(
            State::Working,
            format!("waiting for the model ({})", elapsed(waited)),
        ),
        _ => Status::new(State::Working, "thinking"),
    }
}

/// `42s`, `2m10s`, `1h05m`.
fn elapsed(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// opencode's TUI rule (working while the latest message is the user's or an unfinished
/// assistant message; compacting), plus the step gap of [`STEP_GAP_MS`].
fn mid_turn(session: &SessionFacts, msg: &MessageFacts, now: i64) -> bool {
    if session.compacting_at.is_some() {
        return true;
    }
    match (msg.role, msg.completed_at) {
        (Role::Assistant, Some(done)) => {
            // A tool-calls step is followed by another step: briefly still mid-turn. After
            // the gap, nothing newer came, so the user rejected a permission or dismissed a
            // question (the part turned to `error`) and the session is idle.
            msg.error.is_none()
                && msg.finish.as_deref() == Some("tool-calls")
                && (now.saturating_sub(done) < STEP_GAP_MS || running_tool(session).is_some())
        }
        (Role::Assistant, None) | (Role::User, _) => true,
        // Unknown roles do not start turns.
        (Role::Other, _) => false,
    }
}

/// Rule 4, for a completed assistant message.
fn finished(msg: &MessageFacts) -> Status {
    match msg.error.as_deref() {
        // Esc is the user's own choice, not a failure to alert about: idle, with the reason.
        Some("MessageAbortedError") => Status::new(State::Idle, "aborted"),
        Some(name) => {
            let what = msg.error_message.as_deref().unwrap_or(name);
            Status::new(State::Error, with_suffix("error", Some(what)))
        }
        None => Status::new(State::Idle, "idle"),
    }
}

/// Unfinished tool parts that belong to the current round. `tools` come from the latest
/// assistant message; when a user message is newer, that message's parts only count if they
/// started in this round, so parts a crash left `running` in an old turn are not taken for a
/// permission request or a running tool.
fn current_tools(session: &SessionFacts) -> impl Iterator<Item = &ToolFacts> {
    let user_latest = session
        .last_message
        .as_ref()
        .is_some_and(|m| m.role != Role::Assistant);
    session.tools.iter().filter(move |t| {
        !user_latest
            || matches!((t.started_at, session.round_started_at), (Some(s), Some(r)) if s >= r)
    })
}

/// Tool parts running now (not `pending`: a pending part's input is still being generated).
fn running_tools(session: &SessionFacts) -> impl Iterator<Item = &ToolFacts> {
    current_tools(session).filter(|t| t.status == ToolStatus::Running)
}

/// The most recently started running tool part.
fn running_tool(session: &SessionFacts) -> Option<&ToolFacts> {
    running_tools(session).max_by_key(|t| t.started_at)
}

/// A direct child whose own status matters to the parent now.
struct Child {
    id: String,
    status: Status,
}

/// Direct children tied to this round: the child of a running `task` part, or one written
/// since the round started. An old child left mid-turn by a crash must not keep its parent
/// `working` forever.
fn active_children(
    session: &SessionFacts,
    children: &[SessionFacts],
    live: &Liveness,
    now: i64,
) -> Vec<Child> {
    let linked = |id: &str| {
        running_tools(session).any(|t| t.tool == "task" && t.child_session.as_deref() == Some(id))
    };
    let child_live = Liveness {
        has_process: live.has_process,
        cpu_percent: live.cpu_percent,
        stream_errors: None,
        plugin: None,
    };
    children
        .iter()
        .filter(|c| c.parent_id.as_deref() == Some(session.id.as_str()) && c.id != session.id)
        .filter(|c| {
            linked(&c.id)
                || matches!((c.last_activity_at, session.round_started_at), (Some(a), Some(r)) if a >= r)
        })
        .map(|c| Child {
            id: c.id.clone(),
            status: infer(c, children, &child_live, now),
        })
        .collect()
}

/// Rule 6: the user has to act (here or in a subagent).
fn waiting(session: &SessionFacts, kids: &[Child], now: i64, trust: Trust) -> Option<Status> {
    let running = || running_tools(session);
    // A question is certain, not a guess: the part runs exactly while the question is open. A
    // busy plugin reports open questions itself: a part still running then is one just
    // answered whose completion the database has not caught up with.
    if trust == Trust::Db
        && let Some(q) = running().find(|t| t.tool == "question")
    {
        return Some(
            Status::new(
                State::Waiting,
                with_suffix("asking", q.input_summary.as_deref()),
            )
            .with_request(Request::from_part(&session.id, q)),
        );
    }
    // opencode keeps pending permissions in memory only; a running part that never got its
    // metadata is their trace. A busy plugin would have reported a permission.
    if trust == Trust::Db {
        let waits = |t: &&ToolFacts| {
            !t.has_metadata
                && t.started_at
                    .is_some_and(|s| now.saturating_sub(s) > PERMISSION_GRACE_MS)
        };
        if let Some(t) = running().find(waits) {
            let what = match &t.input_summary {
                Some(i) => format!("{} {}", t.tool, i.trim()),
                None => t.tool.clone(),
            };
            return Some(
                Status::new(State::Waiting, with_suffix("permission", Some(&what)))
                    .with_request(Request::from_part(&session.id, t)),
            );
        }
    }
    kids.iter()
        .find(|c| c.status.state == State::Waiting)
        .map(|c| Status {
            detail: format!("subagent: {}", c.status.detail),
            ..c.status.clone()
        })
}

/// Rule 7: opencode's log says the provider failed in this round (`stream error`), and the
/// session has written nothing since: opencode is retrying. `retrying (attempt 2): <error>`,
/// as the plugin's retry reads: one line per failed attempt, the latest one's error.
fn retrying(session: &SessionFacts, live: &Liveness) -> Option<Status> {
    let errors = live.stream_errors.as_ref()?;
    let (err, round) = (errors.latest()?, session.round_started_at?);
    let written_since = session
        .last_activity_at
        .is_some_and(|a| a > err.saturating_add(STREAM_ERROR_SLACK_MS));
    (err > round && !written_since).then(|| {
        let head = format!("retrying (attempt {})", errors.since(round));
        Status::new(State::Error, with_suffix(&head, errors.message.as_deref()))
    })
}

/// Rule 8: a tool or a subagent is doing the work.
fn running(session: &SessionFacts, kids: &[Child]) -> Option<Status> {
    let task_child = running_tools(session)
        .filter(|t| t.tool == "task")
        .filter_map(|t| t.child_session.as_deref())
        .collect::<Vec<_>>();
    // A hung subagent hangs its parent: the task tool waits for it.
    if let Some(c) = kids
        .iter()
        .find(|c| c.status.state == State::Stalled && task_child.contains(&c.id.as_str()))
    {
        return Some(Status::new(
            State::Stalled,
            format!("subagent: {}", c.status.detail),
        ));
    }
    if kids.iter().any(|c| c.status.state == State::Working) {
        return Some(Status::new(State::Working, "subagent"));
    }
    running_tool(session).map(|t| Status::new(State::Working, format!("tool:{}", t.tool)))
}

/// Rule 9. opencode's own CPU stays near zero while a tool command (a child process) runs,
/// so a running tool is never called stalled: only silence with nothing running is.
fn stalled(session: &SessionFacts, live: &Liveness, now: i64) -> Option<Status> {
    let silent = session
        .last_activity_at
        .is_some_and(|a| now.saturating_sub(a) >= STALL_MS);
    let idle_cpu = live.cpu_percent.is_some_and(|c| c < STALL_CPU_PERCENT);
    (silent && idle_cpu && running_tool(session).is_none())
        .then(|| Status::new(State::Stalled, "stalled: no activity"))
}

#[cfg(test)]
mod tests;
