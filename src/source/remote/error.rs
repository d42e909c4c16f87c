//! What can go wrong asking another machine, by kind: views act on the kind (a host down is a
//! line, a refusal is the remote otop's word), never on the text.

use super::MAX_LINE;

/// Why a host did not answer, or answered what otop cannot take. Texts are the host's (or
/// ssh's) words as sent, bounded; whoever shows them neutralises them ([`RemoteError::map_text`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RemoteError {
    /// ssh could not be started (not installed, not on PATH).
    #[error("cannot run ssh: {0}")]
    NoSsh(String),
    /// The remote shell has no such command: the configured `otop`.
    #[error("`{0}` was not found there (set otop = \"/path/to/otop\" in its [[hosts]] entry)")]
    NoOtop(String),
    /// The remote otop does not know what was asked of it: it is older than this one.
    #[error("its otop is too old for this one: upgrade otop there")]
    TooOld,
    /// ssh's own failure (exit status 255): the host is not reachable; ssh's last words.
    #[error("{0}")]
    Unreachable(String),
    /// The remote command failed or refused (its exit status), with the last line it wrote.
    #[error("{said}")]
    Failed { code: i32, said: String },
    /// ssh ended by a signal.
    #[error("ssh was killed")]
    Killed,
    /// A one-shot call not done within the host's timeout (seconds).
    #[error("no answer within {0} s")]
    TimedOut(f64),
    /// A live connection silent for longer than a refresh and the host's timeout (seconds).
    #[error("no answer for {0} s")]
    Silent(f64),
    /// A line longer than [`MAX_LINE`], left unread.
    #[error("sent a line longer than {} MiB", MAX_LINE >> 20)]
    LineTooLong,
    /// More lines than one an interval, beyond a burst.
    #[error("sends snapshots faster than asked ({lines} lines in {secs:.1} s)")]
    TooFast { lines: u32, secs: f64 },
    /// A line that is not otop's format (a login banner, garbage); what it began with.
    #[error("{0}")]
    NotOurs(String),
    /// otop's format, of a version this otop does not read: what to upgrade where.
    #[error("{0}")]
    Version(String),
}

impl RemoteError {
    /// The error with every text it carries passed through `f` (to neutralise a host's words
    /// before they reach a terminal, a notification or tmux).
    pub fn map_text(self, f: impl Fn(&str) -> String) -> RemoteError {
        use RemoteError::*;
        match self {
            NoSsh(s) => NoSsh(f(&s)),
            NoOtop(s) => NoOtop(f(&s)),
            Unreachable(s) => Unreachable(f(&s)),
            Failed { code, said } => Failed {
                code,
                said: f(&said),
            },
            NotOurs(s) => NotOurs(f(&s)),
            Version(s) => Version(f(&s)),
            other => other,
        }
    }
}
