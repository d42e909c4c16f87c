//! Other machines, over ssh, with otop itself on the other side: no daemon, port or protocol
//! of otop's own. [`ssh`] builds the one command line every remote call uses; [`once`] asks a
//! host once under its timeout; [`link`] keeps one `otop serve --interval` running per host for
//! the long-lived views, so a refresh costs no new ssh handshake. What the lines mean (the
//! snapshot format) is `collect::wire`'s: this module only reads bounded lines and hands them up.

pub mod error;
pub mod link;
pub mod once;
pub mod seen;

use std::process::{Command, Stdio};
use std::time::Duration;

pub use error::RemoteError;
pub use seen::Seen;

/// What the ssh side needs of a host (built from its `[[hosts]]` entry by the layers above).
#[derive(Debug, Clone, PartialEq)]
pub struct Remote {
    /// The ssh destination.
    pub ssh: String,
    /// The user's extra ssh arguments, before the destination.
    pub ssh_args: Vec<String>,
    /// The command on the remote side, as its shell reads it.
    pub otop: String,
    /// How long a call may take; a live view calls a host silent this long after a refresh down.
    pub timeout: Duration,
}

/// The longest line read from a host: a fleet of 2000 busy sessions prints about 2 MiB. A
/// longer line is not read (see `link`, `once`), so it costs no memory.
pub const MAX_LINE: usize = 8 << 20;

