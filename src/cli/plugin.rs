//! `otop plugin install | uninstall | status`: the companion opencode plugin.

use std::process::ExitCode;

use crate::error::{Error, Result};

use crate::collect::{Collector, Focus, Source, now_ms};
use crate::companion::{self, Installed};
use crate::model::facts::Kind;
use crate::model::row::Row;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Install the plugin into opencode's global plugin directory
    #[command(
        after_help = "Example:\n  otop plugin install    # then restart your opencode sessions"
    )]
    Install,
    /// Remove it (only a file otop wrote)
    #[command(after_help = "Example:\n  otop plugin uninstall")]
    Uninstall,
    /// Say whether it is installed and which running opencode processes use it
    #[command(after_help = "Example:\n  otop plugin status")]
    Status,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let path = ctx.env.plugin_file().ok_or_else(|| {
        Error::Invalid("no HOME or XDG_CONFIG_HOME: nowhere to put the plugin".into())
    })?;
    match args.action {
        Action::Install => crate::outln!("{}", companion::install(&path)?)?,
        Action::Uninstall => crate::outln!("{}", companion::uninstall(&path)?)?,
        Action::Status => {
            let what = match companion::inspect(&path) {
                Installed::Missing => "not installed (otop plugin install)",
                Installed::Current => "installed",
                Installed::Other => {
                    "installed, another otop's version (otop plugin install updates it)"
                }
                Installed::Foreign => "a file otop did not write is in its place",
            };
            crate::outln!("plugin {}: {what}", path.display())?;
            let snap = Collector::new(ctx.collector(), ctx.env.clone())
                .collect(&Focus::default(), now_ms());
            let (live, total) = reporting(&snap.rows);
            crate::outln!("{live} of {total} running opencode processes report through it")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// (processes whose plugin reports, opencode processes), each process counted once; helper
/// processes (language servers, MCP servers) do not count.
pub(super) fn reporting(rows: &[Row]) -> (usize, usize) {
    let mut seen = std::collections::HashMap::new();
    for p in rows.iter().filter_map(|r| r.process.as_ref()) {
        if p.kind != Kind::Helper {
            seen.insert(p.info.pid, p.plugin);
        }
    }
    (seen.values().filter(|on| **on).count(), seen.len())
}
