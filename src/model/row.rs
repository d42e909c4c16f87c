//! The correlated row: one opencode process with the session it runs (or a session or
//! process on its own), its status and where it lives in tmux. Views read only these.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::state::{MatchRule, State, Status};
use crate::source::db::types::SessionFacts;
use crate::source::process::types::{Kind, ProcessInfo};
use crate::source::tmux::types::Pane;

/// Process facts a row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessRow {
    pub info: ProcessInfo,
    pub kind: Kind,
    /// CPU% over the last interval (100 = one core); None in one-shot mode.
    pub cpu_percent: Option<f32>,
    /// For a helper: the opencode process it belongs to.
    pub owner: Option<u32>,
    /// The companion plugin reports for this process (a live file of its own).
    pub plugin: bool,
}

/// Where a row lives in tmux.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TmuxLocation {
    pub socket: String,
    pub pane_id: String,
    /// `session:window.pane`.
    pub target: String,
    pub session: String,
    pub window: u32,
    pub window_name: String,
    /// The machine the pane is on (a `[[hosts]]` name); None for this one. The row's `host`
    /// says it in JSON.
    #[serde(skip)]
    pub host: Option<String>,
}

impl From<&Pane> for TmuxLocation {
    fn from(p: &Pane) -> Self {
        TmuxLocation {
            socket: p.socket.clone(),
            pane_id: p.pane_id.clone(),
            target: p.target(),
            session: p.session.clone(),
            window: p.window_index,
            window_name: p.window_name.clone(),
            host: None,
        }
    }
}

impl TmuxLocation {
    /// `session:window`, as the monitor and picker show it.
    pub fn short(&self) -> String {
        format!("{}:{}", self.session, self.window)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub process: Option<ProcessRow>,
    pub session: Option<SessionFacts>,
    pub status: Status,
    /// How the process was tied to its session; None when unmatched or a session without process.
    pub matched: Option<MatchRule>,
    pub tmux: Option<TmuxLocation>,
    /// Finished a turn or errored since its pane was last in front of you (the unseen marks,
    /// `model::unseen`); only ever set on idle and error rows.
    pub unseen: bool,
    /// The state is opencode's own report through the companion plugin (a pending permission
    /// or question, a retry), not an inference: it is told at once, without a hold.
    pub certain: bool,
    /// The machine the row is on (a `[[hosts]]` name); None for this one.
    pub host: Option<String>,
}

impl Row {
    /// A row with `status` and nothing else known (tests build on it).
    #[cfg(test)]
    pub(crate) fn bare(status: Status) -> Row {
        Row {
            process: None,
            session: None,
            status,
            matched: None,
            tmux: None,
            unseen: false,
            certain: false,
            host: None,
        }
    }

    /// A TUI row: opencode pid `pid` running session `session`, with `status` (tests build on
    /// it).
    #[cfg(test)]
    pub(crate) fn tui(pid: u32, session: &str, status: Status) -> Row {
        use crate::source::db::types::SessionFacts;
        use crate::source::process::types::{Kind, ProcessInfo};
        let mut r = Row::bare(status);
        r.process = Some(ProcessRow {
            info: ProcessInfo {
                pid,
                ..ProcessInfo::default()
            },
            kind: Kind::Tui,
            cpu_percent: None,
            owner: None,
            plugin: false,
        });
        r.session = Some(SessionFacts {
            id: session.into(),
            ..SessionFacts::default()
        });
        r
    }

    /// How urgent the row is, most urgent least: its state, and among idle (or errored)
    /// sessions the ones you have not seen finish first.
    pub fn urgency(&self) -> (State, bool) {
        (self.status.state, !self.unseen)
    }

    /// Idle, and finished since you last looked: `done` in the status line and `@otop_state`.
    pub fn is_done(&self) -> bool {
        self.unseen && self.status.state == State::Idle
    }

