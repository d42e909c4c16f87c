//! `otop` with no subcommand: the monitor's flags, over the configuration file.

use std::process::ExitCode;
use std::time::Duration;

use crate::collect::CollectorOptions;
use crate::error::Result;
use crate::monitor::MonitorOptions;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Seconds between refreshes [default: 2, or monitor.interval in the config file]
    #[arg(long, value_name = "SECS", env = "OTOP_INTERVAL", value_parser = crate::config::parse_interval)]
    pub interval: Option<Duration>,
}

/// The full-screen monitor, on the real collector or the demo fleet.
pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let source = ctx.source(CollectorOptions {
        totals: true,
        ..ctx.collector()
    });
    let defaults = MonitorOptions::new(&ctx.config);
    let opts = MonitorOptions {
        interval: args.interval.unwrap_or(defaults.interval),
        opencode_config_dir: ctx.env.opencode_config_dir(),
        ..defaults
    };
    crate::monitor::run_monitor(source, opts)?;
    Ok(ExitCode::SUCCESS)
}
