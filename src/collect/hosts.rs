//! This machine's rows and every configured host's, in one snapshot. A host that is slow, dead
//! or mis-configured costs its own line (`box: unreachable since 14:02 (…)`), never the local
//! rows' freshness: one-shot commands ask every host at once under its timeout while the local
//! collection runs; the long-lived views read each host's latest snapshot from its [`Link`].

use std::time::Duration;

use super::wire::{self, AnswerOrder, RemoteSnapshot};
use super::{Focus, Snapshot, Source, Waker, now_ms};
use crate::config::hosts::Host;
use crate::error::Error;
use crate::model::request::Order;
use crate::model::sanitize::clean;
use crate::source::remote::link::Link;
use crate::source::remote::{RemoteError, once};

/// What is known of a host (the one host state, [`crate::source::remote::Seen`]); in a
/// snapshot, an answer is the remote otop's version.
pub use crate::source::remote::Seen;

/// How a host is read.
enum Ask {
    /// Asked anew at each collection (one-shot commands).
    Once(Vec<Host>),
    /// One `otop serve --interval` per host, kept running.
    Live(Vec<(Host, Link<RemoteSnapshot>)>),
}

/// What became of one host in a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct HostState {
    pub name: String,
    /// Answered with its otop's version; down with why, neutralised.
    pub seen: Seen<String>,
}

impl HostState {
    /// `box: unreachable since 14:02 (ssh: connect timed out)`.
    pub fn line(&self) -> Option<String> {
        let Seen::Down { since, why } = &self.seen else {
            return None;
        };
        Some(format!(
            "{}: unreachable since {} ({why})",
            self.name,
            local_hhmm(*since)
        ))
    }

    pub fn is_down(&self) -> bool {
        self.seen.is_down()
    }

    pub fn is_asking(&self) -> bool {
        matches!(self.seen, Seen::Asking { .. })
    }

    pub fn answered(&self) -> bool {
        matches!(self.seen, Seen::Answered { .. })
    }
}

fn local_hhmm(ms: i64) -> String {
    use chrono::{Local, TimeZone};
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "?".into(), |t| t.format("%H:%M").to_string())
}

/// A host's words neutralised, so an error can reach a terminal, tmux or a notification.
pub fn neutralised(why: RemoteError) -> RemoteError {
    why.map_text(|s| clean(s).into_owned())
}

/// The error a view shows for `host`: its kind kept, its words neutralised.
pub fn host_error(host: &str, why: RemoteError, hint: Option<String>) -> Error {
    Error::Remote {
        host: host.to_string(),
        why: neutralised(why),
        hint,
    }
}

/// Asks `host` for one snapshot (`otop serve --once` and `extra`), under its timeout.
pub fn ask(host: &Host, extra: &[&str]) -> once::Call {
    let mut args = vec!["serve", "--once"];
    args.extend(extra);
    let remote = host.remote();
    once::start(&remote, &args, remote.timeout)
}

/// The snapshot an [`ask`] brought, its rows on `host`.
pub fn snapshot(call: once::Call, host: &str) -> Result<RemoteSnapshot, RemoteError> {
    let out = call.wait()?;
    let line = out.lines().next().unwrap_or_default();
    Ok(wire::decode(line, host)?)
}

/// The local source (None under `--host` without `--local`) and the hosts.
pub struct WithHosts {
    local: Option<Box<dyn Source>>,
    ask: Ask,
    /// `serve`'s arguments saying what to collect (`--light` for the status line).
    args: Vec<String>,
}

impl WithHosts {
    /// For a one-shot command.
    pub fn once(local: Option<Box<dyn Source>>, hosts: Vec<Host>, args: Vec<String>) -> Self {
        WithHosts {
            local,
            ask: Ask::Once(hosts),
            args,
        }
    }

    /// For a view that refreshes every `interval`: each host's connection opens now.
    pub fn live(
        local: Option<Box<dyn Source>>,
        hosts: Vec<Host>,
        args: Vec<String>,
        interval: Duration,
    ) -> Self {
        let links = hosts
            .into_iter()
            .map(|h| {
                let name = h.name.clone();
                let decode = Box::new(move |line: &str| Ok(wire::decode(line, &name)?));
                let link = Link::open(h.remote(), interval, args.clone(), decode, now_ms);
                (h, link)
            })
            .collect();
        WithHosts {
            local,
            ask: Ask::Live(links),
            args,
        }
    }