    /// Rows a person normally watches: interactive sessions (TUI processes and their sessions).
    /// Subagents, `opencode run`, servers' sessions without a TUI and helpers are shown with `--all`.
    /// A session `opencode run` created stays marked as such (`session.permission`) when a TUI
    /// resumes it (`opencode -s`, `--continue`): the process decides, so that one is primary.
    pub fn is_primary(&self) -> bool {
        let kind_ok = match &self.process {
            Some(p) => p.kind == Kind::Tui || p.kind == Kind::Attach,
            None => false,
        };
        let session_ok = self.session.as_ref().is_none_or(|s| !s.is_subagent());
        kind_ok && session_ok
    }

    pub fn is_helper(&self) -> bool {
        self.process
            .as_ref()
            .is_some_and(|p| p.kind == Kind::Helper)
    }

    /// The row as seen from another machine: it and its pane are on `host`.
    pub fn on_host(mut self, host: &str) -> Row {
        self.host = Some(host.to_string());
        if let Some(t) = &mut self.tmux {
            t.host = Some(host.to_string());
        }
        self
    }

    /// How the machine the row is on names it to its own otop (`otop jump ID` there): the
    /// session id, else the pid.
    pub fn target_there(&self) -> Option<String> {
        self.session_id()
            .map(str::to_string)
            .or_else(|| self.pid().map(|p| p.to_string()))
    }

    /// Why acting on this row could reach the wrong TUI: its process was tied to its session
    /// by a guess (activity, directory) while another opencode process runs in the same
    /// directory (`running`: pid and cwd of each), so either could be running the session.
    /// None when the tie is evidence (plugin, `-s`, the process's own log run) or it has no twin.
    pub fn twin_doubt<'a>(
        &self,
        running: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> Option<String> {
        let rule = self.matched.filter(|m| !m.is_certain())?;
        let p = self.process.as_ref()?;
        let cwd = p.info.cwd.as_deref()?;
        let twins = running
            .into_iter()
            .filter(|(pid, c)| *pid != p.info.pid && *c == cwd)
            .count();
        (twins > 0).then(|| {
            format!(
                "pid {} runs this session by a guess ({}) and {twins} other opencode \
                 process{} run{} in {}: either may be the one, so otop does not act on it \
                 (the companion plugin, `otop plugin install`, makes the match exact)",
                p.info.pid,
                format!("{rule:?}").to_lowercase(),
                if twins == 1 { "" } else { "es" },
                if twins == 1 { "s" } else { "" },
                crate::model::sanitize::clean(cwd),
            )
        })
    }

    /// The opencode processes among `rows` that may run a session (TUIs, `opencode run`,
    /// attached clients): pid and cwd, for [`Row::twin_doubt`].
    pub fn running(rows: &[Row]) -> Vec<(u32, &str)> {
        let mut out: Vec<(u32, &str)> = rows
            .iter()
            .filter(|r| r.host.is_none())
            .filter_map(|r| r.process.as_ref())
            .filter(|p| p.kind.runs_sessions())
            .filter_map(|p| Some((p.info.pid, p.info.cwd.as_deref()?)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|p| p.info.pid)
    }

    pub fn session_id(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.id.as_str())
    }

    /// The row's title, sanitised: the session title, else what the process runs.
    pub fn title(&self) -> String {
        if let Some(t) = self.session.as_ref().and_then(|s| s.title.as_deref()) {
            return super::sanitize::clean(t).into_owned();
        }
        let text = match &self.process {
            Some(p) if !p.info.argv.is_empty() => p.info.argv.join(" "),
            Some(p) => p.info.name.clone(),
            None => return "(untitled)".to_string(),
        };
        super::sanitize::clean(&text).into_owned()
    }

    /// The row's working directory: the process's, else the session's.
    pub fn cwd(&self) -> Option<&str> {
        self.process
            .as_ref()
            .and_then(|p| p.info.cwd.as_deref())
            .or_else(|| self.session.as_ref().and_then(|s| s.directory.as_deref()))
    }

