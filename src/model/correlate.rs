//! Which session each process runs: evidence combined, most certain first, one session per process.
//!
//! opencode records no PID, so a process is tied to a session by, in order:
//! - **certain** evidence (pass 1): the plugin's live mapping, `-s/--session` in argv, the
//!   session its log run named last. Per process the plugin comes first because it tracks the
//!   session the TUI shows *now* (a TUI started with `-s A` may have switched to B); then the
//!   flag, then the log.
//! - **guesses** (pass 2) for the rest, each taking a session not yet claimed: activity since
//!   the process started, then the directory fallback (see `guess_all` for the order).
//!
//! Only top-level sessions are matched; subagent sessions run in their parent's process and
//! are attached with [`attach_children`].

use std::collections::{HashMap, HashSet};

use super::state::MatchRule;
use crate::source::db::types::Candidate;

/// Process start times come from the kernel's clock ticks and boot time, DB times from
/// opencode's clock: allow this much skew when comparing them.
pub const START_SLACK_MS: i64 = 2_000;

/// Everything known about one process that could tie it to a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub pid: u32,
    /// Process start time, Unix ms.
    pub started_at: i64,
    pub cwd: Option<String>,
    /// `-s/--session <id>` from argv.
    pub flag_session: Option<String>,
    /// Session id from a fresh companion-plugin file.
    pub plugin_session: Option<String>,
    /// The latest top-level session the process's log run named.
    pub log_session: Option<String>,
    /// `-c/--continue` in argv (see [`continue_flag`]): the process opened the latest session
    /// of its directory at start, so the directory fallback may take an old session.
    pub continues: bool,
    /// Sessions of the process's cwd (top-level ones), from the database, with
    /// `messages_since` counted from `started_at`.
    pub candidates: Vec<Candidate>,
}

/// The session matched to a process and the rule that matched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub session_id: String,
    pub rule: MatchRule,
}

/// Resolves all processes together so each session goes to at most one process.
pub fn correlate(evidence: &[Evidence]) -> HashMap<u32, Matched> {
    let mut out = HashMap::new();
    let mut claimed = HashSet::new();

    // Pass 1: certain claims. Two processes claiming one session: the more certain rule wins
    // (by [`rank`]), then the newer process (a TUI resumed with `-s` on a session an older one
    // also had).
    let mut certain: Vec<(&Evidence, Matched)> = evidence
        .iter()
        .filter_map(|e| certain_claim(e).map(|m| (e, m)))
        .collect();
    certain.sort_by(|(a, ma), (b, mb)| {
        rank(ma.rule)
            .cmp(&rank(mb.rule))
            .then(b.started_at.cmp(&a.started_at))
            .then(a.pid.cmp(&b.pid))
    });
    for (e, m) in certain {
        if claimed.insert(m.session_id.clone()) {
            out.insert(e.pid, m);
        }
    }

    // Pass 2: guesses. See [`guess_all`].
    let rest: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| !out.contains_key(&e.pid))
        .collect();
    for (pid, m) in guess_all(rest, &mut claimed) {
        out.insert(pid, m);
    }
    out
}

/// Pass 2, in three rounds over processes not matched by certain evidence (a process that
/// lost a certain claim guesses too). Without a cwd a process does not guess: its candidates
/// could be anyone's.
/// 1. Oldest first, activity that **predates** every later process of the directory: only
///    this process (or an older one) can have written it, so a long-running TUI keeps its
///    session when a new one starts beside it.
/// 2. Newest first, any other activity: it happened after a newer process started too, and
///    the TUI opened last is the likelier one to be typed into; a fresh TUI that has typed
///    nothing must not lose its first session to an older idle one.
/// 3. Oldest first, the directory fallback (see [`directory`]).
fn guess_all(mut rest: Vec<&Evidence>, claimed: &mut HashSet<String>) -> Vec<(u32, Matched)> {
    rest.retain(|e| e.cwd.is_some());
    rest.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.pid.cmp(&b.pid)));
    let mut out: Vec<(u32, Matched)> = Vec::new();
    let done = |out: &[(u32, Matched)], pid: u32| out.iter().any(|(p, _)| *p == pid);
    for i in 0..rest.len() {
        let (e, later) = (rest[i], &rest[i + 1..]);
        if let Some(c) = activity(e, claimed, |c| predates(c, later)) {
            claimed.insert(c.clone());
            out.push((e.pid, matched(c, MatchRule::Activity)));
        }
    }
    for e in rest.iter().rev() {
        if done(&out, e.pid) {
            continue;
        }
        if let Some(c) = activity(e, claimed, |_| true) {
            claimed.insert(c.clone());
            out.push((e.pid, matched(c, MatchRule::Activity)));
        }
    }
    for e in &rest {
        if done(&out, e.pid) {
            continue;
        }
        if let Some(c) = directory(e, claimed) {
            claimed.insert(c.clone());
            out.push((e.pid, matched(c, MatchRule::Directory)));
        }
    }
    out
}

fn matched(id: String, rule: MatchRule) -> Matched {
    Matched {
        session_id: id,
        rule,
    }
}

/// Unclaimed top-level candidates: subagent sessions belong to their parent's process.
fn open<'a>(e: &'a Evidence, claimed: &'a HashSet<String>) -> impl Iterator<Item = &'a Candidate> {
    e.candidates
        .iter()
        .filter(|c| c.parent_id.is_none() && !claimed.contains(&c.id))
}

