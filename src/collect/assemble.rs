//! Building rows from process and tmux facts.

use std::collections::HashMap;

use crate::model::correlate::Matched;
use crate::model::infer::{self, Liveness};
use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::state::{State, Status};
use crate::source::db::types::SessionFacts;
use crate::source::log::types::StreamErrors;
use crate::source::plugin::PluginFile;
use crate::source::process::types::{Kind, OpencodeProcess};
use crate::source::process::{self};
use crate::source::tmux;
use crate::source::tmux::types::{Pane, Server};

/// Panes and clients of every tmux server an opencode process lives in, plus the default
/// server.
pub(super) fn tmux_servers(procs: &[OpencodeProcess], extra: &[String]) -> Vec<Server> {
    if procs.is_empty() {
        return Vec::new();
    }
    let under = procs
        .iter()
        .filter_map(|p| p.info.env.tmux.as_deref().and_then(tmux::socket_of))
        .collect();
    tmux::servers(under, extra)
        .iter()
        .filter(|s| tmux::socket_exists(s))
        .filter_map(|s| tmux::list(s).ok())
        .collect()
}

pub(super) fn pane_of(p: &OpencodeProcess, panes: &[Pane]) -> Option<TmuxLocation> {
    if panes.is_empty() {
        return None;
    }
    // The parent chain only when TMUX_PANE and the TTY say nothing: from the scan where it
    // read every process, else a /proc read per ancestor.
    let chain = || match p.info.ancestors.is_empty() {
        true => process::ancestors(p.info.pid),
        false => p.info.ancestors.clone(),
    };
    tmux::pane_for(&p.info, &[], panes)
        .or_else(|| tmux::pane_for(&p.info, &chain(), panes))
        .map(TmuxLocation::from)
}

pub(super) fn process_row(p: &OpencodeProcess, cpu: &HashMap<u32, f32>) -> ProcessRow {
    ProcessRow {
        info: p.info.clone(),
        kind: p.kind,
        cpu_percent: cpu.get(&p.info.pid).copied(),
        owner: p.owner,
        // Set once every database's plugin files are read (`Collector::collect`).
        plugin: false,
    }
}

/// A process without a session: a TUI that has not started a conversation yet, a server,
/// or a helper.
pub(super) fn bare_row(p: &OpencodeProcess, cpu: &HashMap<u32, f32>, panes: &[Pane]) -> Row {
    let status = match p.kind {
        Kind::Helper => Status::new(State::Idle, "helper"),
        Kind::Serve => Status::new(State::Idle, "serving"),
        _ => Status::new(State::Idle, "no session"),
    };
    Row {
        process: Some(process_row(p, cpu)),
        session: None,
        status,
        matched: None,
        tmux: if p.kind == Kind::Helper {
            None
        } else {
            pane_of(p, panes)
        },
        unseen: false,
        certain: false,
        host: None,
    }
}

/// What one database's processes were found to run: enough to give each its rows.
pub(super) struct Found<'a> {
    pub matches: &'a HashMap<u32, Matched>,
    /// Every session read (top-level and subagents).
    pub facts: &'a [SessionFacts],
    /// Subagent session id → the process that runs it.
    pub owners: &'a HashMap<String, u32>,
    /// Each session's `stream error` lines, by the session id they name (whichever run wrote
    /// them).
    pub stream_errors: &'a HashMap<String, StreamErrors>,
    pub plugins: &'a HashMap<u32, &'a PluginFile>,
    pub now: i64,
}