    /// The stable JSON shape of `otop sessions --json`. Field names are a public interface.
    /// What a STATUS column says: the detail (`asking: Colour`), else the state's name.
    /// The state's one word in every view: `done` for an idle session that finished since you
    /// last looked, else the state's name.
    pub fn state_word(&self) -> &str {
        if self.is_done() {
            "done"
        } else {
            self.status.state.as_str()
        }
    }

    /// ROUND: how long the current turn has run (from the prompt that started it); once the
    /// session is idle or errored, how long its last turn took, so it does not grow while
    /// nothing happens.
    pub fn round_ms(&self, now: i64) -> Option<i64> {
        let s = self.session.as_ref()?;
        let start = s.round_started_at?;
        let ended = matches!(self.status.state, State::Idle | State::Error)
            .then(|| s.last_message.as_ref().and_then(|m| m.completed_at))
            .flatten()
            .filter(|&end| end >= start);
        Some(ended.unwrap_or(now) - start)
    }

    pub fn status_text(&self) -> &str {
        if self.status.detail.is_empty() {
            self.status.state.as_str()
        } else {
            &self.status.detail
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(super::row_json::RowJson::from(self)).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: Kind, parent: Option<&str>, has_permission: bool) -> Row {
        Row {
            process: Some(ProcessRow {
                info: ProcessInfo::default(),
                kind,
                cpu_percent: None,
                owner: None,
                plugin: false,
            }),
            session: Some(SessionFacts {
                id: "ses_a".into(),
                parent_id: parent.map(str::to_string),
                has_permission: Some(has_permission),
                ..SessionFacts::default()
            }),
            ..Row::bare(Status::new(State::Idle, "idle"))
        }
    }

    #[test]
    fn a_tui_resuming_a_run_session_is_primary() {
        assert!(row(Kind::Tui, None, true).is_primary());
        assert!(!row(Kind::Run, None, true).is_primary());
        assert!(!row(Kind::Tui, Some("ses_p"), true).is_primary());
    }

    #[test]
    fn cpu_percent_prints_with_one_decimal() {
        let mut r = row(Kind::Tui, None, false);
        for (cpu, printed) in [(3.8f32, "3.8"), (0.3, "0.3"), (12.34, "12.3"), (0.0, "0.0")] {
            if let Some(p) = r.process.as_mut() {
                p.cpu_percent = Some(cpu);
            }
            assert_eq!(r.to_json()["cpu_percent"].to_string(), printed);
        }
    }
}

#[cfg(test)]
mod round_tests {
    use super::*;
    use crate::source::db::types::{MessageFacts, Role};

    /// Issue 28: ROUND is the running turn's age while it runs, and the last turn's length once
    /// idle, not the time since its prompt growing for ever.
    #[test]
    fn round_stops_growing_once_idle() {
        let mut r = Row {
            process: None,
            session: Some(SessionFacts {
                round_started_at: Some(1_000),
                last_message: Some(MessageFacts {
                    id: "msg_a".into(),
                    role: Role::Assistant,
                    created_at: Some(2_000),
                    completed_at: Some(21_000),
                    finish: Some("stop".into()),
                    error: None,
                    error_message: None,
                    part_count: 3,
                    updated_at: None,
                }),
                ..SessionFacts::default()
            }),
            ..Row::bare(Status::new(State::Idle, "idle"))
        };
        assert_eq!(r.round_ms(761_000), Some(20_000));
        r.status = Status::new(State::Working, "generating");
        assert_eq!(r.round_ms(761_000), Some(760_000));
        r.status = Status::new(State::Idle, "idle");
        if let Some(s) = r.session.as_mut() {
            s.last_message = None;
        }
        assert_eq!(
            r.round_ms(61_000),
            Some(60_000),
            "no end known: since the prompt"
        );
    }
}
