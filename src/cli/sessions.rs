//! `otop sessions`: the correlated sessions, as a table for people or JSON for scripts.

use std::process::ExitCode;

use crate::error::{Error, Result};

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

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    // CPU% over a short wait: a lifetime average is useless.
    let snap = ctx.snapshot(ctx.collector(), true);
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
