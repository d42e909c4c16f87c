//! `otop sessions`: the correlated sessions, as a table for people or JSON for scripts.

use std::process::ExitCode;

use crate::error::{Error, Result};
use std::time::Duration;

use crate::collect::{Collector, Focus, Source, now_ms};
use crate::model::row::Row;
use crate::model::select;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON (an array of objects; field names are stable)
    #[arg(long)]
    pub json: bool,
    /// Also show unmatched processes, `opencode run`, subagents and helper processes
    #[arg(long, short)]
    pub all: bool,
}

/// How long to wait between the two CPU samples that give CPU% (a lifetime average is useless).
const CPU_SAMPLE: Duration = Duration::from_millis(250);

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let mut collector = Collector::new(ctx.collector(), ctx.env.clone());
    collector.prime_cpu();
    std::thread::sleep(CPU_SAMPLE);
    let snap = collector.collect(&Focus::default(), now_ms());
    if let Some(err) = snap.db_error {
        return Err(Error::Unreadable(err));
    }
    let rows = select::sessions(snap.rows, args.all);
    if args.json {
        let json: Vec<_> = rows.iter().map(Row::to_json).collect();
        let text = serde_json::to_string_pretty(&json)?;
        crate::outln!("{}", crate::model::sanitize::inert_json(&text))?;
    } else {
        crate::out!("{}", super::table::render(&rows, snap.taken_at))?;
    }
    Ok(ExitCode::SUCCESS)
}
