//! `otop status`: the tmux status-line segment. Runs as a new process every few seconds for every
//! client, so it is one-shot and cheap: one scan, one database read, no tmux calls, no log, no
//! waiting for a second CPU sample. It never fails loudly: whatever goes wrong, it prints the
//! empty segment and exits 0. Only `--json` also reads the spend (the header's totals: the whole
//! message table the first time in a day, then what was added since), beside the scan.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde::Serialize;

use crate::collect::{local_midnight_ms, now_ms};
use crate::error::Result;
use crate::model::facts::TotalsPair;
use crate::model::row::Row;
use crate::model::select;
use crate::model::state::State;
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

    let opts = crate::collect::CollectorOptions {
        timelines: format::uses_waited(template),
        ..ctx.light_collector()
    };
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
        let text = to_json(&counts, &rows, &snap.hosts, totals.as_ref());
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
        waited_ms: crate::statusline::counts::waited_today(snap),
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

/// `status --json`. Its fields are in the order it has always printed them (by name).
#[derive(Serialize)]
struct StatusJson<'a> {
    done: usize,
    error: usize,
    /// Per machine, when any host is read: the same counts under each name (`local` too).
    hosts: BTreeMap<&'a str, CountsJson>,
    idle: usize,
    sessions: Vec<SessionJson<'a>>,
    spend: Option<Spend>,
    stalled: usize,
    total: usize,
    unreachable: Vec<Unreachable<'a>>,
    waiting: usize,
    working: usize,
}

/// A machine's counts.
#[derive(Serialize)]
struct CountsJson {
    done: usize,
    error: usize,
    idle: usize,
    stalled: usize,
    total: usize,
    waiting: usize,
    working: usize,
}

impl CountsJson {
    fn of(c: &Counts) -> CountsJson {
        CountsJson {
            done: c.done,
            error: c.error,
            idle: c.idle,
            stalled: c.stalled,
            total: c.total(),
            waiting: c.waiting,
            working: c.working,
        }
    }
}

/// A host that did not answer: since when (Unix ms), and why.
#[derive(Serialize)]
struct Unreachable<'a> {
    host: &'a str,
    since: i64,
    why: String,
}

#[derive(Serialize)]
struct SessionJson<'a> {
    host: Option<&'a str>,
    id: Option<&'a str>,
    pid: Option<u32>,
    state: State,
    status: &'a str,
    title: Option<&'a str>,
    unseen: bool,
}

/// Today's and all-time spend in dollars, as opencode records costs; null where the header
/// shows none (no cost recorded, or no totals).
#[derive(Serialize)]
struct Spend {
    all_time: f64,
    currency: &'static str,
    today: f64,
}

impl Spend {
    fn of(totals: Option<&TotalsPair>) -> Option<Spend> {
        let t = totals.filter(|t| t.spent())?;
        Some(Spend {
            all_time: t.all_time.cost_micros as f64 / 1e6,
            currency: "USD",
            today: t.today.cost_micros as f64 / 1e6,
        })
    }
}

pub(super) fn to_json(
    c: &Counts,
    rows: &[Row],
    hosts: &[crate::collect::hosts::HostState],
    totals: Option<&TotalsPair>,
) -> String {
    let per_host = c.per_host.iter().filter(|_| !hosts.is_empty());
    let json = StatusJson {
        done: c.done,
        error: c.error,
        hosts: per_host
            .map(|(name, h)| (name.as_str(), CountsJson::of(h)))
            .collect(),
        idle: c.idle,
        sessions: rows
            .iter()
            .map(|r| SessionJson {
                host: r.host.as_deref(),
                id: r.session_id(),
                pid: r.pid(),
                state: r.status.state,
                status: &r.status.detail,
                title: r.session.as_ref().and_then(|s| s.title.as_deref()),
                unseen: r.unseen,
            })
            .collect(),
        spend: Spend::of(totals),
        stalled: c.stalled,
        total: c.total(),
        unreachable: hosts
            .iter()
            .filter_map(|h| match &h.seen {
                crate::collect::hosts::Seen::Down { since, why } => Some(Unreachable {
                    host: &h.name,
                    since: *since,
                    why: why.to_string(),
                }),
                _ => None,
            })
            .collect(),
        waiting: c.waiting,
        working: c.working,
    };
    serde_json::to_string(&json).unwrap_or_default()
}
