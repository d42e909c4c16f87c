//! Answering a session that waits for a permission or a question: the one path every view
//! and `otop reply` act through, as [`crate::jump::go`] is for moving a client. [`give`] reads
//! the world again first, so a request that is no longer pending is refused, never answered
//! (whatever dialog is open now); then it answers through the companion plugin's channel when
//! the plugin reported the request (exact, by opencode's id), else by typing into the pane
//! (after reading the pane: see [`pane`]). Every answer sent is logged with what became of
//! it.

pub mod channel;
pub mod log;
pub mod pane;

use serde_json::json;

use crate::collect::{Focus, Snapshot, Source, Waker, now_ms};
use crate::error::Error;
use crate::error::answer::ChannelError;
use crate::model::request::{Answer, Ask, Order, Request};
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::paths::Env;

/// This machine's collector, answering its sessions through [`give`]: the collector only reads,
/// and answering is added here, above it, so nothing in `collect` reaches for an effect.
pub struct Local<S: Source> {
    inner: S,
    env: Env,
}

impl<S: Source> Local<S> {
    pub fn new(inner: S, env: Env) -> Local<S> {
        Local { inner, env }
    }
}

impl<S: Source> Source for Local<S> {
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        self.inner.collect(focus, now)
    }

    fn prime_cpu(&mut self) -> bool {
        self.inner.prime_cpu()
    }

    /// Reads the world again (all rows) before answering and, without the plugin, until
    /// opencode took the answer.
    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        let inner = &mut self.inner;
        give(order, &self.env, now, &mut || {
            inner.collect(&Focus::default(), now_ms()).rows
        })
    }

    fn host(&self, name: &str) -> Option<crate::config::hosts::Host> {
        self.inner.host(name)
    }

    fn wake_with(&mut self, wake: Waker) {
        self.inner.wake_with(wake)
    }
}

/// Gives `order`'s answer. `fresh` reads every row again (the sources as they are now).
/// Returns a line saying what was answered and how.
pub fn give(
    order: &Order,
    env: &Env,
    now_ms: i64,
    fresh: &mut dyn FnMut() -> Vec<Row>,
) -> Result<String, Error> {
    let same = |r: &Row| r.pid() == order.row.pid() && r.session_id() == order.row.session_id();
    let name = describe(&order.row);
    let row = again(&order.row, &fresh())?;
    let not_pending = |id: &str, now: Option<&Request>| Error::NotPending {
        request: clean(id).into_owned(),
        session: name.clone(),
        now: now.map(|r| clean(&r.summary()).into_owned()),
    };
    let Some(request) = row.status.request.as_deref().cloned() else {
        return Err(match &order.request {
            Some(id) => not_pending(id, None),
            None => Error::Refused(format!(
                "{name} waits for no answer now ({}: {})",
                row.status.state.as_str(),
                clean(&row.status.detail)
            )),
        });
    };
    if let Some(id) = &order.request
        && *id != request.id
    {
        return Err(not_pending(id, Some(&request)));
    }
    request.check(&order.answer).map_err(|why| Error::Misfit {
        session: name.clone(),
        why,
    })?;
    // The plugin answers what it reported, by id, when its channel is there; a plugin
    // without one (older, or a socket path too long) leaves the pane.
    let socket = row
        .process
        .as_ref()
        .map(|p| channel::socket_of(&p.info, env))
        .filter(|s| request.from_plugin && s.exists());
    let (how, outcome) = match &socket {
        Some(socket) => {
            channel::check(socket).map_err(|why| Error::Channel {
                what: "the companion plugin's channel",
                why,
            })?;
            let sent = channel::ask(socket, &message(&request, &order.answer))
                .and_then(|a| channel::outcome(&a));
            let outcome = sent
                .map(|()| "through the companion plugin".to_string())
                .map_err(|why| match why {
                    // Answered or withdrawn between the read above and the plugin.
                    ChannelError::NotPending => not_pending(&request.id, None),
                    why => Error::Channel {
                        what: "the companion plugin",
                        why,
                    },
                });
            ("plugin", outcome)
        }
        None => {
            let ready = pane::prepare(&row, &request)?;
            let outcome = ready.send(&request, &order.answer, &mut || {
                fresh().into_iter().find(same)
            });
            ("pane", outcome)
        }
    };
    if let Some(file) = env.otop_state_dir().map(|d| d.join("answers.log")) {
        let said = match &outcome {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("not taken: {e}"),
        };
        let _ = log::append(
            &file,
            &[
                &log::timestamp(now_ms),
                &request.session_id,
                &request.id,
                &order.answer.describe(),
                how,
                &said,
            ],
        );
    }
    let how = outcome?;
    Ok(format!(
        "{}: {} {how}",
        answered(&order.answer),
        clean(&request.summary())
    ))
}

/// What the plugin is sent for an answer.
fn message(request: &Request, answer: &Answer) -> serde_json::Value {
    let op = match request.ask {
        Ask::Permission { .. } => "permission",
        Ask::Question { .. } => "question",
    };
    let mut m = json!({"op": op, "session": request.session_id, "request": request.id});
    match answer {
        Answer::Once | Answer::Always | Answer::Reject => m["reply"] = json!(answer.describe()),
        Answer::Option(n) => m["option"] = json!(n),
        Answer::Text(t) => m["text"] = json!(t),
    }
    m
}

fn answered(answer: &Answer) -> String {
    match answer {
        Answer::Once => "allowed once".into(),
        Answer::Always => "allowed always".into(),
        Answer::Reject => "rejected".into(),
        Answer::Option(n) => format!("answered option {n}"),
        Answer::Text(t) => format!("answered {:?}", clean(t)),
    }
}

/// `seen` as `rows` (read again) show it now: the same process and session, refused when it is
/// gone or its process is only guessed to run it while a twin could (keys typed into a twin,
/// or a prompt sent to it, would reach another session).
pub fn again(seen: &Row, rows: &[Row]) -> Result<Row, Error> {
    let name = describe(seen);
    let row = rows
        .iter()
        .find(|r| r.pid() == seen.pid() && r.session_id() == seen.session_id())
        .cloned()
        .ok_or_else(|| Error::Refused(format!("{name} is no longer running")))?;
    if let Some(why) = row.twin_doubt(Row::running(rows)) {
        return Err(Error::Refused(format!("{name}: {why}")));
    }
    Ok(row)
}

/// The row in a few words: its session id, else its pid.
pub fn describe(row: &Row) -> String {
    match (row.session_id(), row.pid()) {
        (Some(s), _) => clean(s).into_owned(),
        (None, Some(p)) => format!("pid {p}"),
        (None, None) => "the session".into(),
    }
}

#[cfg(test)]
mod tests;