    fn host(&self, name: &str) -> Option<&Host> {
        match &self.ask {
            Ask::Once(hosts) => hosts.iter().find(|h| h.name == name),
            Ask::Live(links) => links.iter().map(|(h, _)| h).find(|h| h.name == name),
        }
    }
}

impl Source for WithHosts {
    fn collect(&mut self, focus: &Focus, now: i64) -> Snapshot {
        // Every host is asked before the local collection starts, so they overlap.
        let calls: Vec<(String, once::Call)> = match &self.ask {
            Ask::Once(hosts) => {
                let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
                hosts
                    .iter()
                    .map(|h| (h.name.clone(), ask(h, &args)))
                    .collect()
            }
            Ask::Live(_) => Vec::new(),
        };
        let mut snap = match &mut self.local {
            Some(local) => local.collect(focus, now),
            None => Snapshot {
                taken_at: now,
                ..Snapshot::default()
            },
        };
        let seen: Vec<(String, Seen<RemoteSnapshot>)> = match &mut self.ask {
            Ask::Once(_) => calls
                .into_iter()
                .map(|(name, call)| {
                    let asked = Seen::Asking { since: now };
                    let seen = match snapshot(call, &name) {
                        Ok(remote) => Seen::Answered {
                            with: remote,
                            at: now,
                        },
                        Err(why) => asked.down(why),
                    };
                    (name, seen)
                })
                .collect(),
            Ask::Live(links) => links
                .iter_mut()
                .map(|(h, l)| (h.name.clone(), l.latest(now)))
                .collect(),
        };
        merge(&mut snap, seen);
        snap
    }

    fn prime_cpu(&mut self) -> bool {
        self.local.as_mut().is_some_and(|l| l.prime_cpu())
    }

    fn answer(&mut self, order: &Order, now: i64) -> Result<String, Error> {
        let Some(name) = order.row.host.clone() else {
            return match &mut self.local {
                Some(local) => local.answer(order, now),
                None => Err(Error::Refused(
                    "this machine's sessions are not read (--host)".into(),
                )),
            };
        };
        let host = self
            .host(&name)
            .ok_or_else(|| Error::Refused(format!("{name}: not a host of this view")))?;
        remote_reply(host, order)
    }

    fn host(&self, name: &str) -> Option<Host> {
        WithHosts::host(self, name).cloned()
    }

    fn wake_with(&mut self, wake: Waker) {
        if let Some(l) = &mut self.local {
            l.wake_with(wake.clone());
        }
        if let Ask::Live(links) = &mut self.ask {
            for (_, l) in links.iter_mut() {
                l.wake_with(wake.clone());
            }
        }
    }
}

/// Adds each host's rows, panes in front and warnings to `snap`, and each host's state (a host
/// that did not answer is a line of `Snapshot::notes`).
fn merge(snap: &mut Snapshot, seen: Vec<(String, Seen<RemoteSnapshot>)>) {
    for (name, seen) in seen {
        let seen = match seen {
            Seen::Down { since, why } => Seen::Down {
                since,
                why: neutralised(why),
            },
            other => other.map(|remote| {
                snap.rows.extend(remote.rows);
                snap.in_front.extend(remote.in_front);
                snap.warnings.extend(remote.warnings);
                remote.version
            }),
        };
        snap.hosts.push(HostState { name, seen });
    }
}

/// An answer to the session of `order`'s row on its host: the order as JSON on the stdin of
/// `otop serve --reply` there (data, never an argument the remote shell or otop parses), which
/// reads its world again and answers, or refuses, as `otop reply` does; its line back.
fn remote_reply(host: &Host, order: &Order) -> Result<String, Error> {
    let target = order
        .row
        .target_there()
        .ok_or_else(|| Error::Refused("nothing to answer there".into()))?;
    let sent = AnswerOrder {
        target,
        request: order.request.clone(),
        answer: order.answer.clone(),
    };
    let remote = host.remote();
    let out = once::start_with(
        &remote,
        &["serve", "--reply"],
        remote.timeout + Duration::from_secs(15),
        Some(sent.to_line()),
    )
    .wait()
    .map_err(|why| host_error(&host.name, why, None))?;
    Ok(format!(
        "{}: {}",
        host.name,
        crate::model::text::cut(&clean(out.trim()), 500)
    ))
}