/// The ssh command that runs `otop ARGS` on `remote`: the user's `ssh_args` first (ssh takes
/// the first value of an option, so theirs win), never a password prompt, keep-alives so a dead
/// peer is noticed, no terminal. `args` are quoted for the remote shell one by one; the
/// configured `otop` command is the user's own shell text and is passed as written.
pub fn ssh(remote: &Remote, args: &[&str]) -> Command {
    let mut line = remote.otop.clone();
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let connect = remote.timeout.as_secs_f64().ceil().max(1.0) as u64;
    let mut c = Command::new("ssh");
    c.args(&remote.ssh_args)
        .args(["-T", "-o", "BatchMode=yes", "-o"])
        .arg(format!("ConnectTimeout={connect}"))
        .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2"])
        .arg("--")
        .arg(&remote.ssh)
        .arg(line)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// `s` as one word for a POSIX shell: single quotes, each `'` written `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// clap's exit status for a usage error, and the shell's for a command it cannot find.
const USAGE: u8 = 2;
const NOT_FOUND: u8 = 127;

/// Why a remote call failed, from ssh's exit status and what it or the remote command wrote
/// on stderr (the last line says why; the texts are kept as sent, bounded: whoever shows them
/// neutralises them).
pub fn failure(remote: &Remote, code: Option<i32>, stderr: &str) -> RemoteError {
    let last = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let last = crate::source::db::cut_chars(last, 100);
    let said = |code: i32| {
        if last.is_empty() {
            format!("ssh exited with status {code}")
        } else {
            last.clone()
        }
    };
    match (code, status_there(code)) {
        (None, _) => RemoteError::Killed,
        // ssh's own failure: the connection.
        (Some(code), None) => RemoteError::Unreachable(said(code)),
        // The remote shell's "command not found".
        (_, Some(NOT_FOUND)) => {
            RemoteError::NoOtop(crate::source::db::cut_chars(&remote.otop, 100))
        }
        // clap's usage error for a subcommand or flag it does not know: an otop from before it.
        (_, Some(USAGE))
            if stderr.contains("unrecognized subcommand")
                || stderr.contains("unexpected argument") =>
        {
            RemoteError::TooOld
        }
        // The otop there prefixes its messages as this one does: said once, under the host.
        (Some(code), Some(_)) => RemoteError::Failed {
            code,
            said: said(code)
                .strip_prefix("otop: ")
                .map_or_else(|| said(code), str::to_string),
        },
    }
}

/// The exit status the command there ended with, as ssh passes it on; None when ssh itself
/// failed (255: the connection, the host) or was ended by a signal. The one rule by which a
/// remote act's status becomes ours ([`RemoteError::status`], `otop wait` on a host).
pub fn status_there(code: Option<i32>) -> Option<u8> {
    code.filter(|&c| c != 255)
        .and_then(|c| u8::try_from(c).ok())
}

impl RemoteError {
    /// The exit status of the command there when it ran and failed (a refusal, a usage error,
    /// no otop there), to be passed through; None for ssh's own failures and for what this
    /// side refused to read.
    pub fn status(&self) -> Option<u8> {
        match self {
            // A failure is never 0, whatever a host says.
            RemoteError::Failed { code, .. } => status_there(Some(*code)).filter(|&c| c != 0),
            RemoteError::TooOld => Some(USAGE),
            RemoteError::NoOtop(_) => Some(NOT_FOUND),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote() -> Remote {
        Remote {
            ssh: "me@box".into(),
            ssh_args: vec!["-p".into(), "2222".into()],
            otop: "env A=1 otop".into(),
            timeout: Duration::from_secs_f64(2.5),
        }
    }

    #[test]
    fn the_command_puts_the_users_arguments_first_and_quotes_ours() {
        let c = ssh(&remote(), &["jump", "--", "ses_a'; rm -rf ~"]);
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(&args[..2], ["-p", "2222"]);
        assert!(args.contains(&"ConnectTimeout=3".to_string()));
        let dest = args.iter().position(|a| a == "me@box").unwrap();
        assert_eq!(args[dest - 1], "--");
        assert_eq!(
            args[dest + 1],
            r"env A=1 otop 'jump' '--' 'ses_a'\''; rm -rf ~'"
        );
        assert_eq!(args.len(), dest + 2);
    }

    #[test]
    fn failures_are_told_apart_and_say_what_to_do() {
        let r = remote();
        let e = failure(&r, Some(127), "sh: 1: otop: not found\n");
        assert_eq!(e, RemoteError::NoOtop("env A=1 otop".into()));
        assert!(e.to_string().contains("otop = "));
        assert_eq!(
            failure(
                &r,
                Some(255),
                "ssh: connect to host box port 22: Connection refused\r\n"
            ),
            RemoteError::Unreachable("ssh: connect to host box port 22: Connection refused".into())
        );
        let clap = "error: unrecognized subcommand 'serve'\n\nUsage: otop [OPTIONS] [COMMAND]\n\n\
                    For more information, try '--help'.\n";
        assert_eq!(failure(&r, Some(2), clap), RemoteError::TooOld);
        let clap = "error: unexpected argument '--reply' found\n\nUsage: otop serve [OPTIONS]\n";
        assert_eq!(failure(&r, Some(2), clap), RemoteError::TooOld);
        assert_eq!(
            failure(&r, Some(1), "").to_string(),
            "ssh exited with status 1"
        );
        assert_eq!(failure(&r, None, "whatever"), RemoteError::Killed);
        assert_eq!(
            failure(&r, Some(1), "otop: box:%3 has no pending request\n"),
            RemoteError::Failed {
                code: 1,
                said: "box:%3 has no pending request".into()
            }
        );
    }

    /// What the command there ended with is passed through; ssh's own failures are not.
    #[test]
    fn the_status_there_passes_through_and_ssh_failures_do_not() {
        let r = remote();
        let status = |code: Option<i32>, stderr: &str| failure(&r, code, stderr).status();
        assert_eq!(
            status(Some(1), "otop: box:%3 has no pending request\n"),
            Some(1)
        );
        assert_eq!(
            status(Some(2), "otop: --host far: not a configured host\n"),
            Some(2)
        );
        assert_eq!(status(Some(124), ""), Some(124));
        assert_eq!(
            status(Some(2), "error: unexpected argument '--drive' found\n"),
            Some(2)
        );
        assert_eq!(status(Some(127), "sh: 1: otop: not found\n"), Some(127));
        assert_eq!(
            status(Some(255), "ssh: connect to host box: refused\n"),
            None
        );
        assert_eq!(status(None, ""), None);
        assert_eq!(RemoteError::TimedOut(5.0).status(), None);
        assert_eq!(RemoteError::NotOurs("Welcome".into()).status(), None);
        let zero = RemoteError::Failed {
            code: 0,
            said: "ok?".into(),
        };
        assert_eq!(zero.status(), None);
        assert_eq!(status_there(Some(0)), Some(0));
        assert_eq!(status_there(Some(-1)), None);
    }
}
