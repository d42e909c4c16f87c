//! Driving a session from outside its pane: a message as the user's next prompt, an interrupt
//! of its running turn, the end of its process. The one path `otop send`, `otop interrupt`,
//! `otop end` and the views' keys act through, as [`crate::reply::give`] is for answers: it
//! reads the world again first (the row must still be that process and session, and in a state
//! the act fits), then acts through the companion plugin's channel when the plugin reports for
//! that process (exact: by session id, through opencode's own server routes), else through the
//! pane (only after reading it and seeing that session's TUI ready for the act, on proven
//! versions: [`pane`]). Ending a process needs neither ([`end`]). Every act is logged with what
//! became of it. The demo acts on nothing and says what it would do; another machine's row goes
//! to the otop there, over ssh ([`remote`]).

pub mod end;
mod pane;
mod plugin;
pub mod remote;
mod taken;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::collect::{Focus, Source, now_ms};
use crate::error::Error;
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::state::State;
use crate::model::text::cut;
use crate::paths::Env;

pub use end::Signal;
pub use pane::PROVEN;

/// What is done to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Act {
    /// Submit this text as the user's next prompt.
    Send(String),
    /// Stop the running turn, as the TUI's `esc esc` does.
    Interrupt,
    /// End the process: `signal`, then SIGKILL after `grace_ms`.
    End { signal: Signal, grace_ms: u64 },
}

impl Act {
    /// The verb, as the commands name it.
    pub fn verb(&self) -> &'static str {
        match self {
            Act::Send(_) => "send",
            Act::Interrupt => "interrupt",
            Act::End { .. } => "end",
        }
    }

    /// The act in a few words (the log, the demo's line).
    pub fn describe(&self) -> String {
        match self {
            Act::Send(text) => format!("send {:?}", cut(&clean(text), 60)),
            Act::Interrupt => "interrupt".into(),
            Act::End { signal, grace_ms } => format!(
                "end ({}, SIGKILL after {} s)",
                signal.name(),
                grace_ms / 1000
            ),
        }
    }
}

/// The end of a process: `signal`, then SIGKILL after `grace` (the command's `--grace`, else
/// the file's `[drive] end_grace`, which the views take).
pub fn end_act(signal: Signal, grace: Duration) -> Act {
    Act::End {
        signal,
        grace_ms: u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
    }
}

/// An act on the session (or process) of a row, as a view or a command asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The row as the asker saw it: which process, which session.
    pub row: Row,
    pub act: Act,
}

/// Does `order` through `source` (read again first: the demo says what it would do, another
/// machine's row goes to its otop); returns a line saying what was done.
pub fn act(order: &Order, source: &mut dyn Source, env: &Env) -> Result<String, Error> {
    let snap = source.collect(&Focus::default(), now_ms());
    act_read(order, snap, source, env)
}

/// [`act`] on `snap`, a snapshot `source` has just taken (a command found the row in it).
pub fn act_read(
    order: &Order,
    snap: crate::collect::Snapshot,
    source: &mut dyn Source,
    env: &Env,
) -> Result<String, Error> {
    if snap.demo {
        fits(&order.row, &order.act)?;
        return Ok(format!(
            "demo: would {} for {}; nothing is sent in the demo",
            order.act.describe(),
            describe(&order.row)
        ));
    }
    if let Some(name) = &order.row.host {
        let host = source
            .host(name)
            .ok_or_else(|| Error::Refused(format!("{}: not a host of this view", clean(name))))?;
        return remote::act(&host, order);
    }
    let mut fresh = || source.collect(&Focus::default(), now_ms()).rows;
    local(order, snap.rows, env, &mut fresh)
}

