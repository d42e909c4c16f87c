//! `otop` with no subcommand: the monitor's flags, over the configuration file.

use std::process::ExitCode;
use std::time::Duration;

use crate::collect::CollectorOptions;
use crate::collect::Source;
use crate::effects::Effects;
use crate::error::Result;
use crate::monitor::MonitorOptions;
use crate::notify::{Notifier, NotifyOptions};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Seconds between refreshes [default: 2, or monitor.interval in the config file]
    #[arg(long, value_name = "SECS", env = "OTOP_INTERVAL", value_parser = crate::config::parse_interval)]
    pub interval: Option<Duration>,
    /// Send no notifications (the [notify] channels), whatever the configuration file says
    #[arg(long)]
    pub no_notify: bool,
}

/// The full-screen monitor, on the real collector or the demo fleet.
pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let opts = CollectorOptions {
        totals: true,
        timelines: true,
        ..ctx.collector()
    };
    let defaults = MonitorOptions::new(&ctx.config);
    let interval = args.interval.unwrap_or(defaults.interval);
    // The demo notifies nobody: nothing in it acts on the real world.
    let (source, effects): (Box<dyn Source>, _) = if ctx.demo {
        (ctx.source(opts), Effects::none())
    } else {
        let notify = NotifyOptions {
            quiet: args.no_notify,
            follow: Some(ctx.follow_config()),
            restart_for: Some("restart otop for the monitor's other settings"),
            ..NotifyOptions::new(&ctx.config.notify, &ctx.env, "otop monitor")
        };
        (
            ctx.live_source(opts, interval),
            Effects::notifying(Notifier::new(notify)).observing(ctx.env.timeline_file()),
        )
    };
    let opts = MonitorOptions {
        interval,
        opencode_config_dir: ctx.env.opencode_config_dir(),
        marks: ctx.env.unseen_file(),
        fleet: ctx.env.fleet_file().filter(|_| !ctx.demo),
        ..defaults
    };
    crate::monitor::run_monitor(source, effects, opts)?;
    Ok(ExitCode::SUCCESS)
}
