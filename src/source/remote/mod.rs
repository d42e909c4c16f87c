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
    match code {
        // The remote shell's "command not found".
        Some(127) => RemoteError::NoOtop(crate::source::db::cut_chars(&remote.otop, 100)),
        // clap's usage error for a subcommand or flag it does not know: an otop from before it.
        Some(2)
            if stderr.contains("unrecognized subcommand")
                || stderr.contains("unexpected argument") =>
        {
            RemoteError::TooOld
        }
        None => RemoteError::Killed,
        Some(code) => {
            let said = if last.is_empty() {
                format!("ssh exited with status {code}")
            } else {
                last
            };
            // ssh's own failure: the connection.
            if code == 255 {
                RemoteError::Unreachable(said)
            } else {
                RemoteError::Failed { code, said }
            }
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
                said: "otop: box:%3 has no pending request".into()
            }
        );
    }
}
