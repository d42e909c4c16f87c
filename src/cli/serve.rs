//! `otop serve`: this machine's snapshots as JSON lines ([`crate::source::remote::wire`]), for
//! another otop reading them over ssh. Only this machine's rows: hosts are never chained.

use std::process::ExitCode;
use std::time::Duration;

use crate::collect::{Collector, Focus, Source, now_ms};
use crate::error::Result;
use crate::source::remote::wire;

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
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
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
