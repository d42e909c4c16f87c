//! The library's one error type. Sources keep their own precise errors ([`DbError`],
//! [`TmuxError`], the status template's `FormatError`); everything a command can fail with becomes an [`Error`],
//! and `cli::main` prints it once, sanitised, as `otop: …` with a non-zero exit.

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
    #[error("{0}")]
    Refused(String),
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on the file at `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::File { path, source }
    }
}