impl Found<'_> {
    /// The sessions `p` gets rows for (its own, then the subagents it ran since it started) and
    /// their status, were opencode's CPU `cpu`.
    fn statuses(&self, p: &OpencodeProcess, cpu: Option<f32>) -> Vec<(&SessionFacts, Status)> {
        self.statuses_given(p, cpu, &|id| self.stream_errors.get(id).cloned())
    }

    /// [`Found::statuses`], were each session's `stream error` lines `errors` gives.
    fn statuses_given(
        &self,
        p: &OpencodeProcess,
        cpu: Option<f32>,
        errors: &dyn Fn(&str) -> Option<StreamErrors>,
    ) -> Vec<(&SessionFacts, Status)> {
        let pid = p.info.pid;
        let Some(session) = self
            .matches
            .get(&pid)
            .and_then(|m| self.facts.iter().find(|f| f.id == m.session_id))
        else {
            return Vec::new();
        };
        let descendants: Vec<SessionFacts> = self
            .facts
            .iter()
            .filter(|f| self.owners.get(&f.id) == Some(&pid))
            .cloned()
            .collect();
        let plugin = |id: &str| {
            self.plugins
                .get(&pid)
                .and_then(|f| f.sessions.get(id).cloned())
        };
        let live = Liveness {
            has_process: true,
            cpu_percent: cpu,
            stream_errors: errors(&session.id),
            plugin: plugin(&session.id),
        };
        let mut out = vec![(
            session,
            infer::infer(session, &descendants, &live, self.now),
        )];
        // Only subagents this process ran get rows of their own; older ones stay history.
        let started = p.info.started_at;
        for kid in self.facts.iter().filter(|k| {
            self.owners.get(&k.id) == Some(&pid)
                && k.last_activity_at
                    .or(k.updated_at)
                    .is_some_and(|t| t >= started)
        }) {
            let kid_live = Liveness {
                plugin: plugin(&kid.id),
                stream_errors: errors(&kid.id),
                ..live.clone()
            };
            out.push((kid, infer::infer(kid, &descendants, &kid_live, self.now)));
        }
        out
    }

    /// Whether `p`'s rows would read otherwise were its CPU busy rather than idle: the stall
    /// rule asks for CPU only of a mid-turn session silent for minutes.
    pub fn depends_on_cpu(&self, p: &OpencodeProcess) -> bool {
        let states = |cpu| -> Vec<Status> {
            self.statuses(p, Some(cpu))
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        };
        states(0.0) != states(100.0)
    }

    /// Whether `p`'s rows could read otherwise were the log's `stream error` lines known: they
    /// are compared with a provider failure after everything for each session. A reader
    /// without a log index (the one-shot commands) reads the log's end only when one could:
    /// not for a session the companion plugin reports busy, idle or retrying, which rule 7
    /// leaves to the plugin.
    pub fn depends_on_log(&self, p: &OpencodeProcess, cpu: &HashMap<u32, f32>) -> bool {
        let cpu = cpu.get(&p.info.pid).copied();
        let mut failing = StreamErrors::default();
        failing.add(i64::MAX / 4, None);
        let states = |errors: &dyn Fn(&str) -> Option<StreamErrors>| -> Vec<Status> {
            self.statuses_given(p, cpu, errors)
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        };
        states(&|_| None) != states(&|_| Some(failing.clone()))
    }

    /// `p`'s rows: its session's, then its recent subagents'.
    pub fn rows(&self, p: &OpencodeProcess, cpu: &HashMap<u32, f32>, panes: &[Pane]) -> Vec<Row> {
        let tmux = pane_of(p, panes);
        let matched = self.matches.get(&p.info.pid).map(|m| m.rule);
        let reported = |id: &str, status: &Status| {
            self.plugins
                .get(&p.info.pid)
                .and_then(|f| f.sessions.get(id))
                .is_some_and(|live| infer::reported(live, status))
        };
        self.statuses(p, cpu.get(&p.info.pid).copied())
            .into_iter()
            .map(|(s, status)| Row {
                process: Some(process_row(p, cpu)),
                certain: reported(&s.id, &status),
                session: Some(s.clone()),
                status,
                matched,
                tmux: tmux.clone(),
                unseen: false,
                host: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::MatchRule;
    use crate::source::db::types::{MessageFacts, Role};
    use crate::source::plugin::types::LiveState;
    use crate::source::process::types::ProcessInfo;

    const NOW: i64 = 1_795_476_495_000;

    /// A session mid-turn: the model has been answering for ten seconds.
    fn working() -> SessionFacts {
        SessionFacts {
            id: "ses_a".into(),
            round_started_at: Some(NOW - 10_000),
            last_activity_at: Some(NOW - 10_000),
            last_message: Some(MessageFacts {
                id: "msg_a".into(),
                role: Role::Assistant,
                created_at: Some(NOW - 10_000),
                completed_at: None,
                finish: None,
                error: None,
                error_message: None,
                part_count: 1,
                updated_at: Some(NOW - 10_000),
            }),
            ..SessionFacts::default()
        }
    }

    /// Whether the one-shot reader would read the log's end for process 7 running `working()`,
    /// its plugin reporting `plugin` (None: no plugin file).
    fn reads_log(plugin: Option<&str>) -> bool {
        let p = OpencodeProcess {
            info: ProcessInfo {
                pid: 7,
                ..ProcessInfo::default()
            },
            kind: Kind::Tui,
            owner: None,
            wrapper_pid: None,
        };
        let file = PluginFile {
            pid: 7,
            sessions: HashMap::from([(
                "ses_a".to_string(),
                LiveState {
                    status: plugin.map(str::to_string),
                    ..LiveState::default()
                },
            )]),
            ..PluginFile::default()
        };
        let plugins = match plugin {
            Some(_) => HashMap::from([(7, &file)]),
            None => HashMap::new(),
        };
        let matches = HashMap::from([(
            7,
            Matched {
                session_id: "ses_a".into(),
                rule: MatchRule::Flag,
            },
        )]);
        let found = Found {
            matches: &matches,
            facts: &[working()],
            owners: &HashMap::new(),
            stream_errors: &HashMap::new(),
            plugins: &plugins,
            now: NOW,
        };
        found.depends_on_log(&p, &HashMap::new())
    }

    #[test]
    fn the_log_is_read_only_where_the_plugin_does_not_decide_retrying() {
        assert!(reads_log(None), "no plugin: rule 7 reads the log");
        assert!(reads_log(Some("unknown")), "a status rule 1 cannot read");
        for decided in ["busy", "idle", "retry"] {
            assert!(!reads_log(Some(decided)), "the plugin says {decided}");
        }
    }
}
