//! `otop serve`: this machine's snapshots as JSON lines ([`crate::collect::wire`]), for another
//! otop reading them over ssh; and, with `--reply`, an answer that otop sends to a session
//! here. Only this machine's rows: hosts are never chained.

use std::process::ExitCode;
use std::time::Duration;

use crate::collect::wire::{self, AnswerOrder};
use crate::collect::{Collector, Focus, Source, now_ms};
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One snapshot, then exit
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// Seconds between snapshots, until the reader goes away
    #[arg(long, value_name = "SECS", default_value = "2", value_parser = crate::config::parse_interval)]
    pub interval: Duration,
    /// Only what the status line needs (no tmux, log, history or CPU%)
    #[arg(long)]
    pub light: bool,
    /// Read one answer order (JSON) on stdin and answer it as `otop reply` does: how another
    /// otop answers a session here
    #[arg(long, hide = true, conflicts_with_all = ["once", "light"])]
    pub reply: bool,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    if args.reply {
        return reply(ctx);
    }
    let opts = if args.light {
        ctx.light_collector()
    } else {
        ctx.collector()
    };
    let mut source: Box<dyn Source> = if ctx.demo {
        Box::new(crate::collect::demo::DemoSource::default())
    } else {
        Box::new(Collector::new(opts, ctx.env.clone()))
    };
    // CPU% is a delta: the first of a stream's snapshots has none, the rest do.
    if !args.light && !args.once {
        source.prime_cpu();
    }
    loop {
        let snap = source.collect(&Focus::default(), now_ms());
        // A reader that went away (the ssh connection closed) ends the stream quietly.
        crate::outln!("{}", wire::encode(&snap))?;
        if args.once {
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(args.interval);
    }
}

/// `otop serve --reply`: the order on stdin, answered among this machine's sessions only.
fn reply(ctx: &super::Ctx) -> Result<ExitCode> {
    let order = AnswerOrder::read(std::io::stdin().lock())?;
    let here = super::Ctx {
        reach: ctx.reach.here(),
        ..ctx.clone()
    };
    let said = super::reply::give(&here, &order.target, order.request, order.answer)?;
    crate::outln!("{said}")?;
    Ok(ExitCode::SUCCESS)
}
