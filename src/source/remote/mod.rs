//! Other machines, over ssh, with otop itself on the other side: no daemon, port or protocol
//! of otop's own. [`ssh`] builds the one command line every remote call uses; [`wire`] is what
//! the remote `otop serve` prints; [`once`] asks a host once under its timeout; [`link`] keeps
//! one `otop serve --interval` running per host for the long-lived views, so a refresh costs
//! no new ssh handshake.

pub mod link;
pub mod once;
pub mod wire;

use std::process::{Command, Stdio};

use crate::config::hosts::Host;

/// The ssh command that runs `otop ARGS` on `host`: the user's `ssh_args` first (ssh takes the
/// first value of an option, so theirs win), never a password prompt, keep-alives so a dead
/// peer is noticed, no terminal. `args` are quoted for the remote shell one by one; the
/// configured `otop` command is the user's own shell text and is passed as written.
pub fn ssh(host: &Host, args: &[&str]) -> Command {
    let mut line = host.otop.clone();
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let connect = host.timeout.ceil().max(1.0) as u64;
    let mut c = Command::new("ssh");
    c.args(&host.ssh_args)
        .args(["-T", "-o", "BatchMode=yes", "-o"])
        .arg(format!("ConnectTimeout={connect}"))
        .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2"])
        .arg("--")
        .arg(&host.ssh)
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

/// Why a remote call failed, from ssh's exit status and the last line it or the remote
/// command wrote on stderr.
pub fn failure(host: &Host, code: Option<i32>, stderr: &str) -> String {
    let last = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let last = crate::source::db::cut_chars(&crate::model::sanitize::clean(last), 100);
    match code {
        // The remote shell's "command not found".
        Some(127) => format!(
            "`{}` was not found there (set otop = \"/path/to/otop\" in its [[hosts]] entry)",
            crate::model::sanitize::clean(&host.otop)
        ),
        // clap's usage error: an otop from before `serve`.
        Some(2) if last.contains("serve") => {
            "its otop has no `serve` (too old): upgrade otop there".into()
        }
        _ if last.is_empty() => match code {
            Some(c) => format!("ssh exited with status {c}"),
            None => "ssh was killed".into(),
        },
        _ => last
            .strip_prefix("ssh: ")
            .map_or(last.clone(), |l| format!("ssh: {l}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host {
            name: "box".into(),
            ssh: "me@box".into(),
            ssh_args: vec!["-p".into(), "2222".into()],
            otop: "env A=1 otop".into(),
            timeout: 2.5,
        }
    }

    #[test]
    fn the_command_puts_the_users_arguments_first_and_quotes_ours() {
        let c = ssh(&host(), &["jump", "--", "ses_a'; rm -rf ~"]);
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
    fn failures_say_what_to_do() {
        let h = host();
        assert!(failure(&h, Some(127), "sh: 1: otop: not found\n").contains("otop = "));
        assert_eq!(
            failure(
                &h,
                Some(255),
                "ssh: connect to host box port 22: Connection refused\r\n"
            ),
            "ssh: connect to host box port 22: Connection refused"
        );
        assert!(failure(&h, Some(2), "error: unrecognized subcommand 'serve'").contains("too old"));
        assert_eq!(failure(&h, Some(1), ""), "ssh exited with status 1");
        assert!(!failure(&h, Some(1), "\u{1b}[2Jboom").contains('\u{1b}'));
    }
}
