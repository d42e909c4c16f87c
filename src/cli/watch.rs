//! `otop watch --tmux`: one long-lived process keeps tmux user options current, so the status
//! bar reads `#{@otop_status}` instead of spawning `otop status` for every client every few
//! seconds. Sets the global `@otop_status` (the `otop status` segment, same template and flags)
//! and a per-pane `@otop_state` on each pane running a session; writes only what changed, in
//! one tmux call; exits when its tmux server is gone. It also sends notifications and keeps
//! the unseen marks (`notify`), refreshing at once when the companion plugin reports a request.

use std::process::ExitCode;

use crate::error::{Error, Result};
use std::time::{Duration, Instant};

use crate::collect::{Focus, Source, now_ms};
use crate::effects::Effects;
use crate::notify::{Notifier, NotifyOptions};
use crate::source::tmux::{self, server_alive};
use crate::statusline::format;
use crate::statusline::tmux_options::{Options, changes, options_for};

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
    /// Send no notifications (the [notify] channels), whatever the configuration file says
    #[arg(long)]
    pub no_notify: bool,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let (template, style) =
        format::settings(args.format.as_deref(), args.plain, &ctx.config.status);
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
    // Each session's day only for a template that shows `{waited}`.
    let opts = crate::collect::CollectorOptions {
        timelines: format::uses_waited(template),
        ..ctx.collector()
    };
    let mut source = ctx.live_source(opts, interval);
    source.prime_cpu();
    // The demo notifies nobody: nothing in it acts on the real world.
    let quiet = args.no_notify || ctx.demo;
    let mut effects = Effects::notifying(Notifier::new(NotifyOptions {
        quiet,
        follow: Some(ctx.follow_config()),
        ..NotifyOptions::new(&ctx.config.notify, &ctx.env, "otop watch")
    }))
    // The fleet record (`otop restore` reads it); none of the demo.
    .keeping(ctx.env.fleet_file().filter(|_| !ctx.demo))
    // What it sees of waits and errors, for `otop report` and the timelines; none of the demo.
    .observing(ctx.env.timeline_file().filter(|_| !ctx.demo));
    let (wake_tx, wake_rx) = std::sync::mpsc::channel();
    let wake: crate::collect::Waker = std::sync::Arc::new(move || {
        let _ = wake_tx.send(());
    });
    source.wake_with(wake.clone());
    effects.wake_with(wake);
    let mut last: Option<Options> = None;
    loop {
        let started = Instant::now();
        let mut snap = source.collect(&Focus::default(), now_ms());
        effects.after(&mut snap);
        // `[status]` as the file says now, when it was edited and still renders.
        let status = effects.config().map_or(&ctx.config.status, |c| &c.status);
        let (template, style) = match format::settings(args.format.as_deref(), args.plain, status) {
            edited if format::render(edited.0, &format::Counts::default(), &edited.1).is_ok() => {
                edited
            }
            _ => (template, style.clone()),
        };
        let now = options_for(
            &snap.rows,
            snap.hosts_down(),
            crate::statusline::counts::waited_today(&snap),
            |s| tmux::same_socket(s, &socket),
            template,
            &style,
            &args.empty,
        );
        let cmds = changes(last.as_ref(), &now);
        if !cmds.is_empty() {
            match tmux::run_tmux_commands(Some(&socket), &cmds) {
                Ok(_) => last = Some(now),
                // Tried again next time: `last` still says what tmux has.
                Err(_) if !server_alive(&socket) => return Ok(ExitCode::SUCCESS),
                Err(_) => {}
            }
        }
        // The next refresh: after the interval, when a pending state will have held long
        // enough to be told, or when the plugin reports a request.
        let mut wait = interval.saturating_sub(started.elapsed());
        if let Some(at) = effects.next_deadline() {
            let ms = u64::try_from(at.saturating_sub(now_ms())).unwrap_or(0);
            wait = wait.min(Duration::from_millis(ms));
        }
        let _ = wake_rx.recv_timeout(wait);
        while wake_rx.try_recv().is_ok() {}
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

/// Whether process `pid` (a tmux option's text) lives.
pub(super) fn pid_alive(pid: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
