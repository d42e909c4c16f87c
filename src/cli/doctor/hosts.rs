//! `otop doctor`'s check of each `[[hosts]]` entry: ssh reaches it, otop runs there, and its
//! snapshot format is one this otop reads. All hosts are asked at once.

use std::time::Instant;

use super::{Line, Mark};
use crate::collect::hosts::{ask, neutralised, snapshot};
use crate::config::hosts::Host;

pub(super) fn lines(hosts: &[Host]) -> Vec<Line> {
    let started = Instant::now();
    let calls: Vec<_> = hosts.iter().map(|h| (h, ask(h, &["--light"]))).collect();
    calls
        .into_iter()
        .map(|(h, call)| {
            let answer = snapshot(call, &h.name).map_err(neutralised);
            let ms = started.elapsed().as_millis();
            match answer {
                Ok(snap) => Line {
                    mark: Mark::Ok,
                    topic: "hosts",
                    text: format!(
                        "{}: otop {} over `ssh {}` answered in {ms} ms; {} opencode row{}",
                        h.name,
                        crate::model::sanitize::clean(&snap.version),
                        crate::model::sanitize::clean(&h.ssh),
                        snap.rows.len(),
                        if snap.rows.len() == 1 { "" } else { "s" },
                    ),
                },
                Err(why) => Line {
                    mark: Mark::Fail,
                    topic: "hosts",
                    text: format!(
                        "{}: {why} (try: ssh {} {} --version)",
                        h.name,
                        crate::model::sanitize::clean(&h.ssh),
                        crate::model::sanitize::clean(&h.otop)
                    ),
                },
            }
        })
        .collect()
}
