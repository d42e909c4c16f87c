//! `otop jump`: the picker's jump without any UI, for key bindings and scripts.

use std::process::ExitCode;

use crate::error::{Error, Result};

use crate::jump::{self, Here, Went};
use crate::model::sanitize::clean;
use crate::model::select::{self, Target};
use crate::model::state::State;
use crate::source::tmux::same_socket;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["target", "tty", "next"]))]
pub struct Args {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: Option<String>,
    /// The session whose opencode runs on this terminal (/dev/pts/3 or pts/3)
    #[arg(long, value_name = "TTY")]
    pub tty: Option<String>,
    /// The next session in this state after the current pane (cycles)
    #[arg(long, value_name = "STATE")]
    pub next: Option<State>,
    /// tmux client to move (default: the current one)
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// Outside tmux, move the client tmux picks (the one active last) instead of printing
    /// where the session is (what a jump from another machine asks for)
    #[arg(long, conflicts_with = "client")]
    pub any_client: bool,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let here = std::env::var("TMUX_PANE").ok();
    let current = jump::current_socket();
    // A named session is looked for where it can be, nearest first; `--next` needs them all.
    let reaches = match (&args.target, &args.tty) {
        (Some(t), _) => ctx.reaches_for(t),
        (_, Some(tty)) => ctx.reaches_for(tty),
        _ => vec![ctx.clone()],
    };
    let mut found = None;
    for reach in &reaches {
        let snap = reach.snapshot(reach.collector(), false);
        let row = match (&args.target, &args.tty, args.next) {
            (Some(t), _, _) => select::named(&snap.rows, t),
            (_, Some(tty), _) => select::find(&snap.rows, &Target::Tty(tty.clone())),
            (_, _, Some(state)) => {
                let on_current = current
                    .as_deref()
                    .map(|cur| move |s: &str| same_socket(s, cur));
                let on_current = on_current.as_ref().map(|f| f as &dyn Fn(&str) -> bool);
                select::next_in_state(&snap.rows, state, here.as_deref(), on_current)
            }
            _ => None,
        }
        .cloned();
        if let Some(row) = row {
            found = Some((row, snap.demo));
            break;
        }
    }
    let (row, demo) = found.ok_or_else(|| {
        let what = args
            .target
            .clone()
            .or(args.tty.clone())
            .or(args.next.map(|s| format!("{} session", s.as_str())))
            .unwrap_or_default();
        Error::NoSession(clean(&what).into_owned())
    })?;
    let here = Here {
        any_client: args.any_client,
        ..Here::new(args.client.clone(), demo, ctx.env.unseen_file()).with_hosts(&ctx.reach.hosts)
    };
    match jump::go(&row, &here)? {
        Went::Jumped(said) | Went::Print(said) | Went::Demo(said) => crate::outln!("{said}")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// States as flag values (`--next waiting`), spelled as everywhere else. Here rather than in the
/// model, which knows nothing of the command line.
impl clap::ValueEnum for State {
    fn value_variants<'a>() -> &'a [Self] {
        &State::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}
