//! Header totals, read incrementally: the whole message table is read once, then each call
//! reads only rows inserted since (by rowid, which SQLite assigns in increasing order) plus the
//! assistant messages that were still open, whose tokens opencode writes at completion. A
//! one-shot command (`otop status --json`) keeps where it got to in a small file of its own
//! ([`kept`]), so only its first run of the day reads the whole table.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Db;
use super::cell::{self, int};
use super::json::MsgData;
use super::types::{Role, Totals, TotalsPair};

/// Open messages older than this (relative to the newest) are assumed abandoned.
const OPEN_HORIZON_MS: i64 = 24 * 3600 * 1000;
const MAX_OPEN: usize = 256;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Contribution {
    context: u64,
    output: u64,
    cost_micros: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OpenMsg {
    created: i64,
    counted: Contribution,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TotalsState {
    midnight: i64,
    /// Rowid and id of the last row read: if that rowid now holds another id, rows were
    /// deleted or renumbered (VACUUM) and everything is read again.
    cursor: Option<(i64, String)>,
    all: Totals,
    today: Totals,
    open: HashMap<String, OpenMsg>,
}

impl TotalsState {
    fn add(&mut self, created: i64, c: Contribution, sign_msg: i64) {
        let today = created >= self.midnight;
        for (t, on) in [(&mut self.all, true), (&mut self.today, today)] {
            if on {
                t.messages = t.messages.saturating_add_signed(sign_msg);
                t.context_tokens = t.context_tokens.saturating_add(c.context);
                t.output_tokens = t.output_tokens.saturating_add(c.output);
                t.cost_micros = t.cost_micros.saturating_add(c.cost_micros);
            }
        }
    }

    fn remove(&mut self, created: i64, c: Contribution, msg: bool) {
        let today = created >= self.midnight;
        for (t, on) in [(&mut self.all, true), (&mut self.today, today)] {
            if on {
                t.messages = t.messages.saturating_sub(u64::from(msg));
                t.context_tokens = t.context_tokens.saturating_sub(c.context);
                t.output_tokens = t.output_tokens.saturating_sub(c.output);
                t.cost_micros = t.cost_micros.saturating_sub(c.cost_micros);
            }
        }
    }

    /// Counts one row; remembers it if it is still being written.
    fn take_row(&mut self, id: String, created: i64, data: &MsgData) {
        let c = contribution(data);
        self.add(created, c, 1);
        if data.is_open_assistant() {
            self.open.insert(
                id,
                OpenMsg {
                    created,
                    counted: c,
                },
            );
        }
    }

    fn prune_open(&mut self, newest: i64) {
        self.open
            .retain(|_, m| newest - m.created <= OPEN_HORIZON_MS);
        if self.open.len() > MAX_OPEN {
            let mut v: Vec<(String, i64)> = self
                .open
                .iter()
                .map(|(k, m)| (k.clone(), m.created))
                .collect();
            v.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
            for (k, _) in v.into_iter().skip(MAX_OPEN) {
                self.open.remove(&k);
            }
        }
    }
}

fn contribution(d: &MsgData) -> Contribution {
    match (d.role(), d.tokens()) {
        (Role::Assistant, Some(t)) => Contribution {
            context: t.context(),
            output: t.output,
            cost_micros: micros(d.cost),
        },
        (Role::Assistant, None) => Contribution {
            cost_micros: micros(d.cost),
            ..Contribution::default()
        },
        _ => Contribution::default(),
    }
}

/// Dollars as whole millionths; nothing for a negative, absurd or missing cost.
fn micros(dollars: Option<f64>) -> u64 {
    match dollars {
        Some(d) if d.is_finite() && d > 0.0 && d < 1e9 => (d * 1e6).round() as u64,
        _ => 0,
    }
}

mod kept;

impl TotalsPair {
    /// Whether opencode recorded any cost: spend is shown only then (most local and
    /// subscription providers record 0).
    pub fn spent(&self) -> bool {
        self.all_time.cost_micros > 0
    }
}

impl Db {
    pub(crate) fn read_totals(&mut self, midnight: i64) -> rusqlite::Result<TotalsPair> {
        self.in_tx(|db| {
            let mut st = match db.totals_state.take() {
                Some(st) if st.midnight == midnight => st,
                _ => TotalsState {
                    midnight,
                    ..TotalsState::default()
                },
            };
            if db.cols.messages_ok() {
                if !db.cursor_valid(&st)? {
                    st = TotalsState {
                        midnight,
                        ..TotalsState::default()
                    };
                }
                db.reread_open(&mut st)?;
                db.read_new_rows(&mut st)?;
            }
            let (all_s, today_s) = db.session_counts(midnight)?;
            st.all.sessions = all_s;
            st.today.sessions = today_s;
            let pair = TotalsPair {
                all_time: st.all,
                today: st.today,
            };
            db.totals_state = Some(st);
            Ok(pair)
        })
    }

    fn cursor_valid(&self, st: &TotalsState) -> rusqlite::Result<bool> {
        let Some((rowid, id)) = &st.cursor else {
            return Ok(true);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM message WHERE rowid = ?1")?;
        let now = self.keep_one(stmt.query_row([rowid], |r| cell::key(r, 0)))?;
        Ok(now.as_deref() == Some(id.as_str()))
    }

    fn reread_open(&self, st: &mut TotalsState) -> rusqlite::Result<()> {
        let ids: Vec<String> = st.open.keys().cloned().collect();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM message WHERE id = ?1")?;
        for id in ids {
            let Some(old) = st.open.remove(&id) else {
                continue;
            };
            let data = self
                .keep_one(stmt.query_row([&id], |r| Ok(cell::json(r, 0)?.map(str::to_string))))?;
            st.remove(old.created, old.counted, false);
            match data {
                Some(d) => {
                    let d = MsgData::parse(d.as_deref());
                    let c = contribution(&d);
                    st.add(old.created, c, 0);
                    if d.is_open_assistant() {
                        st.open.insert(
                            id,
                            OpenMsg {
                                created: old.created,
                                counted: c,
                            },
                        );
                    }
                }
                // Deleted (e.g. reverted) while open: it no longer counts.
                None => st.remove(old.created, Contribution::default(), true),
            }
        }
        Ok(())
    }

    fn read_new_rows(&self, st: &mut TotalsState) -> rusqlite::Result<()> {
        let after = st.cursor.as_ref().map_or(0, |c| c.0);
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, id, time_created, data FROM message WHERE rowid > ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([after], |r| {
            Ok((
                int(r, 0)?.unwrap_or(0),
                cell::key(r, 1)?,
                int(r, 2)?.unwrap_or(0),
                MsgData::parse(cell::json(r, 3)?),
            ))
        })?;
        let mut newest = i64::MIN;
        // A skipped row leaves the cursor behind it: it is read (and skipped) again only while
        // it is the newest row.
        for r in rows {
            let Some((rowid, id, created, data)) = self.keep_one(r)? else {
                continue;
            };
            newest = newest.max(created);
            st.cursor = Some((rowid, id.clone()));
            st.take_row(id, created, &data);
        }
        if newest > i64::MIN {
            st.prune_open(newest);
        }
        Ok(())
    }

    fn session_counts(&self, midnight: i64) -> rusqlite::Result<(u64, u64)> {
        let top = if self.cols.has("session", "parent_id") {
            "parent_id IS NULL"
        } else {
            "1"
        };
        let today = if self.cols.has("session", "time_created") {
            "time_created >= ?1"
        } else {
            "(0 AND ?1)"
        };
        let sql = format!(
            "SELECT count(*), coalesce(sum(CASE WHEN {today} THEN 1 ELSE 0 END), 0) FROM session WHERE {top}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        stmt.query_row([midnight], |r| {
            Ok((
                u64::try_from(int(r, 0)?.unwrap_or(0)).unwrap_or(0),
                u64::try_from(int(r, 1)?.unwrap_or(0)).unwrap_or(0),
            ))
        })
    }
}
