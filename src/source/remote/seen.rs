//! What is known of a host, and the one rule for when it went down.

use std::time::Duration;

use super::RemoteError;

/// What is known of a host: `S` is what an answer brought (a live view keeps the snapshot, a
/// snapshot keeps the remote otop's version). Times are Unix ms, this machine's clock.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen<S> {
    /// Asked since, no answer yet.
    Asking { since: i64 },
    /// Its latest answer, and when it arrived.
    Answered { with: S, at: i64 },
    /// Not reachable since, and why.
    Down { since: i64, why: RemoteError },
}

impl<S> Seen<S> {
    /// After a failure. The one "down since" rule: a host is down since it was last heard
    /// from (its latest answer), or since it was first asked if it never answered; a failure
    /// while down keeps the stretch's start, and says the newer why, unless that is only ssh
    /// killed (by [`Seen::aged`]'s caller), which says less than the why that got it killed.
    pub fn down(self, why: RemoteError) -> Seen<S> {
        match self {
            Seen::Asking { since } => Seen::Down { since, why },
            Seen::Answered { at, .. } => Seen::Down { since: at, why },
            Seen::Down { since, why: old } => Seen::Down {
                since,
                why: if why == RemoteError::Killed { old } else { why },
            },
        }
    }

    /// As of `now`, for a host that should have answered within `late`: a host asked or
    /// answered longer ago than that is down (by [`Seen::down`]'s rule), silent.
    pub fn aged(self, now: i64, late: Duration) -> Seen<S> {
        let late_ms = i64::try_from(late.as_millis()).unwrap_or(i64::MAX);
        let last = match &self {
            Seen::Asking { since } => *since,
            Seen::Answered { at, .. } => *at,
            Seen::Down { .. } => return self,
        };
        if now.saturating_sub(last) <= late_ms {
            return self;
        }
        self.down(RemoteError::Silent(
            (late.as_secs_f64() * 10.0).round() / 10.0,
        ))
    }

    /// The same state, what the answer brought turned by `f`.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Seen<T> {
        match self {
            Seen::Asking { since } => Seen::Asking { since },
            Seen::Answered { with, at } => Seen::Answered { with: f(with), at },
            Seen::Down { since, why } => Seen::Down { since, why },
        }
    }

    pub fn is_down(&self) -> bool {
        matches!(self, Seen::Down { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn a_host_is_down_since_it_was_last_heard_from() {
        let why = || RemoteError::Unreachable("ssh: refused".into());
        // Answered at 1000, fails at 9000: down since 1000, whichever way it was found.
        let up = Seen::Answered { with: (), at: 1000 };
        let failed = up.clone().down(why());
        assert_eq!(
            failed,
            Seen::Down {
                since: 1000,
                why: why()
            }
        );
        let silent = up.aged(9000, 3 * SEC);
        assert_eq!(
            silent,
            Seen::Down {
                since: 1000,
                why: RemoteError::Silent(3.0)
            }
        );
        // Never answered: down since first asked, failed or silent.
        let asking = Seen::<()>::Asking { since: 500 };
        assert_eq!(
            asking.clone().down(why()),
            Seen::Down {
                since: 500,
                why: why()
            }
        );
        assert_eq!(
            asking.aged(9000, 3 * SEC),
            Seen::Down {
                since: 500,
                why: RemoteError::Silent(3.0)
            }
        );
    }

    #[test]
    fn a_stretch_down_keeps_its_start_and_its_best_why() {
        let down = Seen::<()>::Down {
            since: 1000,
            why: RemoteError::Silent(3.0),
        };
        // ssh killed because it was silent: "no answer" says more.
        assert_eq!(down.clone().down(RemoteError::Killed), down);
        let refused = RemoteError::Unreachable("ssh: refused".into());
        assert_eq!(
            down.clone().down(refused.clone()),
            Seen::Down {
                since: 1000,
                why: refused
            }
        );
        // Down stays down however long ago, with no new why.
        assert_eq!(down.clone().aged(1_000_000, SEC), down);
    }

    #[test]
    fn in_time_is_not_down() {
        let up = Seen::Answered { with: 7, at: 1000 };
        assert_eq!(up.clone().aged(4000, 3 * SEC), up);
        assert_eq!(
            Seen::<()>::Asking { since: 1000 }.aged(4000, 3 * SEC),
            Seen::Asking { since: 1000 }
        );
        assert_eq!(up.map(|n| n + 1), Seen::Answered { with: 8, at: 1000 });
    }
}
