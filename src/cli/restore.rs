//! `otop restore`: starts again, in tmux, every recorded opencode session that is not running
//! (see [`crate::restore`]); one line per session, exit 0 when everything in scope runs.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::collect::now_ms;
use crate::error::{Error, Result};
use crate::restore::plan::{self, Outcome, Step};
use crate::restore::record::Record;
use crate::restore::{act, read, world};
use crate::source::file::{Own, open_own, private_dir};
use crate::source::tmux::same_socket;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print what would be done and change nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Only the sessions of the tmux server at this socket
    #[arg(long, value_name = "PATH")]
    pub socket: Option<String>,
    /// Only the sessions of this tmux session
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
}

/// The most of another machine's restore output read: far more than its lines for 256 sessions.
const MAX_REMOTE: u64 = 1 << 20;

/// How long a restore waits for another one (the tmux plugin's, at server start) to finish.
const WAIT_OTHER: Duration = Duration::from_secs(60);

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let hosts_named = ctx.reach.named;
    let mut ok = true;
    if ctx.reach.local || !hosts_named {
        ok &= local(args, ctx)?;
    }
    if hosts_named && !ctx.demo {
        for host in &ctx.reach.hosts {
            ok &= remote(args, host)?;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// This machine's restore; whether everything in scope runs afterwards.
fn local(args: &Args, ctx: &super::Ctx) -> Result<bool> {
    let now = now_ms();
    if ctx.demo {
        let (record, world) = crate::restore::demo(now);
        let steps = plan::plan(&scoped(&record, args), &world, now);
        for s in &steps {
            crate::outln!("{}", plan::line(s, "would restore", ""))?;
        }
        crate::outln!("{} (demo: nothing was done)", summary(&steps, true, 0, ""))?;
        return Ok(true);
    }
    let path = ctx
        .env
        .fleet_file()
        .ok_or_else(|| Error::Invalid("no HOME or XDG_STATE_HOME: no fleet record".into()))?;
    let _lock = (!args.dry_run).then(|| one_at_a_time(&path)).transpose()?;
    let record = scoped(&read(&path), args);
    if record.sessions.is_empty() {
        crate::outln!(
            "nothing recorded to restore{} ({} is kept by `otop watch --tmux` and the monitor)",
            if args.socket.is_some() || args.session.is_some() {
                " in that scope"
            } else {
                ""
            },
            crate::model::sanitize::clean(&path.display().to_string())
        )?;
        return Ok(true);
    }
    // What runs now, read right before acting: never a second process for a session.
    let local_only = super::Ctx {
        reach: ctx.reach.here(),
        ..ctx.clone()
    };
    let snap = local_only.snapshot(ctx.collector(), false);
    let world = world(&record, &snap);
    let steps = plan::plan(&record, &world, now);
    let started = Instant::now();
    let mut made: BTreeMap<usize, String> = BTreeMap::new();
    let mut failed = 0;
    for (i, step) in steps.iter().enumerate() {
        let Outcome::Restore(start) = &step.outcome else {
            crate::outln!("{}", plan::line(step, "", ""))?;
            continue;
        };
        if args.dry_run {
            crate::outln!("{}", plan::line(step, "would restore", ""))?;
            continue;
        }
        let beside = match start.place {
            plan::Place::Beside(j) => made.get(&j).map(String::as_str),
            _ => None,
        };
        match act::start(&step.entry, start, beside) {
            Ok((pane, note)) => {
                crate::outln!("{}", plan::line(step, "restored", &note))?;
                made.insert(i, pane);
            }
            Err(e) => {
                failed += 1;
                let why = crate::model::sanitize::clean(&e.to_string()).into_owned();
                crate::outln!("{}", plan::line(step, "failed to restore", &why))?;
            }
        }
    }
    let took = if made.is_empty() {
        String::new()
    } else {
        format!(" in {:.1} s", started.elapsed().as_secs_f64())
    };
    crate::outln!("{}", summary(&steps, args.dry_run, failed, &took))?;
    let (to_restore, _, skipped) = plan::counts(&steps);
    Ok(skipped == 0 && failed == 0 && (!args.dry_run || to_restore == 0))
}

/// The record narrowed by `--socket` and `--session`.
fn scoped(record: &Record, args: &Args) -> Record {
    let sessions = record
        .sessions
        .iter()
        .filter(|e| {
            args.socket
                .as_deref()
                .is_none_or(|s| same_socket(s, &e.socket))
        })
        .filter(|e| args.session.as_deref().is_none_or(|s| s == e.session))
        .cloned()
        .collect();
    Record { sessions }
}

/// The last line: what was done, or that nothing changed.
fn summary(steps: &[Step], dry_run: bool, failed: usize, took: &str) -> String {
    let (to_restore, running, skipped) = plan::counts(steps);
    let rest = format!("{running} already running, {skipped} skipped");
    if to_restore == 0 {
        format!("nothing to restore, nothing changed: {rest}")
    } else if dry_run {
        format!("{to_restore} would be restored, {rest}")
    } else {
        let restored = to_restore - failed;
        let failed = if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        };
        format!("{restored} restored{took}{failed}, {rest}")
    }
}

/// Holds `restore.lock` beside the record while this restore acts: a second one (the tmux
/// plugin's, started by the server this one starts) waits, then finds everything running.
fn one_at_a_time(record: &std::path::Path) -> Result<std::fs::File> {
    let path = record.with_file_name("restore.lock");
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let io = |e: crate::source::file::FileError| Error::file(&path)(e.into());
    private_dir(dir).map_err(io)?;
    let lock = open_own(&path, Own::Lock).map_err(io)?;
    let until = Instant::now() + WAIT_OTHER;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Refused(
                    "another otop restore has been running for a minute: not started".into(),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::file(&path)(e)),
        }
    }
}

/// `otop restore` on another machine, through ssh: its lines, each sanitised; whether it
/// exited 0.
fn remote(args: &Args, host: &crate::config::hosts::Host) -> Result<bool> {
    let mut argv = vec!["restore".to_string()];
    if args.dry_run {
        argv.push("--dry-run".into());
    }
    for (flag, v) in [("--socket", &args.socket), ("--session", &args.session)] {
        if let Some(v) = v {
            argv.extend([flag.to_string(), v.clone()]);
        }
    }
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut child = crate::source::remote::ssh(&host.remote(), &refs)
        .spawn()
        .map_err(|e| Error::Refused(format!("{}: cannot run ssh: {e}", host.name)))?;
    // What another machine says is bounded: a line per session, never more than this.
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = (&mut p).take(MAX_REMOTE).read_to_end(&mut bytes);
                // The rest is read and dropped: the call ends, whatever the host sends.
                let _ = std::io::copy(&mut p, &mut std::io::sink());
            }
            bytes
        })
    };
    let out = read(child.stdout.take().map(|p| Box::new(p) as _));
    let err = read(child.stderr.take().map(|p| Box::new(p) as _));
    let status = child.wait().map_err(|e| Error::Refused(e.to_string()))?;
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&out);
    for line in text.lines() {
        let line = crate::model::text::cut(line, 4096);
        crate::outln!("{}: {}", host.name, crate::model::sanitize::clean(&line))?;
    }
    if !status.success() && text.trim().is_empty() {
        let err = String::from_utf8_lossy(&err);
        let why = crate::source::remote::failure(&host.remote(), status.code(), &err).to_string();
        crate::outln!("{}: {}", host.name, crate::model::sanitize::clean(&why))?;
    }
    Ok(status.success())
}
