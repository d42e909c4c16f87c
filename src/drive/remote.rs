//! An act on another machine's row: `otop send|interrupt|end` run there over the same ssh path
//! answers take, with the session id (or pid) that machine's otop knows it by. The otop there
//! reads its world again and acts as it would for a local command; its exit status decides.

use std::time::Duration;

use super::{Act, Order};
use crate::config::hosts::Host;
use crate::error::Error;
use crate::model::sanitize::clean;
use crate::model::text::cut;
use crate::source::remote::once;

/// How long the otop there may take beyond the host's own timeout: a message waits for
/// opencode to take it, an end for the grace and SIGKILL.
const ACTING: Duration = Duration::from_secs(20);

/// The arguments of the command there. Everything the user typed follows `--`, so a message
/// such as `-R` or `--signal=kill` is never read as an option of the remote otop.
pub fn args(act: &Act, target: &str) -> Vec<String> {
    let mut args = vec![act.verb().to_string()];
    if let Act::End { signal, grace_ms } = act {
        args.push(format!(
            "--signal={}",
            signal.name().trim_start_matches("SIG").to_lowercase()
        ));
        args.push(format!("--grace={}", grace_ms / 1000));
    }
    args.extend(["--".into(), target.into()]);
    if let Act::Send(text) = act {
        args.push(text.clone());
    }
    args
}

/// Runs the act on `host`; its line back, or why it failed there.
pub fn act(host: &Host, order: &Order) -> Result<String, Error> {
    let target = order
        .row
        .target_there()
        .ok_or_else(|| Error::Refused("nothing to act on there".into()))?;
    let args = args(&order.act, &target);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let grace = match &order.act {
        Act::End { grace_ms, .. } => Duration::from_millis(*grace_ms),
        _ => Duration::ZERO,
    };
    let out = once::start(host, &args, host.timeout() + ACTING + grace)
        .wait()
        .map_err(|why| Error::Refused(format!("{}: {why}", host.name)))?;
    Ok(format!("{}: {}", host.name, cut(&clean(out.trim()), 500)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    /// What the otop there parses from the arguments is what was meant, whatever the text.
    #[test]
    fn the_text_reaches_the_other_otop_as_text() {
        for text in ["-R", "--file=/etc/passwd", "now run the tests", "-- x"] {
            let args = args(&Act::Send(text.into()), "ses_a");
            let cli = Cli::try_parse_from(std::iter::once("otop".to_string()).chain(args))
                .expect("parses");
            let Some(Command::Send(a)) = cli.command else {
                panic!("not send")
            };
            assert_eq!(a.target, "ses_a");
            assert_eq!(a.text, vec![text.to_string()]);
            assert!(a.file.is_none());
        }
        let args = args(
            &Act::End {
                signal: super::super::Signal::Hup,
                grace_ms: 3000,
            },
            "-t%3",
        );
        let cli =
            Cli::try_parse_from(std::iter::once("otop".to_string()).chain(args)).expect("parses");
        let Some(Command::End(a)) = cli.command else {
            panic!("not end")
        };
        assert_eq!(
            (a.target.as_str(), a.signal, a.grace),
            ("-t%3", super::super::Signal::Hup, 3.0)
        );
    }
}