/// [`act`] on this machine: `rows` as just read, `fresh` to read them again.
fn local(
    order: &Order,
    rows: Vec<Row>,
    env: &Env,
    fresh: &mut dyn FnMut() -> Vec<Row>,
) -> Result<String, Error> {
    let name = describe(&order.row);
    let row = crate::reply::again(&order.row, &rows)?;
    let started = now_ms();
    let (how, outcome) = match &order.act {
        Act::End { signal, grace_ms } => {
            let p = row
                .process
                .as_ref()
                .ok_or_else(|| Error::Refused(format!("{name}: no process to end")))?;
            let grace = Duration::from_millis(*grace_ms);
            (
                "signal",
                end::end(p.info.pid, p.info.started_at, *signal, grace),
            )
        }
        Act::Send(_) | Act::Interrupt => {
            fits(&row, &order.act)?;
            through(&row, env, &order.act, started, fresh)?
        }
    };
    log(env, &row, &order.act, how, &outcome, started);
    let said = outcome?;
    Ok(format!("{}: {said}", order.act.verb()))
}

/// Through the plugin when it reports for the process and takes the act; else through the pane.
/// Refusals before anything was sent are errors; the outcome of what was sent is the second.
fn through(
    row: &Row,
    env: &Env,
    act: &Act,
    started: i64,
    fresh: &mut dyn FnMut() -> Vec<Row>,
) -> Result<(&'static str, Result<String, Error>), Error> {
    let same = |r: &Row| r.pid() == row.pid() && r.session_id() == row.session_id();
    let mut again = || fresh().into_iter().find(same);
    if let Some(channel) = plugin::channel(row, env)? {
        return Ok((
            "plugin",
            plugin::act(&channel, row, env, act, started, &mut again),
        ));
    }
    let ready = pane::prepare(row, act)?;
    Ok(("pane", ready.act(row, env, act, started, &mut again)))
}

/// Whether `act` fits `row` as it reads now; if not, why (the views say it at once, before
/// any confirmation; [`act`] again after reading the world anew).
pub fn fits(row: &Row, act: &Act) -> Result<(), Error> {
    let name = describe(row);
    match act {
        Act::Send(text) => fits_send(row, &name, text),
        Act::Interrupt => fits_interrupt(row, &name),
        Act::End { .. } if row.process.is_none() => {
            Err(Error::Refused(format!("{name}: no process to end")))
        }
        Act::End { .. } => Ok(()),
    }
}

/// A message goes to a session that is there and waits for no answer.
fn fits_send(row: &Row, name: &str, text: &str) -> Result<(), Error> {
    if row.session_id().is_none() {
        return Err(Error::Refused(format!(
            "{name} shows no session yet: type its first message in its pane"
        )));
    }
    if text.trim().is_empty() {
        return Err(Error::Invalid("the message is empty".into()));
    }
    if row.status.state == State::Waiting {
        return Err(Error::Refused(format!(
            "{name} waits for an answer ({}): answer it first (otop reply)",
            clean(&row.status.detail)
        )));
    }
    Ok(())
}

/// An interrupt goes to a session whose turn runs.
fn fits_interrupt(row: &Row, name: &str) -> Result<(), Error> {
    if row.session_id().is_none() {
        return Err(Error::Refused(format!("{name} shows no session")));
    }
    if !matches!(row.status.state, State::Working | State::Waiting)
        && row.status.detail != "retrying"
    {
        return Err(Error::Refused(format!(
            "{name} is not working ({}: {}): no turn to interrupt",
            row.status.state.as_str(),
            clean(&row.status.detail)
        )));
    }
    Ok(())
}

/// One line of the answers log for an act sent.
fn log(env: &Env, row: &Row, act: &Act, how: &str, outcome: &Result<String, Error>, at: i64) {
    let Some(file) = env.otop_state_dir().map(|d| d.join("answers.log")) else {
        return;
    };
    let said = match outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("not taken: {e}"),
    };
    let pid = row.pid().map(|p| format!("pid {p}")).unwrap_or_default();
    let _ = crate::reply::log::append(
        &file,
        &[
            &crate::reply::log::timestamp(at),
            row.session_id().unwrap_or("-"),
            &pid,
            &act.describe(),
            how,
            &said,
        ],
    );
}

pub use crate::reply::describe;

#[cfg(test)]
mod tests;
