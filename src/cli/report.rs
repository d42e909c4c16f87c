//! `otop report`: where the time went (#30). Per session and per project, over today or since
//! a time: working, waiting for you, in error; messages, tokens and spend where opencode
//! recorded them; the longest waits. Plain text (`report_text.rs`) or JSON (`--json`, the
//! serde types of `model::report`). This machine only: other hosts are not read.

use std::process::ExitCode;

use crate::collect::{Focus, Snapshot, Source, local_midnight_ms, now_ms};
use crate::error::{Error, Result};
use crate::model::report::{Figures, Report, SessionDay, report};
use crate::model::timeline::Timeline;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Since local midnight (the default)
    #[arg(long, conflicts_with = "since")]
    pub today: bool,
    /// Since TIME: a span ago (`90m`, `2h`, `1d`), a time today (`09:00`), or a date
    /// (`2026-12-07`, from its local midnight)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print JSON (one object: total, projects, sessions, longest_waits, notes)
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let now = now_ms();
    let since = match &args.since {
        Some(s) => since_ms(s, now)?,
        None => local_midnight_ms(now),
    };
    let r = if ctx.demo {
        demo_report(since, now)
    } else {
        local_report(ctx, since, now)
    };
    if args.json {
        let text = serde_json::to_string_pretty(&r).map_err(|e| Error::Invalid(e.to_string()))?;
        // Titles and directories are opencode's text: escaped where serde_json leaves them raw.
        crate::outln!("{}", crate::model::sanitize::inert_json(&text))?;
    } else {
        let offset = chrono::Local::now().offset().local_minus_utc();
        crate::out!(
            "{}",
            super::report_text::render(&r, args.since.is_none(), offset)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// This machine's sessions: a light refresh tells which sessions a process runs now (their
/// unfinished turns run to now), then every session with a message in the window is read.
fn local_report(ctx: &super::Ctx, since: i64, now: i64) -> Report {
    let opts = ctx.light_collector();
    let mut collector = crate::collect::Collector::new(opts, ctx.env.clone());
    let snap = collector.collect(&Focus::default(), now);
    let days = collector.report_days(&snap, since, now);
    let mut r = report(days, since, now);
    if let Some(e) = &snap.db_error {
        r.notes.push(e.to_string());
    }
    if !ctx.reach.hosts.is_empty() {
        r.notes
            .push("this machine only: the configured hosts are not read".into());
    }
    r
}

/// The demo fleet's report: its rows' timelines, with their sessions' totals for messages,
/// tokens and spend (the demo keeps no messages).
fn demo_report(since: i64, now: i64) -> Report {
    let mut demo = crate::collect::demo::DemoSource::default();
    let snap = demo.collect(&Focus::default(), now);
    let mut r = report(demo_days(&snap, since, now), since, now);
    r.notes
        .push("demo: messages, tokens and spend are the sessions' totals".into());
    r
}

fn demo_days(snap: &Snapshot, since: i64, now: i64) -> Vec<SessionDay> {
    let none = Timeline::default();
    snap.rows
        .iter()
        .filter_map(|r| r.session.as_ref())
        .map(|s| {
            let t = snap.timelines.get(&s.id).unwrap_or(&none);
            SessionDay {
                id: s.id.clone(),
                title: s.title.clone(),
                directory: s.directory.clone(),
                parent_id: s.parent_id.clone(),
                figures: Figures {
                    messages: s.message_count,
                    tokens: s.tokens,
                    cost: s.cost,
                    ..Figures::of_timeline(t, since, now)
                },
                longest_waits: crate::model::report::waits(&s.id, t, since, now),
            }
        })
        .collect()
}

/// `--since`'s TIME at `now`: `90m`, `2h`, `1d`, `45s` ago; `HH:MM` today (local); a date
/// `YYYY-MM-DD` at its local midnight.
pub fn since_ms(s: &str, now: i64) -> Result<i64> {
    use chrono::{Local, NaiveDate, NaiveTime, TimeZone};
    let bad = || {
        Error::Invalid(format!(
            "--since {}: use a span (90m, 2h, 1d), a time today (09:00) or a date (2026-12-07)",
            crate::model::sanitize::clean(s)
        ))
    };
    let s = s.trim();
    let since = if let Some((n, unit)) = s
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .map(|i| s.split_at(i))
        .filter(|(_, u)| matches!(*u, "s" | "m" | "h" | "d"))
    {
        let n: i64 = n.parse().map_err(|_| bad())?;
        let unit = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 86_400_000,
        };
        now - n.checked_mul(unit).ok_or_else(bad)?
    } else if let Ok(t) = NaiveTime::parse_from_str(s, "%H:%M") {
        let today = Local
            .timestamp_millis_opt(now)
            .single()
            .ok_or_else(bad)?
            .date_naive();
        let at = Local.from_local_datetime(&today.and_time(t)).earliest();
        at.ok_or_else(bad)?.timestamp_millis()
    } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let at = d.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let at = Local.from_local_datetime(&at).earliest();
        at.ok_or_else(bad)?.timestamp_millis()
    } else {
        return Err(bad());
    };
    if since >= now {
        return Err(Error::Invalid(format!(
            "--since {}: that is not in the past",
            crate::model::sanitize::clean(s)
        )));
    }
    Ok(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_span_a_time_today_or_a_date() {
        let now = 1_796_630_400_000; // 2026-12-07T08:00:00Z
        assert_eq!(since_ms("2h", now).unwrap(), now - 7_200_000);
        assert_eq!(since_ms("90m", now).unwrap(), now - 5_400_000);
        assert_eq!(since_ms("1d", now).unwrap(), now - 86_400_000);
        let midnight = local_midnight_ms(now);
        assert_eq!(since_ms("00:00", now).unwrap(), midnight);
        assert!(since_ms("1999-01-01", now).unwrap() < midnight);
        for bad in [
            "",
            "2x",
            "h",
            "25:00",
            "tomorrow",
            "2026-13-01",
            "9999999999999999d",
        ] {
            assert!(since_ms(bad, now).is_err(), "{bad}");
        }
        assert!(since_ms("3000-01-01", now).is_err(), "the future");
    }
}
