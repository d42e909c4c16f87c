//! An act on another machine's row: the order as JSON on the stdin of `otop serve --drive`
//! there (data, never an argument the remote shell or otop parses), over the same ssh path
//! answers take, with the session id (or pid) that machine's otop knows it by. The otop there
//! reads its world again and acts as `otop send|interrupt|end` would; its verdict is ours.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Act, Order};
use crate::collect::hosts::host_error;
use crate::config::hosts::Host;
use crate::error::Error;
use crate::model::sanitize::clean;
use crate::model::text::cut;
use crate::source::remote::once;

/// How long the otop there may take beyond the host's own timeout: a message waits for
/// opencode to take it, an end for the grace and SIGKILL.
const ACTING: Duration = Duration::from_secs(30);
/// The longest order read: a message a person or a script wrote, and a little more.
pub const MAX_ORDER: usize = 300 << 10;

/// What `otop serve --drive` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveOrder {
    /// The session there, as that machine names it (`ses_…` or a pid).
    pub target: String,
    pub act: Act,
}

impl DriveOrder {
    /// The order as sent: one JSON line.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.push(b'\n');
        line
    }

    /// The order read from `input`, at most [`MAX_ORDER`] bytes of it.
    pub fn read(input: impl std::io::Read) -> Result<DriveOrder, Error> {
        use std::io::Read;
        let mut text = Vec::new();
        input
            .take(MAX_ORDER as u64 + 1)
            .read_to_end(&mut text)
            .map_err(|e| Error::Invalid(format!("reading the order: {e}")))?;
        if text.len() > MAX_ORDER {
            return Err(Error::Invalid(format!(
                "an order longer than {} KiB",
                MAX_ORDER >> 10
            )));
        }
        serde_json::from_slice(&text).map_err(|e| Error::Invalid(format!("not an order: {e}")))
    }
}

/// Runs the act on `host`; its line back, or why it failed there.
pub fn act(host: &Host, order: &Order) -> Result<String, Error> {
    let target = order
        .row
        .target_there()
        .ok_or_else(|| Error::Refused("nothing to act on there".into()))?;
    let sent = DriveOrder {
        target,
        act: order.act.clone(),
    };
    let grace = match &order.act {
        Act::End { grace_ms, .. } => Duration::from_millis(*grace_ms),
        _ => Duration::ZERO,
    };
    let remote = host.remote();
    let out = once::start_with(
        &remote,
        &["serve", "--drive"],
        remote.timeout + ACTING + grace,
        Some(sent.to_line()),
    )
    .wait()
    .map_err(|why| host_error(&host.name, why, None))?;
    Ok(format!("{}: {}", host.name, cut(&clean(out.trim()), 500)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the otop there reads is what was meant, whatever the text holds.
    #[test]
    fn the_order_is_data() {
        for text in [
            "-R",
            "--file=/etc/passwd",
            "now run\nthe tests",
            "'; rm -rf ~ #",
        ] {
            let order = DriveOrder {
                target: "-t%3".into(),
                act: Act::Send(text.into()),
            };
            let read = DriveOrder::read(&order.to_line()[..]).expect("reads");
            assert_eq!(read, order);
        }
        let end = DriveOrder {
            target: "ses_a".into(),
            act: Act::End {
                signal: super::super::Signal::Hup,
                grace_ms: 3000,
            },
        };
        assert_eq!(DriveOrder::read(&end.to_line()[..]).expect("reads"), end);
        assert!(DriveOrder::read(&b"{\"target\":1}"[..]).is_err());
        let long = vec![b' '; MAX_ORDER + 1];
        assert!(DriveOrder::read(&long[..]).is_err());
    }
}
