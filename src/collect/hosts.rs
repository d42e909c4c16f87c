//! This machine's rows and every configured host's, in one snapshot. A host that is slow, dead
//! or mis-configured costs its own line (`box: unreachable since 14:02 (…)`), never the local
//! rows' freshness: one-shot commands ask every host at once under its timeout while the local
//! collection runs; the long-lived views read each host's latest snapshot from its [`Link`].

use std::time::Duration;

use super::{Focus, Snapshot, Source, Waker};
use crate::config::hosts::Host;
use crate::error::Error;
use crate::model::request::{Answer, Order};
use crate::source::remote::link::{HostView, Link};
use crate::source::remote::once;

/// How a host is read.
enum Ask {
    /// Asked anew at each collection (one-shot commands).
    Once(Vec<Host>),
    /// One `otop serve --interval` per host, kept running.
    Live(Vec<Link>),
}

/// What became of one host in a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct HostState {
    pub name: String,
    pub seen: Seen,
}

/// Whether a host's rows are in.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// Asked, no answer yet (a live view's first moments).
    Asking,
    /// Its rows are in; the remote otop's version.
    Answered(String),
    /// Not reachable since (Unix ms), and why.
    Down(i64, String),
}

impl HostState {
    /// `box: unreachable since 14:02 (ssh: connect timed out)`.
    pub fn line(&self) -> Option<String> {
        let Seen::Down(since, why) = &self.seen else {
            return None;
        };
        Some(format!(
            "{}: unreachable since {} ({why})",
            self.name,
            local_hhmm(*since)
        ))
    }

    pub fn is_down(&self) -> bool {
        matches!(self.seen, Seen::Down(..))
    }

    pub fn is_asking(&self) -> bool {
        self.seen == Seen::Asking
    }

    pub fn answered(&self) -> bool {
        matches!(self.seen, Seen::Answered(_))
    }
}

fn local_hhmm(ms: i64) -> String {
    use chrono::{Local, TimeZone};
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "?".into(), |t| t.format("%H:%M").to_string())
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
            .map(|h| Link::open(h, interval, args.clone()))
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
            Ask::Live(links) => links.iter().map(Link::host).find(|h| h.name == name),
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
                    .map(|h| (h.name.clone(), once::snapshot(h, &args)))
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
        let views: Vec<(String, HostView)> = match &self.ask {
            Ask::Once(_) => calls
                .into_iter()
                .map(|(name, call)| {
                    let view = match call.snapshot() {
                        Ok(remote) => HostView::Live(remote, now),
                        Err(why) => HostView::Down(now, why),
                    };
                    (name, view)
                })
                .collect(),
            Ask::Live(links) => links
                .iter()
                .map(|l| (l.host().name.clone(), l.latest(now)))
                .collect(),
        };
        merge(&mut snap, views);
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

    fn wake_with(&mut self, wake: Waker) {
        if let Some(l) = &mut self.local {
            l.wake_with(wake.clone());
        }
        if let Ask::Live(links) = &mut self.ask {
            for l in links.iter_mut() {
                l.wake_with(wake.clone());
            }
        }
    }
}

/// Adds each host's rows, panes in front and warnings to `snap`, and a line for each host
/// that did not answer.
fn merge(snap: &mut Snapshot, views: Vec<(String, HostView)>) {
    for (name, view) in views {
        let state = match view {
            HostView::Live(remote, _) => {
                snap.rows.extend(remote.rows);
                snap.in_front.extend(remote.in_front);
                snap.warnings.extend(remote.warnings);
                HostState {
                    name,
                    seen: Seen::Answered(remote.version),
                }
            }
            HostView::Asking(_) => HostState {
                name,
                seen: Seen::Asking,
            },
            HostView::Down(since, why) => HostState {
                name,
                seen: Seen::Down(since, why),
            },
        };
        snap.warnings.extend(state.line());
        snap.hosts.push(state);
    }
}

/// The arguments of `otop reply` there. Text from a person or a model is glued to its option
/// (`--text=-v please`) and the target follows `--`: nothing of theirs can be read as an
/// option of the remote otop.
fn remote_reply_args(answer: &Answer, request: Option<&str>, target: &str) -> Vec<String> {
    let mut args = vec!["reply".to_string()];
    match answer {
        Answer::Once => args.push("once".into()),
        Answer::Always => args.push("always".into()),
        Answer::Reject => args.push("reject".into()),
        Answer::Option(k) => args.push(format!("--option={k}")),
        Answer::Text(t) => args.push(format!("--text={t}")),
    }
    if let Some(r) = request {
        args.push(format!("--request={r}"));
    }
    args.extend(["--".into(), target.into()]);
    args
}

/// `otop reply` on the session's host, with the request the view showed; its line back.
fn remote_reply(host: &Host, order: &Order) -> Result<String, Error> {
    let target = order
        .row
        .target_there()
        .ok_or_else(|| Error::Refused("nothing to answer there".into()))?;
    let args = remote_reply_args(&order.answer, order.request.as_deref(), &target);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = once::start(host, &args, host.timeout() + Duration::from_secs(15))
        .wait()
        .map_err(|why| Error::Refused(format!("{}: {why}", host.name)))?;
    Ok(format!(
        "{}: {}",
        host.name,
        crate::model::text::cut(&crate::model::sanitize::clean(out.trim()), 500)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    #[test]
    fn a_remote_reply_reaches_the_other_otop_as_text() {
        let parse = |args: Vec<String>| {
            let all = std::iter::once("otop".to_string()).chain(args);
            match Cli::try_parse_from(all).map(|c| c.command) {
                Ok(Some(Command::Reply(a))) => (a.target, a.text, a.option, a.request),
                other => panic!("{other:?}"),
            }
        };
        for text in ["-v please", "-R", "-t%3 x", "--", "--option=2"] {
            let args = remote_reply_args(&Answer::Text(text.into()), Some("-R"), "-t%3");
            let (target, got, option, request) = parse(args);
            assert_eq!(got.as_deref(), Some(text));
            assert_eq!((target.as_str(), option), ("-t%3", None));
            assert_eq!(request.as_deref(), Some("-R"));
        }
        let (_, text, option, _) = parse(remote_reply_args(&Answer::Option(2), None, "ses_a"));
        assert_eq!((text, option), (None, Some(2)));
    }
}