/// The candidate with messages since the process started (and passing `keep`): the most
/// recent message first, then the most messages.
fn activity(
    e: &Evidence,
    claimed: &HashSet<String>,
    keep: impl Fn(&Candidate) -> bool,
) -> Option<String> {
    open(e, claimed)
        .filter(|c| c.messages_since > 0 && keep(c))
        .max_by(|a, b| {
            a.last_message_at
                .cmp(&b.last_message_at)
                .then(a.messages_since.cmp(&b.messages_since))
                .then(b.id.cmp(&a.id))
        })
        .map(|c| c.id.clone())
}

/// The most recently updated candidate, but only one touched since the process started. A
/// fresh `opencode` shows no session until the first prompt creates one, so an old session
/// of its directory is not its session. `-c` opens the latest one at start: the exception.
fn directory(e: &Evidence, claimed: &HashSet<String>) -> Option<String> {
    let since = e.started_at - START_SLACK_MS;
    open(e, claimed)
        .filter(|c| e.continues || updated(c).is_some_and(|u| u >= since))
        .max_by(|a, b| updated(a).cmp(&updated(b)).then(b.id.cmp(&a.id)))
        .map(|c| c.id.clone())
}

/// Certainty of a rule, lower first: live plugin state, then argv, then the log. Deliberately
/// not [`MatchRule`]'s declaration order: a flag only names the session a process *started*
/// with, and a TUI can switch sessions since; the plugin reports the current one.
fn rank(rule: MatchRule) -> u8 {
    match rule {
        MatchRule::Plugin => 0,
        MatchRule::Flag => 1,
        MatchRule::Log => 2,
        MatchRule::Activity => 3,
        MatchRule::Directory => 4,
    }
}

/// The process's own best certain evidence. An id its candidates show as a subagent session
/// is skipped: subagents run in their parent's process and are attached to it elsewhere.
fn certain_claim(e: &Evidence) -> Option<Matched> {
    let subagent = |id: &str| {
        e.candidates
            .iter()
            .any(|c| c.id == id && c.parent_id.is_some())
    };
    [
        (&e.plugin_session, MatchRule::Plugin),
        (&e.flag_session, MatchRule::Flag),
        (&e.log_session, MatchRule::Log),
    ]
    .into_iter()
    .filter_map(|(id, rule)| id.as_deref().map(|id| (id, rule)))
    .find(|(id, _)| !subagent(id))
    .map(|(id, rule)| Matched {
        session_id: id.to_string(),
        rule,
    })
}

fn updated(c: &Candidate) -> Option<i64> {
    c.updated_at.or(c.created_at)
}

/// Whether `c` had messages before every later process listing it had started: a later
/// process counts fewer messages since its own start when some came before it.
fn predates(c: &Candidate, later: &[&Evidence]) -> bool {
    later.iter().all(|l| {
        l.candidates
            .iter()
            .find(|o| o.id == c.id)
            .is_none_or(|o| o.messages_since < c.messages_since)
    })
}

/// The session id in `-s <id>`, `--session <id>`, `--session=<id>` or `-s=<id>`, anywhere
/// in argv (yargs accepts options after positionals: `opencode ~/proj -s ses_…`). The last
/// one wins, as with yargs. Values not starting with `ses_` are ignored: opencode ids
/// always do, and a wrong id here would be a certain match to a session that does not exist
/// instead of letting the other evidence decide. Nothing after `--` is an option.
pub fn session_flag(argv: &[String]) -> Option<String> {
    let mut found = None;
    let mut args = argv.iter().skip(1);
    while let Some(a) = args.next() {
        let value = match a.as_str() {
            "--" => break,
            "-s" | "--session" => args.next().map(String::as_str),
            _ => a
                .strip_prefix("--session=")
                .or_else(|| a.strip_prefix("-s=")),
        };
        if let Some(v) = value.filter(|v| v.starts_with("ses_")) {
            found = Some(v.to_string());
        }
    }
    found
}

/// Whether argv has `-c` or `--continue` (before any `--`).
pub fn continue_flag(argv: &[String]) -> bool {
    argv.iter()
        .skip(1)
        .take_while(|a| a.as_str() != "--")
        .any(|a| a == "-c" || a == "--continue")
}

/// Ties each subagent session to the process of its top-level ancestor.
/// `parents` maps a session id to its `parent_id`, for sessions that have one; returns
/// session id → pid for every descendant of a matched session. Chains are followed at most
/// [`MAX_SUBAGENT_DEPTH`] levels, so a corrupt cycle cannot loop.
pub fn attach_children(
    matched: &HashMap<u32, Matched>,
    parents: &HashMap<String, String>,
) -> HashMap<String, u32> {
    let owner: HashMap<&str, u32> = matched
        .iter()
        .map(|(pid, m)| (m.session_id.as_str(), *pid))
        .collect();
    let mut out = HashMap::new();
    for child in parents.keys() {
        let mut cur = child.as_str();
        for _ in 0..MAX_SUBAGENT_DEPTH {
            let Some(p) = parents.get(cur) else { break };
            if let Some(pid) = owner.get(p.as_str()) {
                out.insert(child.clone(), *pid);
                break;
            }
            cur = p;
        }
    }
    out
}

/// Subagents can start subagents; real chains are a few levels deep.
pub const MAX_SUBAGENT_DEPTH: usize = 16;

#[cfg(test)]
mod tests;
