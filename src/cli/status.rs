//! `otop status`: the tmux status-line segment. Runs as a new process every few seconds for every
//! client, so it is one-shot and cheap: one scan, one database read, no tmux calls, no log, no
//! waiting for a second CPU sample. It never fails loudly: whatever goes wrong, it prints the
//! empty segment and exits 0. Only `--json` also reads the spend (the header's totals: the whole
//! message table the first time in a day, then what was added since), beside the scan.

use std::process::ExitCode;

use crate::error::Result;

use serde_json::json;

use crate::collect::{local_midnight_ms, now_ms};
use crate::model::facts::TotalsPair;
use crate::model::row::Row;
use crate::model::select;
use crate::source::db::Db;
use crate::statusline::counts::count;
use crate::statusline::format::{self, Counts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Template: {waiting} {error} {working} {idle} {stalled} {total}, {sym:STATE},
    /// {fg:STATE}, {reset}, {title}, {?STATE:TEXT} (TEXT only when that count is non-zero)
    #[arg(long, short)]
    pub format: Option<String>,
    /// No tmux styles (#[…]): for other status bars
    #[arg(long)]
    pub plain: bool,
    /// Counts, sessions and spend as JSON (for sketchybar, waybar, SwiftBar scripts)
    #[arg(long, conflicts_with_all = ["format", "plain"])]
    pub json: bool,
    /// What to print when no session runs (default: nothing, or status.empty in the config)
    #[arg(long, value_name = "TEXT")]
    pub empty: Option<String>,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let conf = &ctx.config.status;
    let (template, style) = format::settings(args.format.as_deref(), args.plain, conf);
    let empty = args.empty.as_deref().unwrap_or(&conf.empty);
    // A bad template is the user's mistake, worth saying; everything after that stays quiet.
    format::render(template, &Counts::default(), &style)?;

    let opts = ctx.light_collector();
    if args.json {
        // The totals on a thread of their own while the processes are scanned.
        let (snap, totals) = std::thread::scope(|s| {
            let totals = (!ctx.demo).then(|| s.spawn(|| read_totals(ctx)));
            let snap = ctx.snapshot(opts, false);
            let totals = match totals {
                Some(t) => t.join().ok().flatten(),
                None => snap.totals,
            };
            (snap, totals)
        });
        let (rows, counts) = counted(&snap);
        let text = to_json(&counts, &rows, &snap.hosts, totals.as_ref()).to_string();
        crate::outln!("{}", crate::model::sanitize::inert_json(&text))?;
        return Ok(ExitCode::SUCCESS);
    }
    let snap = ctx.snapshot(opts, false);
    let (_, counts) = counted(&snap);
    if counts.total() == 0 && counts.unreachable == 0 {
        crate::outln!("{empty}")?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "{}",
        format::render(template, &counts, &style).unwrap_or_default()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The sessions the segment counts, most urgent first, and the counts (the hosts that did not
/// answer among them).
pub(super) fn counted(snap: &crate::collect::Snapshot) -> (Vec<Row>, Counts) {
    let rows = select::sessions(snap.rows.clone(), false);
    let counts = Counts {
        unreachable: snap.hosts_down(),
        ..count(&rows)
    };
    (rows, counts)
}

/// The header's totals, from the database the monitor reads them from, picking up where the
/// last run left off (kept in otop's cache directory); None when it cannot be read.
fn read_totals(ctx: &super::Ctx) -> Option<TotalsPair> {
    let mut db = Db::open(&ctx.env.opencode_db(ctx.db.as_deref())).ok()?;
    let midnight = local_midnight_ms(now_ms());
    match ctx.env.otop_cache_dir() {
        Some(dir) => db.totals_kept_in(&dir, midnight).ok(),
        None => db.totals(midnight).ok(),
    }
}

/// Today's and all-time spend in dollars, as opencode records costs; null where the header
/// shows none (no cost recorded, or no totals).
fn spend(totals: Option<&TotalsPair>) -> serde_json::Value {
    match totals {
        Some(t) if t.spent() => json!({
            "today": t.today.cost_micros as f64 / 1e6,
            "all_time": t.all_time.cost_micros as f64 / 1e6,
            "currency": "USD",
        }),
        _ => serde_json::Value::Null,
    }
}

pub(super) fn to_json(
    c: &Counts,
    rows: &[Row],
    hosts: &[crate::collect::hosts::HostState],
    totals: Option<&TotalsPair>,
) -> serde_json::Value {
    json!({
        "waiting": c.waiting,
        "error": c.error,
        "working": c.working,
        "idle": c.idle,
        "stalled": c.stalled,
        "done": c.done,
        "total": c.total(),
        // Per machine, when any host is read: the same counts under each name (`local` too).
        "hosts": c.per_host.iter().filter(|_| !hosts.is_empty()).map(|(name, h)| (name.clone(), json!({
            "waiting": h.waiting,
            "error": h.error,
            "working": h.working,
            "idle": h.idle,
            "stalled": h.stalled,
            "done": h.done,
            "total": h.total(),
        }))).collect::<serde_json::Map<_, _>>(),
        "unreachable": hosts.iter().filter_map(|h| match &h.seen {
            crate::collect::hosts::Seen::Down { since, why } => {
                Some(json!({"host": h.name, "since": since, "why": why.to_string()}))
            }
            _ => None,
        }).collect::<Vec<_>>(),
        "sessions": rows.iter().map(|r| json!({
            "state": r.status.state,
            "status": r.status.detail,
            "pid": r.pid(),
            "id": r.session_id(),
            "title": r.session.as_ref().and_then(|s| s.title.clone()),
            "unseen": r.unseen,
            "host": r.host,
        })).collect::<Vec<_>>(),
        "spend": spend(totals),
    })
}
