//! How many notifications another machine may cause: a host is as untrusted as a title, and
//! one reporting 50 new "certain" sessions every refresh would otherwise start a notification
//! command per session, without end. Each host has a bucket of [`BURST`] notes, refilled one
//! every [`REFILL_MS`]; what a host sends beyond it is dropped and said (one warning line),
//! never at the cost of this machine's notes, which have no limit.

use std::collections::HashMap;

/// Notes a host may cause at once.
pub const BURST: u32 = 10;
/// One more note a host may cause every this long (10 a minute).
pub const REFILL_MS: i64 = 6_000;

/// The buckets of the hosts that caused notes.
#[derive(Debug, Default)]
pub struct PerHost {
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// Notes it may still cause, in thousandths (refilled by the millisecond).
    milli: i64,
    at: i64,
    /// Notes dropped since the host last had room.
    dropped: u32,
}

impl PerHost {
    /// Whether a note of `host` may go out at `now` (Unix ms); takes one from its bucket.
    pub fn allow(&mut self, host: &str, now: i64) -> bool {
        let full = i64::from(BURST) * 1000;
        let b = self.buckets.entry(host.to_string()).or_insert(Bucket {
            milli: full,
            at: now,
            dropped: 0,
        });
        let gained = now.saturating_sub(b.at).max(0).saturating_mul(1000) / REFILL_MS;
        b.milli = b.milli.saturating_add(gained).min(full);
        b.at = now;
        if b.milli >= 1000 {
            b.milli -= 1000;
            b.dropped = 0;
            true
        } else {
            b.dropped = b.dropped.saturating_add(1);
            false
        }
    }

    /// The hosts whose notes are being dropped now, with how many since they last had room.
    pub fn dropping(&self) -> Vec<(&str, u32)> {
        let mut v: Vec<(&str, u32)> = self
            .buckets
            .iter()
            .filter(|(_, b)| b.dropped > 0)
            .map(|(h, b)| (h.as_str(), b.dropped))
            .collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flood is cut to the burst, then to one note every [`REFILL_MS`]; each host has its
    /// own bucket.
    #[test]
    fn a_flooding_host_gets_its_burst_then_a_trickle() {
        let mut l = PerHost::default();
        // 50 notes every 0.5 s for a minute.
        let mut sent = 0;
        for tick in 0..120 {
            for _ in 0..50 {
                sent += u32::from(l.allow("box", tick * 500));
            }
        }
        assert_eq!(sent, BURST + (119 * 500 / REFILL_MS) as u32);
        assert!(matches!(l.dropping()[..], [("box", n)] if n > 0));
        assert!(l.allow("other", 60_000), "another host has its own bucket");
        assert!(l.allow("box", 60_000 + 10 * REFILL_MS));
        assert_eq!(l.dropping(), []);
    }
}
