//! `otop send`, `otop interrupt`, `otop end`: drive a session from a script or a shell, through
//! [`crate::drive::act`]. Exit 0 once opencode took the act (the process ended, for `end`).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::drive::{self, Act, Order, Signal};
use crate::error::{Error, Result};

/// The longest message read from a file or standard input.
const MAX_TEXT: u64 = 256 << 10;

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: String,
    /// The message (its words joined by spaces); `-` reads it from standard input
    #[arg(
        allow_hyphen_values = true,
        conflicts_with = "file",
        required_unless_present = "file"
    )]
    pub text: Vec<String>,
    /// Read the message from this file
    #[arg(long, value_name = "F")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct InterruptArgs {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: String,
}

#[derive(Debug, clap::Args)]
pub struct EndArgs {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: String,
    /// The first signal
    #[arg(long, value_enum, default_value = "term")]
    pub signal: Signal,
    /// Seconds to wait before SIGKILL when the process still runs (default: `[drive]
    /// end_grace` in the configuration file, 5)
    #[arg(long, value_name = "SECS")]
    pub grace: Option<f64>,
}

pub fn send(args: &SendArgs, ctx: &super::Ctx) -> Result<ExitCode> {
    let text = message(args)?;
    run(&args.target, Act::Send(text), ctx)
}

pub fn interrupt(args: &InterruptArgs, ctx: &super::Ctx) -> Result<ExitCode> {
    run(&args.target, Act::Interrupt, ctx)
}

pub fn end(args: &EndArgs, ctx: &super::Ctx) -> Result<ExitCode> {
    let grace = match args.grace {
        Some(secs) => crate::config::drive::grace(secs)
            .map_err(|e| Error::Invalid(format!("--grace: {e}")))?,
        None => ctx.config.drive.end_grace(),
    };
    run(&args.target, drive::end_act(args.signal, grace), ctx)
}

/// The message: the words, standard input for `-`, or the file.
fn message(args: &SendArgs) -> Result<String> {
    let mut text = String::new();
    let read = |r: &mut dyn Read, text: &mut String, what: &str| -> Result<()> {
        r.take(MAX_TEXT + 1)
            .read_to_string(text)
            .map_err(|e| Error::Invalid(format!("{what}: {e}")))?;
        if text.len() as u64 > MAX_TEXT {
            return Err(Error::Invalid(format!(
                "{what}: a message of more than {} KiB",
                MAX_TEXT >> 10
            )));
        }
        Ok(())
    };
    match (&args.file, args.text.as_slice()) {
        (Some(path), _) => {
            text = crate::source::file::read_capped(path, MAX_TEXT)
                .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        }
        (None, [dash]) if dash == "-" => read(&mut std::io::stdin(), &mut text, "standard input")?,
        (None, words) => text = words.join(" "),
    }
    // A file or a heredoc ends in a newline that is no part of the message.
    let text = text.trim_end_matches(['\n', '\r']).to_string();
    if text.trim().is_empty() {
        return Err(Error::Invalid("the message is empty".into()));
    }
    Ok(text)
}

/// Finds the target where it can be, nearest first; the source that found it acts on it.
pub(super) fn run(target: &str, act: Act, ctx: &super::Ctx) -> Result<ExitCode> {
    let (mut source, snap, row) = ctx.find(target)?;
    let order = Order { row, act };
    // The snapshot the row was found in is the world read right before acting.
    let said = drive::act_read(&order, snap, source.as_mut(), &ctx.env)?;
    crate::outln!("{said}")?;
    Ok(ExitCode::SUCCESS)
}
