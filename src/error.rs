//! The library's one error type. Sources keep their own precise errors ([`DbError`],
//! [`TmuxError`], the status template's `FormatError`); everything a command can fail with becomes an [`Error`],
//! and `cli::main` prints it once, sanitised, as `otop: …` with a non-zero exit. What a view
//! or a caller acts on is a variant of its own, never a message to search: see [`answer`] for
//! the kinds an answer can fail with.

pub mod answer;

use std::path::PathBuf;

use crate::source::db::DbError;
use crate::source::remote::RemoteError;
use crate::tmux_call::TmuxError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file cannot be used; the message names the file, line and key.
    #[error("{0}")]
    Config(String),
    /// A value the user gave (a flag, a key spec, a colour) that otop cannot take.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A source that could not be read, as the snapshot reported it.
    #[error("{0}")]
    Unreadable(String),
    #[error(transparent)]
    Tmux(#[from] TmuxError),
    /// No running session is the one the user named.
    #[error("no running opencode session matches {0}")]
    NoSession(String),
    /// What was asked cannot be done from here; the message says why and what would work.
    /// One-off refusals only: a kind anything acts on has its own variant.
    #[error("{0}")]
    Refused(String),
    /// The request an answer was for is no longer pending: answered or withdrawn before the
    /// answer reached it (`now` is what the session asks instead, if anything).
    #[error("request {request} of {session} is no longer pending{}", asks_now(now))]
    NotPending {
        request: String,
        session: String,
        now: Option<String>,
    },
    /// Typing into the pane (`doing`: answering, sending a message, interrupting) is proven on
    /// `proven` opencode versions only; `version` is the one running (None: otop cannot tell).
    #[error(
        "{}; {doing} through its pane is proven on opencode {} only: install the companion \
         plugin (otop plugin install) and restart the session to reach it exactly",
        runs(*pid, version), proven.join(", ")
    )]
    NotProven {
        pid: u32,
        version: Option<String>,
        proven: &'static [&'static str],
        doing: &'static str,
    },
    /// The answer is not one the session's request takes.
    #[error("{session}: {why}")]
    Misfit {
        session: String,
        why: answer::Misfit,
    },
    /// Keys typed into the pane would not reach the session's opencode alone: none sent.
    #[error("pane {pane}: {why}: no keys sent")]
    NotAlone { pane: String, why: answer::Doubt },
    /// The companion plugin's answer channel failed (`what`: the channel, or the plugin).
    #[error("{what}: {why}")]
    Channel {
        what: &'static str,
        why: answer::ChannelError,
    },
    /// The desktop's notification service, in its own words (zbus's or osascript's).
    #[error("{0}")]
    Desktop(String),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
    /// A full-screen view started without a terminal to draw on: what it is, and what to do
    /// instead.
    #[error("{0} needs a terminal, and its output goes to a pipe, a file or tmux's run-shell: {1}")]
    NoTerminal(&'static str, &'static str),
    #[error("writing the output: {0}")]
    Output(std::io::Error),
    /// Whoever read the output has gone (`| head`): not worth a word.
    #[error("the output was closed")]
    ClosedOutput,
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Another machine did not answer or refused (its kind: down, no ssh, its otop too old, a
    /// refusal there); `hint` says what would work from here.
    #[error("{host}: {why}{}", hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Remote {
        host: String,
        why: RemoteError,
        hint: Option<String>,
    },
}

fn asks_now(now: &Option<String>) -> String {
    now.as_ref()
        .map(|n| format!(" (it now asks {n})"))
        .unwrap_or_default()
}

fn runs(pid: u32, version: &Option<String>) -> String {
    match version {
        Some(v) => format!("pid {pid} runs opencode {v}"),
        None => format!("otop cannot tell which opencode version pid {pid} runs"),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The exit status a command ends with on this error: the status of the command on
    /// another machine when it ran there and failed (a refusal, a usage error: passed through
    /// as `ssh host cmd` would), 1 for everything else, ssh's own failures included.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Remote { why, .. } => why.status().unwrap_or(1),
            _ => 1,
        }
    }

    /// An I/O error on the file at `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::File { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A remote act's own status is the command's; ssh's failures and local errors are 1.
    #[test]
    fn a_remote_status_is_the_exit_code() {
        let remote = |why| Error::Remote {
            host: "box".into(),
            why,
            hint: None,
        };
        let failed = |code| RemoteError::Failed {
            code,
            said: "otop: refused".into(),
        };
        assert_eq!(remote(failed(2)).exit_code(), 2);
        assert_eq!(remote(failed(1)).exit_code(), 1);
        assert_eq!(remote(failed(124)).exit_code(), 124);
        assert_eq!(
            remote(RemoteError::Unreachable("refused".into())).exit_code(),
            1
        );
        assert_eq!(remote(RemoteError::Killed).exit_code(), 1);
        assert_eq!(remote(RemoteError::TimedOut(5.0)).exit_code(), 1);
        assert_eq!(Error::Invalid("--grace".into()).exit_code(), 1);
        assert_eq!(Error::Refused("no".into()).exit_code(), 1);
    }
}
