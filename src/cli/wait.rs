//! `otop wait TARGET --until STATE`: blocks until a session reaches a state, for scripts
//! (`otop wait %5 --until idle && make deploy`). Exit 0 when it does, 124 when `--timeout`
//! passes first (as `timeout(1)`), 1 when no session matches (at the start, or once it is gone
//! and cannot reach the state any more).

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::collect::{Collector, CollectorOptions, Focus, Source, now_ms};
use crate::error::{Error, Result};
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::select::{self, Target};
use crate::model::state::State;
use crate::notify::watch::PluginWatch;

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Until {
    /// Idle, whatever the reason (finished, aborted, a new session)
    Idle,
    /// Waiting for you: a question or a permission request
    Waiting,
    /// Idle after a turn that finished normally after `otop wait` started
    Done,
    /// In error (a failed turn, a failing provider)
    Error,
    /// No session matches any more (its opencode ended)
    Gone,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: String,
    /// The state to wait for
    #[arg(long, value_enum)]
    pub until: Until,
    /// Give up after this many seconds, exiting 124
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
}

fn parse_timeout(s: &str) -> Result<Duration> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| Error::Invalid(format!("not a number of seconds: {s}")))?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| Error::Invalid(format!("not a number of seconds: {s}")))
}

/// Seconds between looks; the companion plugin's reports wake it sooner.
const POLL: Duration = Duration::from_secs(1);

/// Whether `row` (None: no session matches) has reached `until`, for a wait that started at
/// `since` (Unix ms).
pub fn reached(row: Option<&Row>, until: Until, since: i64) -> bool {
    let Some(row) = row else {
        return until == Until::Gone;
    };
    let state = row.status.state;
    match until {
        Until::Idle => state == State::Idle,
        Until::Waiting => state == State::Waiting,
        Until::Error => state == State::Error,
        Until::Gone => false,
        Until::Done => {
            let finished = row
                .session
                .as_ref()
                .and_then(|s| s.last_message.as_ref())
                .and_then(|m| m.completed_at);
            row.status.is_finished_turn() && finished.is_some_and(|t| t >= since)
        }
    }
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    // `box:…` waits on host `box`: its own otop waits, through ssh.
    if let select::Whereabouts::Host(name, rest) = select::whereabouts(&args.target)
        && let Some(host) = ctx.reach.host(&name)
    {
        return wait_there(host, &rest, args);
    }
    let target = Target::parse(&args.target);
    let opts = CollectorOptions {
        // Only a pane needs tmux to be found.
        tmux: matches!(target, Target::Pane(_)),
        ..ctx.collector()
    };
    let mut collector = Collector::new(opts, ctx.env.clone());
    let (tx, rx) = mpsc::channel();
    let mut watch = PluginWatch::new(std::sync::Arc::new(move || {
        let _ = tx.send(());
    }));
    let since = now_ms();
    let deadline = args.timeout.map(|t| Instant::now() + t);
    let mut first = true;
    loop {
        let snap = collector.collect(&Focus::default(), now_ms());
        watch.follow(&snap.plugin_dirs);
        let row = select::find(&snap.rows, &target);
        if reached(row, args.until, since) {
            return Ok(ExitCode::SUCCESS);
        }
        if row.is_none() {
            let what = clean(&args.target).into_owned();
            return Err(if first {
                Error::NoSession(what)
            } else {
                Error::Refused(format!("{what} is gone: it cannot reach that state"))
            });
        }
        first = false;
        let mut wait = POLL;
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(ExitCode::from(TIMED_OUT));
            }
            wait = wait.min(left);
        }
        let _ = rx.recv_timeout(wait);
        while rx.try_recv().is_ok() {}
    }
}

/// The exit code of a wait that timed out, as `timeout(1)`'s.
pub const TIMED_OUT: u8 = 124;

/// `otop wait` run on `host` for `target`, its output and exit status passed through.
fn wait_there(host: &crate::config::hosts::Host, target: &str, args: &Args) -> Result<ExitCode> {
    use crate::source::remote::RemoteError;
    use clap::ValueEnum;
    let until = args
        .until
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let secs = args.timeout.map(|t| t.as_secs_f64().to_string());
    let mut remote = vec!["wait", "--until", until.as_str()];
    if let Some(s) = &secs {
        remote.extend(["--timeout", s.as_str()]);
    }
    remote.extend(["--", target]);
    let status = crate::source::remote::ssh(&host.remote(), &remote)
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .status()
        .map_err(|e| {
            crate::collect::hosts::host_error(&host.name, RemoteError::NoSsh(e.to_string()), None)
        })?;
    match crate::source::remote::status_there(status.code()) {
        // ssh's own failure, said on stderr already.
        None => Err(Error::Remote {
            host: host.name.clone(),
            why: RemoteError::Unreachable("ssh failed".into()),
            hint: None,
        }),
        Some(c) => Ok(ExitCode::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::Status;
    use crate::source::db::types::{MessageFacts, Role, SessionFacts};

    fn row(state: State, detail: &str, completed: Option<i64>) -> Row {
        Row {
            process: None,
            session: Some(SessionFacts {
                id: "ses_a".into(),
                last_message: Some(MessageFacts {
                    id: "msg_1".into(),
                    role: Role::Assistant,
                    created_at: None,
                    completed_at: completed,
                    finish: None,
                    error: None,
                    error_message: None,
                    part_count: 1,
                    updated_at: None,
                }),
                ..SessionFacts::default()
            }),
            ..Row::bare(Status::new(state, detail))
        }
    }

    #[test]
    fn done_is_a_turn_that_finished_after_the_wait_began() {
        let since = 1_000;
        assert!(!reached(
            Some(&row(State::Idle, "idle", Some(900))),
            Until::Done,
            since
        ));
        assert!(reached(
            Some(&row(State::Idle, "idle", Some(1_500))),
            Until::Done,
            since
        ));
        assert!(!reached(
            Some(&row(State::Idle, "aborted", Some(1_500))),
            Until::Done,
            since
        ));
        assert!(!reached(
            Some(&row(State::Working, "generating", None)),
            Until::Done,
            since
        ));
        assert!(reached(
            Some(&row(State::Idle, "aborted", Some(900))),
            Until::Idle,
            since
        ));
        assert!(reached(None, Until::Gone, since));
        assert!(!reached(None, Until::Idle, since));
        assert!(!reached(
            Some(&row(State::Idle, "idle", None)),
            Until::Gone,
            since
        ));
    }
}
