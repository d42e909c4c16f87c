//! A live session's message count and (schemas without `session.tokens_*`) summed tokens,
//! without rereading its whole history every refresh.
//!
//! Totals are kept per session as sums over the messages *before an anchor*, a message halfway
//! down the latest window the facts read already fetched (so up to half a window of new
//! messages between two refreshes keeps it in view). Messages before the anchor never change:
//! opencode appends messages, rewrites only the one it is writing (the newest), and deletes only
//! a suffix (revert), which either removes the anchor or leaves everything before it. So while
//! the anchor is still in the window, a refresh adds the window's part only; when it is not
//! (a revert, or more new messages than the window holds), the whole history is read once.

use super::Db;
use super::types::Tokens;

/// Raw sums as SQLite returns them, clamped only when shown (subtracting clamped sums would not
/// give back the sums of a part).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums {
    tokens: [f64; 5],
    cost: Option<f64>,
}

impl Sums {
    fn plus(self, o: Sums) -> Sums {
        Sums {
            tokens: std::array::from_fn(|i| self.tokens[i] + o.tokens[i]),
            cost: match (self.cost, o.cost) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            },
        }
    }

    fn minus(self, o: Sums) -> Sums {
        Sums {
            tokens: std::array::from_fn(|i| self.tokens[i] - o.tokens[i]),
            cost: match (self.cost, o.cost) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) - b.unwrap_or(0.0)),
            },
        }
    }

    pub(crate) fn tokens(&self) -> Tokens {
        let n = |i: usize| self.tokens[i].max(0.0) as u64;
        Tokens {
            input: n(0),
            output: n(1),
            reasoning: n(2),
            cache_read: n(3),
            cache_write: n(4),
        }
    }

    pub(crate) fn cost(&self) -> Option<f64> {
        self.cost
    }
}

/// One message of the window, newest first: its key in the `(time_created, id)` order and the
/// `time_updated` that tells a rewrite.
#[derive(Debug, Clone)]
pub(crate) struct WindowMsg {
    pub id: String,
    pub created: Option<i64>,
    pub updated: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    id: String,
    created: i64,
    count_before: u64,
    sums_before: Option<Sums>,
    /// The newest message (id, time_updated) when `totals` was computed: unchanged, nothing is read.
    latest: (String, Option<i64>),
    totals: (u64, Option<Sums>),
}

impl Db {
    /// Message count and, with `sums`, the summed tokens and cost of session `sid`, whose newest
    /// messages (newest first) are `window`.
    pub(crate) fn history_totals(
        &mut self,
        sid: &str,
        window: &[WindowMsg],
        sums: bool,
    ) -> rusqlite::Result<(u64, Option<Sums>)> {
        let (Some(newest), Some(mid)) = (window.first(), window.get(window.len() / 2)) else {
            self.anchors.remove(sid);
            return Ok((0, sums.then(Sums::default)));
        };
        let latest = (newest.id.clone(), newest.updated);
        let anchor = self
            .anchors
            .get(sid)
            .filter(|a| !sums || a.sums_before.is_some());
        if let Some(a) = anchor.filter(|a| a.latest == latest) {
            return Ok(a.totals);
        }
        let at = anchor.and_then(|a| window.iter().position(|m| m.id == a.id).map(|p| (a, p)));
        let totals = match at {
            Some((a, pos)) => {
                let count = a.count_before + pos as u64 + 1;
                let s = match (sums, a.sums_before) {
                    (true, Some(before)) => {
                        Some(before.plus(self.sums_from(sid, a.created, &a.id)?))
                    }
                    _ => None,
                };
                (count, s)
            }
            None => (
                self.count_all(sid)?,
                if sums {
                    Some(self.sums_from(sid, i64::MIN, "")?)
                } else {
                    None
                },
            ),
        };
        // Move the anchor halfway down this window, so it stays in later ones.
        let anchor = match (at, mid.created) {
            (Some((a, _)), _) if a.id == mid.id => Anchor {
                latest,
                totals,
                ..a.clone()
            },
            (_, Some(created)) => Anchor {
                id: mid.id.clone(),
                created,
                count_before: totals.0.saturating_sub(window.len() as u64 / 2 + 1),
                sums_before: match totals.1 {
                    Some(t) => Some(t.minus(self.sums_from(sid, created, &mid.id)?)),
                    None => None,
                },
                latest,
                totals,
            },
            (_, None) => {
                self.anchors.remove(sid);
                return Ok(totals);
            }
        };
        self.anchors.insert(sid.to_string(), anchor);
        Ok(totals)
    }

    fn count_all(&self, sid: &str) -> rusqlite::Result<u64> {
        let mut stmt = self.conn.prepare_cached(&self.q.message_count)?;
        let n: i64 = stmt.query_row([sid], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Sums over the messages at or after `(created, id)` in the index order.
    fn sums_from(&self, sid: &str, created: i64, id: &str) -> rusqlite::Result<Sums> {
        let mut stmt = self.conn.prepare_cached(&self.q.token_sum)?;
        stmt.query_row(rusqlite::params![sid, created, id], |r| {
            let n = |i: usize| -> rusqlite::Result<f64> {
                Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0))
            };
            Ok(Sums {
                tokens: [n(0)?, n(1)?, n(2)?, n(3)?, n(4)?],
                cost: r.get(5)?,
            })
        })
    }
}
