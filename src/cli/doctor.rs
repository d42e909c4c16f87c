//! `otop doctor`: checks the setup and says in plain words what is wrong; exits 1 when a
//! check fails (a `!!` line).

mod hosts;
mod notify;
mod restore;
mod tmux;

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::error::Result;

use crate::collect::{Collector, Focus, Source, now_ms};
use crate::companion::{self, Installed};
use crate::model::facts::Kind;
use crate::model::sanitize::clean;
use crate::paths::Env;
use crate::source::db::DbError;
use crate::source::db::info::DbInfo;
use crate::tui::text::wrap;
use crate::tui::theme::Theme;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// How a finding is marked: `ok`, `--` (works, but not as one would expect: said, and the
/// exit status stays 0), `!!` (a failure: exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Note,
    Fail,
}

impl From<bool> for Mark {
    fn from(ok: bool) -> Mark {
        if ok { Mark::Ok } else { Mark::Fail }
    }
}

/// One finding: how it is marked, and what to say.
struct Line {
    mark: Mark,
    topic: &'static str,
    text: String,
}

pub fn run(_args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let env = ctx.env.clone();
    let mut collector = Collector::new(ctx.collector(), env.clone());
    let db_path = collector.default_db_path();
    let snap = collector.collect(&Focus::default(), now_ms());
    let mut lines = databases(&mut collector, &db_path, snap.skipped_rows);

    let procs: Vec<_> = snap
        .rows
        .iter()
        .filter_map(|r| r.process.as_ref().map(|p| (r, p)))
        .collect();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut unmatched = 0;
    for (row, p) in &procs {
        if p.kind == Kind::Helper || !seen.insert(p.info.pid) {
            continue;
        }
        *kinds.entry(kind_name(p.kind).to_string()).or_default() += 1;
        match row.matched {
            Some(m) => *rules.entry(format!("{m:?}").to_lowercase()).or_default() += 1,
            None if matches!(p.kind, Kind::Tui | Kind::Run | Kind::Attach) => unmatched += 1,
            None => {}
        }
    }
    let total: usize = kinds.values().sum();
    let list = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    lines.push(Line {
        mark: Mark::Ok,
        topic: "opencode",
        text: if total == 0 {
            "no opencode process is running".into()
        } else {
            let matched: usize = rules.values().sum();
            format!(
                "{total} process{} ({}); {matched} matched to a session ({}){}",
                if total == 1 { "" } else { "es" },
                list(&kinds),
                if rules.is_empty() { "none".into() } else { list(&rules) },
                if unmatched > 0 {
                    format!(", {unmatched} without one (a fresh TUI has no session until its first prompt)")
                } else {
                    String::new()
                }
            )
        },
    });
    if let Some(note) = &snap.opencode2 {
        lines.push(Line {
            mark: Mark::Fail,
            topic: "opencode",
            text: note.clone(),
        });
    }
    lines.extend(tmux::lines(&snap, &ctx.config.tmux.sockets));
    lines.push(plugin_line(&env, &snap.rows, now_ms()));
    lines.push(restore::line(&env, &snap));
    let (ok, text) = super::reply::channels(&env, &snap.rows);
    lines.push(Line {
        mark: ok.into(),
        topic: "answers",
        text,
    });
    lines.push(config_line(ctx));
    lines.extend(hosts::lines(&ctx.reach.hosts));
    let (mark, text) = notify::check(&ctx.config.notify, ctx.config_error.is_some(), &env);
    lines.push(Line {
        mark,
        topic: "notify",
        text,
    });
    lines.push(terminal_line());
    if ctx.demo {
        lines.push(Line {
            mark: Mark::Ok,
            topic: "demo",
            text: "--demo or OTOP_DEMO is on: every other command shows the simulated fleet \
                   (this check reads the real setup)"
                .into(),
        });
    }
    // `monitor.theme = "none"` and NO_COLOR, as for the monitor.
    print(&lines, Theme::from_config(&ctx.config.monitor).color)?;
    Ok(if lines.iter().all(|l| l.mark != Mark::Fail) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where a line's text starts: after `ok ` and the topic.
const INDENT: usize = 14;

/// On a terminal, each line wrapped at word boundaries to its width and continued under its
/// text, `ok` and `!!` in colour if `colour`; elsewhere one plain line per finding, for grep.
fn print(lines: &[Line], colour: bool) -> Result<()> {
    use std::io::IsTerminal;
    let tty = std::io::stdout().is_terminal();
    let width = match crossterm::terminal::size() {
        Ok((w, _)) if tty => usize::from(w),
        _ => usize::MAX,
    };
    let colour = tty && colour;
    for l in lines {
        let mark = match (l.mark, colour) {
            (Mark::Ok, true) => "\x1b[32mok\x1b[0m ",
            (Mark::Note, true) => "\x1b[33m--\x1b[0m ",
            (Mark::Fail, true) => "\x1b[1;31m!!\x1b[0m ",
            (Mark::Ok, false) => "ok ",
            (Mark::Note, false) => "-- ",
            (Mark::Fail, false) => "!! ",
        };
        // Lines quote paths (`--db`, the config file), tmux's and SQLite's words: all inert.
        let text = clean(&l.text);
        let mut rows = wrap(&text, width.saturating_sub(INDENT).max(30)).into_iter();
        crate::outln!("{mark} {:<9} {}", l.topic, rows.next().unwrap_or_default())?;
        for row in rows {
            crate::outln!("{}{row}", " ".repeat(INDENT))?;
        }
    }
    Ok(())
}

/// A line for the default database and for each one the running processes hold. The default
/// missing is no failure when the processes hold databases of their own.
fn databases(collector: &mut Collector, default: &std::path::Path, skipped: u64) -> Vec<Line> {
    let others: Vec<_> = collector
        .databases()
        .into_iter()
        .filter(|p| p != default)
        .collect();
    let mut lines = Vec::new();
    match collector.database_info(default) {
        Err(DbError::Missing(_)) if !others.is_empty() => lines.push(Line {
            mark: Mark::Ok,
            topic: "database",
            text: format!(
                "no database at {} (the default); the running opencode processes hold their own:",
                default.display()
            ),
        }),
        info => lines.push(database(default, info, skipped)),
    }
    for p in others {
        let info = collector.database_info(&p);
        lines.push(database(&p, info, 0));
    }
    lines
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Tui => "tui",
        Kind::Run => "run",
        Kind::Serve => "serve",
        Kind::Attach => "attach",
        Kind::Other => "other",
        Kind::Helper => "helper",
    }
}

/// `skipped`: rows the refresh could not read (a value of the wrong type) and left out.
fn database(
    path: &std::path::Path,
    info: std::result::Result<DbInfo, DbError>,
    skipped: u64,
) -> Line {
    let text = match info {
        Ok(info) => {
            let schema = match &info.migrations {
                Some(m) if m.count > 0 => format!(
                    "schema: {} migrations, latest {}",
                    m.count,
                    clean(m.latest.as_deref().unwrap_or("?"))
                ),
                Some(_) => "schema: no migrations recorded".into(),
                None => "schema: no migration table".into(),
            };
            let mut s = format!(
                "{} — written by opencode {} ({schema}), {} sessions, {}",
                path.display(),
                info.opencode_version
                    .as_deref()
                    .map_or("(unknown version)".into(), |v| clean(v).into_owned()),
                info.sessions,
                if info.session_totals {
                    "per-session token columns"
                } else {
                    "older schema (tokens summed from messages)"
                }
            );
            if !info.missing_tables.is_empty() {
                s.push_str(&format!(
                    "; missing tables: {}",
                    info.missing_tables.join(", ")
                ));
            }
            if skipped > 0 {
                s.push_str(&format!(
                    "; {skipped} row{} of the running sessions skipped (a value of the wrong type)",
                    if skipped == 1 { "" } else { "s" }
                ));
            }
            return Line {
                mark: (info.missing_tables.is_empty() && skipped == 0).into(),
                topic: "database",
                text: s,
            };
        }
        Err(e) => e.to_string(),
    };
    Line {
        mark: Mark::Fail,
        topic: "database",
        text,
    }
}

/// How long a process may run before its plugin has surely written its file (it writes at once).
const PLUGIN_GRACE_MS: i64 = 10_000;

/// Whether the companion plugin is installed, and which processes report through it: one that
/// started after the plugin was installed and does not report is named, with where its files
/// were looked for.
fn plugin_line(env: &Env, rows: &[crate::model::row::Row], now: i64) -> Line {
    let (using, total) = super::plugin::reporting(rows);
    let Some(path) = env.plugin_file() else {
        return Line {
            mark: Mark::Ok,
            topic: "plugin",
            text: "no HOME or XDG_CONFIG_HOME: no companion plugin".into(),
        };
    };
    let (ok, text) = match companion::inspect(&path) {
        Installed::Missing => (
            true,
            "companion plugin not installed (optional: otop plugin install)".to_string(),
        ),
        Installed::Current => {
            let silent = silent_plugins(env, rows, &path, now);
            let mut text = format!(
                "companion plugin installed; {using} of {total} opencode processes report \
                 through it (processes started before it was installed do not)"
            );
            for (pid, dir) in &silent {
                text.push_str(&format!(
                    "; pid {pid} started after it was installed and does not report (no \
                     file in {})",
                    clean(&dir.display().to_string())
                ));
            }
            (silent.is_empty(), text)
        }
        Installed::Other => (
            false,
            "companion plugin from another otop version: run otop plugin install".into(),
        ),
        Installed::Foreign => (false, format!("{} is not otop's plugin", path.display())),
    };
    Line {
        mark: ok.into(),
        topic: "plugin",
        text,
    }
}

/// The opencode processes (servers of sessions: TUIs, `run`, `serve`) that started after the
/// plugin file at `plugin` was written, long enough ago to have reported, and did not; with the
/// directory their files were looked for in.
fn silent_plugins(
    env: &Env,
    rows: &[crate::model::row::Row],
    plugin: &std::path::Path,
    now: i64,
) -> Vec<(u32, std::path::PathBuf)> {
    let Some(installed) = std::fs::metadata(plugin)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
    else {
        return Vec::new();
    };
    let mut out: Vec<(u32, std::path::PathBuf)> = rows
        .iter()
        .filter(|r| r.host.is_none())
        .filter_map(|r| r.process.as_ref())
        .filter(|p| matches!(p.kind, Kind::Tui | Kind::Run | Kind::Serve) && !p.plugin)
        .filter(|p| p.info.started_at > installed && now - p.info.started_at > PLUGIN_GRACE_MS)
        .map(|p| (p.info.pid, crate::source::plugin::dir_of(&p.info, env)))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn config_line(ctx: &super::Ctx) -> Line {
    let (ok, text) = match (&ctx.config_path, &ctx.config_error) {
        (_, Some(e)) => (
            false,
            format!("{} (the defaults apply until it is fixed)", clean(e)),
        ),
        (Some(p), None) if p.exists() => (true, p.display().to_string()),
        (Some(p), None) => (
            true,
            format!(
                "no {} (the defaults apply; otop config --print-default writes one)",
                p.display()
            ),
        ),
        (None, None) => (true, "no HOME: the defaults apply".into()),
    };
    Line {
        mark: ok.into(),
        topic: "config",
        text,
    }
}

fn terminal_line() -> Line {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let term = var("TERM").unwrap_or_else(|| "(unset)".into());
    let colour = if var("NO_COLOR").is_some() {
        "colours off (NO_COLOR)".to_string()
    } else if term == "dumb" || term == "(unset)" {
        format!("no colours (TERM={term})")
    } else {
        format!("colours on (TERM={term})")
    };
    let osc52 = if var("TMUX").is_some() {
        match crate::source::tmux::run_tmux(None, &["show", "-gv", "set-clipboard"]) {
            Ok(v) if v.trim() == "off" => "OSC 52 blocked by tmux (set -g set-clipboard on)".into(),
            Ok(v) => format!("OSC 52 through tmux (set-clipboard {})", v.trim()),
            Err(_) => "OSC 52: could not ask tmux".into(),
        }
    } else {
        "OSC 52 depends on the terminal (most modern ones support it)".to_string()
    };
    Line {
        mark: Mark::Ok,
        topic: "terminal",
        text: format!("{colour}; {osc52}"),
    }
}

#[cfg(test)]
mod plugin_tests {
    use super::*;
    use crate::model::row::{ProcessRow, Row};
    use crate::model::state::{State, Status};
    use crate::source::process::types::ProcessInfo;

    fn row(pid: u32, started_at: i64, plugin: bool) -> Row {
        Row {
            process: Some(ProcessRow {
                info: ProcessInfo {
                    pid,
                    started_at,
                    ..ProcessInfo::default()
                },
                kind: Kind::Tui,
                cpu_percent: None,
                owner: None,
                plugin,
            }),
            ..Row::bare(Status::new(State::Idle, ""))
        }
    }

    /// A process started after the plugin was installed that does not report is named, with
    /// the directory its files were looked for in; one started before, or reporting, is not.
    #[test]
    fn a_process_that_should_report_and_does_not_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let plugin = tmp.path().join("otop.js");
        std::fs::write(&plugin, "x").unwrap();
        let installed = now_ms();
        let env = Env {
            xdg_data_home: Some("/data".into()),
            ..Env::default()
        };
        let now = installed + 60_000;
        let rows = [
            row(1, installed - 60_000, false),
            row(2, installed + 1_000, false),
            row(3, installed + 1_000, true),
            row(4, now - 1_000, false),
        ];
        assert_eq!(
            silent_plugins(&env, &rows, &plugin, now),
            [(2, std::path::PathBuf::from("/data/opencode/otop"))]
        );
    }
}
