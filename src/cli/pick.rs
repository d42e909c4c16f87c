//! `otop pick`: the picker's flags, turned into [`PickOptions`].

use std::process::ExitCode;

use crate::error::Result;

use crate::pick::{self, PickOptions, keymap::Keymap};
use crate::tui::theme::Theme;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// tmux client to move (the popup binding passes #{client_name})
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let opts = PickOptions {
        keymap: Keymap::new(&ctx.config.picker),
        theme: Theme::from_config(&ctx.config.monitor),
        client: args.client.clone(),
        marks: ctx.env.unseen_file(),
        hosts: ctx.reach.hosts.clone(),
        end_grace: ctx.config.drive.end_grace(),
    };
    // Live: this machine's rows show at once, each host's as it answers.
    let every = std::time::Duration::from_secs(2);
    pick::run(opts, ctx.live_source(ctx.collector(), every))
}
