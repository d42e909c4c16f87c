//! `otop watch --tmux`: one long-lived process keeps tmux user options current, so the status
//! bar reads `#{@otop_status}` instead of spawning `otop status` for every client every few
//! seconds. Sets the global `@otop_status` (the `otop status` segment, same template and flags)
//! and a per-pane `@otop_state` on each pane running a session; writes only what changed, in
//! one tmux call; exits when its tmux server is gone.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::error::{Error, Result};
use std::time::{Duration, Instant};

use crate::collect::{Collector, Focus, Source, now_ms};
use crate::model::row::Row;
use crate::model::select;
use crate::source::tmux::{self, same_socket};
use crate::statusline::format::{self, Style};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep tmux user options up to date: global @otop_status, per-pane @otop_state
    #[arg(long, required = true)]
    pub tmux: bool,
    /// tmux server socket (default: the one in $TMUX)
    #[arg(long, value_name = "PATH")]
    pub socket: Option<String>,
    /// Template for @otop_status, as `otop status --format`
    #[arg(long, short)]
    pub format: Option<String>,
    /// No tmux styles (#[…]) in @otop_status
    #[arg(long)]
    pub plain: bool,
    /// @otop_status when no session runs (default: empty)
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub empty: String,
    /// Seconds between refreshes
    #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = crate::config::parse_interval)]
    pub interval: Duration,
}

/// The option values one refresh produces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub status: String,
    /// pane id → state, for panes of this server that run a session.
    pub panes: BTreeMap<String, String>,
}

/// What `rows` mean for the server at `socket`: the segment and each pane's most urgent state.
pub fn options_for(
    rows: &[Row],
    socket: &str,
    template: &str,
    style: &Style,
    empty: &str,
) -> Options {
    let rows = select::sessions(rows.to_vec(), false);
    let counts = super::status::count(&rows);
    let status = if counts.total() == 0 {
        empty.to_string()
    } else {
        format::render(template, &counts, style).unwrap_or_default()
    };
    let mut panes = BTreeMap::new();
    for r in &rows {
        if let Some(t) = r.tmux.as_ref().filter(|t| same_socket(&t.socket, socket)) {
            // Most urgent first: the first row of a pane decides its state.
            panes
                .entry(t.pane_id.clone())
                .or_insert_with(|| r.status.state.as_str().to_string());
        }
    }
    Options { status, panes }
}

/// The tmux commands that turn `old` into `new`; empty when nothing changed.
pub fn changes(old: Option<&Options>, new: &Options) -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let s = |x: &str| x.to_string();
    if old.is_none_or(|o| o.status != new.status) {
        cmds.push(vec![
            s("set-option"),
            s("-gq"),
            s("@otop_status"),
            new.status.clone(),
        ]);
    }
    for (pane, state) in &new.panes {
        if old.and_then(|o| o.panes.get(pane)) != Some(state) {
            cmds.push(vec![
                s("set-option"),
                s("-pq"),
                s("-t"),
                pane.clone(),
                s("@otop_state"),
                state.clone(),
            ]);
        }
    }
    if let Some(o) = old {
        for pane in o.panes.keys().filter(|p| !new.panes.contains_key(*p)) {
            // -q: the pane may be gone already.
            cmds.push(vec![
                s("set-option"),
                s("-pqu"),
                s("-t"),
                pane.clone(),
                s("@otop_state"),
            ]);
        }
    }
    cmds
}

/// Whether a tmux server still listens at `socket`. Connecting costs no process spawn.
fn server_alive(socket: &str) -> bool {
    std::os::unix::net::UnixStream::connect(socket).is_ok()
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let conf = &ctx.config.status;
    let (template, style) = format::settings(args.format.as_deref(), args.plain, conf);
    format::render(template, &format::Counts::default(), &style)?;
    let socket = match &args.socket {
        Some(s) => s.clone(),
        None => std::env::var("TMUX")
            .ok()
            .as_deref()
            .and_then(tmux::socket_of)
            .ok_or_else(|| Error::Invalid("not inside tmux: pass --socket PATH".into()))?,
    };
    if !server_alive(&socket) {
        return Err(Error::Refused(format!("no tmux server at {socket}")));
    }
    if !claim(&socket) {
        // Another watcher serves this server already.
        return Ok(ExitCode::SUCCESS);
    }
    let interval = args.interval;
    let mut collector = Collector::new(ctx.collector(), ctx.env.clone());
    collector.prime_cpu();
    let mut last: Option<Options> = None;
    loop {
        let started = Instant::now();
        let snap = collector.collect(&Focus::default(), now_ms());
        let now = options_for(&snap.rows, &socket, template, &style, &args.empty);
        let cmds = changes(last.as_ref(), &now);
        if !cmds.is_empty() {
            match tmux::run_tmux_commands(Some(&socket), &cmds) {
                Ok(_) => last = Some(now),
                // Tried again next time: `last` still says what tmux has.
                Err(_) if !server_alive(&socket) => return Ok(ExitCode::SUCCESS),
                Err(_) => {}
            }
        }
        std::thread::sleep(interval.saturating_sub(started.elapsed()));
        if !server_alive(&socket) {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// Records this process in the server option `@otop-watch-pid`, unless a live watcher is there
/// already. Two watchers started at once both write; the one whose pid stays wins.
fn claim(socket: &str) -> bool {
    let me = std::process::id().to_string();
    let current = || {
        tmux::run_tmux(Some(socket), &["show-option", "-gqv", "@otop-watch-pid"])
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let other = current();
    if !other.is_empty() && other != me && pid_alive(&other) {
        return false;
    }
    if tmux::run_tmux(Some(socket), &["set-option", "-gq", "@otop-watch-pid", &me]).is_err() {
        return false;
    }
    std::thread::sleep(Duration::from_millis(100));
    current() == me
}

fn pid_alive(pid: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(status: &str, panes: &[(&str, &str)]) -> Options {
        Options {
            status: status.into(),
            panes: panes
                .iter()
                .map(|(p, s)| (p.to_string(), s.to_string()))
                .collect(),
        }
    }

    #[test]
    fn only_what_changed_is_written() {
        let a = opts("◆1", &[("%1", "waiting"), ("%2", "idle")]);
        let line = |c: Vec<Vec<String>>| c.join(&[";".to_string()][..]).join(" ");
        let first = line(changes(None, &a));
        assert_eq!(
            first,
            "set-option -gq @otop_status ◆1 ; set-option -pq -t %1 @otop_state waiting ; \
             set-option -pq -t %2 @otop_state idle"
        );
        assert!(changes(Some(&a), &a).is_empty());
        let b = opts("◆1", &[("%1", "working")]);
        assert_eq!(
            line(changes(Some(&a), &b)),
            "set-option -pq -t %1 @otop_state working ; set-option -pqu -t %2 @otop_state"
        );
    }
}
