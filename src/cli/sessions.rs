//! `otop sessions`: the correlated sessions, as a table for people or JSON for scripts.
//!
//! Like the monitor, it shows what the running processes hold, whichever databases those are.
//! Nothing running is an empty answer (`[]`, exit 0), even where no database exists yet; a
//! database that exists and cannot be read exits 1 after the rows it could read, since some
//! may be missing.

use std::process::ExitCode;

use crate::error::Result;

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::select;
use crate::source::db::DbError;

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
    // A host that did not answer is said, never fatal: the other rows are whole.
    for line in snap.hosts.iter().filter_map(|h| h.line()) {
        eprintln!("otop: {}", clean(&line));
    }
    if let Some(note) = &snap.opencode2 {
        eprintln!("otop: {}", clean(note));
    }
    let rows = select::sessions(snap.rows, args.all);
    if args.json {
        let json: Vec<_> = rows.iter().map(Row::to_json).collect();
        let text = serde_json::to_string_pretty(&json)?;
        crate::outln!("{}", crate::model::sanitize::inert_json(&text))?;
    } else if rows.is_empty() {
        // For a person, a header over nothing says less than a sentence (stdout stays empty);
        // a database that cannot be read is said below.
        let which = if snap.opencode2.is_some() { " 1" } else { "" };
        match &snap.db_error {
            None => eprintln!("otop: no opencode{which} session is running"),
            Some(e @ DbError::Missing(_)) => eprintln!(
                "otop: no opencode{which} session is running ({})",
                clean(&e.to_string())
            ),
            Some(_) => {}
        }
    } else {
        crate::out!("{}", super::table::render(&rows, !snap.hosts.is_empty()))?;
    }
    match snap.db_error {
        None | Some(DbError::Missing(_)) => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("otop: {}", clean(&e.to_string()));
            Ok(ExitCode::FAILURE)
        }
    }
}
