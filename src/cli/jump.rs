//! `otop jump`: the picker's jump without any UI, for key bindings and scripts.

use std::process::ExitCode;

use crate::collect::{Collector, Env, Focus, Source, now_ms};
use crate::jump::{self, Plan};
use crate::model::row::Row;
use crate::pick::pickable;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["target", "tty", "next"]))]
pub struct Args {
    /// A session id (ses_…) or the pid of its opencode process
    pub target: Option<String>,
    /// The session whose opencode runs on this terminal (/dev/pts/3 or pts/3)
    #[arg(long, value_name = "TTY")]
    pub tty: Option<String>,
    /// The next session in this state after the current pane (cycles)
    #[arg(long, value_name = "STATE", value_parser = ["waiting", "error", "working", "idle", "stalled"])]
    pub next: Option<String>,
    /// tmux client to move (default: the current one)
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode, String> {
    let snap =
        Collector::new(ctx.collector(), Env::from_process()).collect(&Focus::default(), now_ms());
    let rows = snap.rows;
    let here = std::env::var("TMUX_PANE").ok();
    let current = jump::current_socket();
    let row = choose(&rows, args, here.as_deref(), current.as_deref()).ok_or_else(|| {
        let what = args
            .target
            .clone()
            .or(args.tty.clone())
            .or(args.next.as_ref().map(|s| format!("{s} session")))
            .unwrap_or_default();
        format!("no running opencode session matches {what}")
    })?;
    match jump::plan(
        row,
        jump::current_socket().as_deref(),
        args.client.as_deref(),
    ) {
        Plan::Jump(loc) => {
            let said = jump::jump_to(&loc, args.client.as_deref())?;
            println!("{said}");
            Ok(ExitCode::SUCCESS)
        }
        Plan::Explain(why) => Err(why),
        Plan::Print(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The row `args` names. `here` is the pane otop runs in, so `--next` moves on from it;
/// `current_socket` the tmux server it runs under, whose sessions `--next` prefers (a client
/// can only be switched within its own server).
pub fn choose<'a>(
    rows: &'a [Row],
    args: &Args,
    here: Option<&str>,
    current_socket: Option<&str>,
) -> Option<&'a Row> {
    if let Some(t) = &args.target {
        let pid: Option<u32> = t.parse().ok();
        return rows
            .iter()
            .find(|r| r.session_id() == Some(t.as_str()))
            .or_else(|| {
                rows.iter().find(|r| {
                    pid.is_some()
                        && r.pid() == pid
                        && r.session.as_ref().is_none_or(|s| !s.is_subagent())
                })
            });
    }
    if let Some(tty) = &args.tty {
        let want = tty.strip_prefix("/dev/").unwrap_or(tty);
        return rows.iter().find(|r| {
            r.process
                .as_ref()
                .and_then(|p| p.info.tty.as_deref())
                .map(|t| t.strip_prefix("/dev/").unwrap_or(t))
                == Some(want)
                && r.session.as_ref().is_none_or(|s| !s.is_subagent())
        });
    }
    let state = args.next.as_deref()?;
    let mut candidates: Vec<&Row> = rows
        .iter()
        .filter(|r| r.status.state.as_str() == state)
        .collect();
    let primary: Vec<Row> = pickable(candidates.iter().map(|r| (*r).clone()).collect());
    candidates.retain(|r| {
        primary
            .iter()
            .any(|p| p.session_id() == r.session_id() && p.pid() == r.pid())
    });
    if let Some(cur) = current_socket {
        let local = |r: &&Row| r.tmux.as_ref().is_some_and(|t| t.socket == cur);
        if candidates.iter().any(local) {
            candidates.retain(local);
        }
    }
    candidates.sort_by_key(|r| {
        r.tmux
            .as_ref()
            .map(|t| (t.session.clone(), t.window, t.target.clone()))
    });
    let at = here.and_then(|h| {
        candidates
            .iter()
            .position(|r| r.tmux.as_ref().is_some_and(|t| t.pane_id == h))
    });
    match at {
        Some(i) => candidates.get((i + 1) % candidates.len()).copied(),
        None => candidates.first().copied(),
    }
}
