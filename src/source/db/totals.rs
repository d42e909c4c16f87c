//! Header totals, read incrementally: the whole message table is read once, then each call
//! reads only rows inserted since (by rowid, which SQLite assigns in increasing order) plus the
//! assistant messages that were still open, whose tokens opencode writes at completion. A
//! one-shot command (`otop status --json`) keeps where it got to in a small file of its own, so
//! only its first run of the day reads the whole table.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Db;
use super::cell::{self, int};
use super::json::MsgData;
use super::types::{Role, Totals, TotalsPair};

/// Open messages older than this (relative to the newest) are assumed abandoned.
const OPEN_HORIZON_MS: i64 = 24 * 3600 * 1000;
const MAX_OPEN: usize = 256;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Contribution {
    context: u64,
    output: u64,
    cost_micros: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct OpenMsg {
    created: i64,
    counted: Contribution,
}

#[derive(Debug, Clone, Default, PartialEq)]
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

/// The first line of the kept file: another format is read as nothing.
const HEADER: &str = "otop totals 1";
/// A file larger than this is not one otop wrote (at most MAX_OPEN open messages).
const MAX_FILE_BYTES: u64 = 1 << 20;

impl TotalsState {
    /// The file's text: the header, the database it describes, local midnight, how far it read
    /// (rowid and id, or `-`), all-time and today's sums, then one line per open message. JSON
    /// strings keep any byte of a path or an id on its line.
    fn to_text(&self, db: &str) -> String {
        let sums = |t: &Totals| {
            format!(
                "{} {} {} {} {}",
                t.sessions, t.messages, t.context_tokens, t.output_tokens, t.cost_micros
            )
        };
        let mut out = format!("{HEADER}\n{}\n{}\n", json(db), self.midnight);
        match &self.cursor {
            Some((rowid, id)) => out.push_str(&format!("{rowid}\t{}\n", json(id))),
            None => out.push_str("-\n"),
        }
        out.push_str(&format!("{}\n{}\n", sums(&self.all), sums(&self.today)));
        let mut open: Vec<_> = self.open.iter().collect();
        open.sort_by(|a, b| a.0.cmp(b.0));
        for (id, m) in open {
            let c = &m.counted;
            out.push_str(&format!(
                "{}\t{} {} {} {}\n",
                json(id),
                m.created,
                c.context,
                c.output,
                c.cost_micros
            ));
        }
        out
    }

    /// Reads [`Self::to_text`]'s output for database `db`; anything else is None.
    fn from_text(text: &str, db: &str) -> Option<TotalsState> {
        let mut lines = text.lines();
        if lines.next()? != HEADER || lines.next()? != json(db) {
            return None;
        }
        let midnight = lines.next()?.parse().ok()?;
        let cursor = match lines.next()? {
            "-" => None,
            l => {
                let (rowid, id) = l.split_once('\t')?;
                Some((rowid.parse().ok()?, serde_json::from_str(id).ok()?))
            }
        };
        let numbers =
            |l: &str| -> Option<Vec<u64>> { l.split(' ').map(|n| n.parse().ok()).collect() };
        let sums = |l: Option<&str>| -> Option<Totals> {
            match numbers(l?)?.as_slice() {
                &[
                    sessions,
                    messages,
                    context_tokens,
                    output_tokens,
                    cost_micros,
                ] => Some(Totals {
                    sessions,
                    messages,
                    context_tokens,
                    output_tokens,
                    cost_micros,
                }),
                _ => None,
            }
        };
        let all = sums(lines.next())?;
        let today = sums(lines.next())?;
        let mut open = HashMap::new();
        for l in lines {
            let (id, rest) = l.split_once('\t')?;
            let (created, counts) = rest.split_once(' ')?;
            let &[context, output, cost_micros] = numbers(counts)?.as_slice() else {
                return None;
            };
            let counted = Contribution {
                context,
                output,
                cost_micros,
            };
            let created = created.parse().ok()?;
            open.insert(serde_json::from_str(id).ok()?, OpenMsg { created, counted });
        }
        Some(TotalsState {
            midnight,
            cursor,
            all,
            today,
            open,
        })
    }
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The file for database `db` in `cache_dir`, named by a hash of its path (FNV-1a: stable across
/// runs and builds), which the file repeats inside.
fn file_for(cache_dir: &Path, db: &str) -> PathBuf {
    let h = db.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    cache_dir.join(format!("totals-{h:016x}"))
}

/// Writes `text` to `file` through a new file renamed over the old, so a reader never sees half
/// of one, in a directory only this user reads. Failing costs only speed.
fn store(file: &Path, text: &str) {
    let Some(dir) = file.parent() else { return };
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    if b.create(dir).is_err() {
        return;
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    if std::fs::write(&tmp, text).is_err() || std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

impl TotalsPair {
    /// Whether opencode recorded any cost: spend is shown only then (most local and
    /// subscription providers record 0).
    pub fn spent(&self) -> bool {
        self.all_time.cost_micros > 0
    }
}

impl Db {
    /// [`Db::totals`], starting from where the last run that kept its state in `cache_dir` got
    /// to, and keeping it there for the next.
    pub fn totals_kept_in(
        &mut self,
        cache_dir: &Path,
        local_midnight_ms: i64,
    ) -> Result<TotalsPair, super::DbError> {
        let name = self.path.display().to_string();
        let file = file_for(cache_dir, &name);
        let kept = crate::source::file::read_capped(&file, MAX_FILE_BYTES)
            .ok()
            .and_then(|t| TotalsState::from_text(&t, &name));
        if self.totals_state.is_none() {
            self.totals_state = kept.clone();
        }
        let pair = self.totals(local_midnight_ms)?;
        if let Some(st) = &self.totals_state
            && kept.as_ref() != Some(st)
        {
            store(&file, &st.to_text(&name));
        }
        Ok(pair)
    }

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

#[cfg(test)]
mod tests {
    use super::super::tests::{BOTH, T0, done, finished_session, new_db, session, tokens};
    use super::*;
    use crate::testkit::fixture::AssistantSpec;

    #[test]
    fn the_kept_file_round_trips_and_refuses_what_it_did_not_write() {
        let mut st = TotalsState {
            midnight: 42,
            cursor: Some((7, "msg_\"tab\there".into())),
            ..TotalsState::default()
        };
        st.add(
            50,
            Contribution {
                context: 3,
                output: 2,
                cost_micros: 250_000,
            },
            1,
        );
        st.open.insert(
            "msg_open".into(),
            OpenMsg {
                created: 50,
                counted: Contribution {
                    context: 3,
                    output: 2,
                    cost_micros: 1,
                },
            },
        );
        let text = st.to_text("/db \"x\"");
        assert_eq!(TotalsState::from_text(&text, "/db \"x\""), Some(st));
        assert_eq!(TotalsState::from_text(&text, "/other.db"), None);
        assert_eq!(
            TotalsState::from_text(&text.replace(HEADER, "otop totals 0"), "/db \"x\""),
            None
        );
        let cut: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
        assert_eq!(TotalsState::from_text(&cut, "/db \"x\""), None);
        assert_eq!(TotalsState::from_text("", "/db"), None);
    }

    /// Each call as a new process makes it (a new connection, the file from the last one): the
    /// totals are those a full read finds, through appends, an open message completing, a
    /// revert and a new day.
    #[test]
    fn kept_totals_match_a_full_read_from_run_to_run() {
        for schema in BOTH {
            let (dir, path, mut fx) = new_db(schema);
            let cache = dir.path().join("cache");
            let mid = T0 + 3500;
            let run = |midnight: i64| {
                Db::open(&path)
                    .unwrap()
                    .totals_kept_in(&cache, midnight)
                    .unwrap()
            };
            let full = |midnight: i64| Db::open(&path).unwrap().totals(midnight).unwrap();
            let a = finished_session(&mut fx, "ses_a");
            assert_eq!(run(mid), full(mid), "{schema:?}");
            assert_eq!(run(mid).all_time.cost_micros, 500_000);
            let open = fx
                .assistant_message(&a, T0 + 5000, AssistantSpec::default())
                .unwrap();
            assert_eq!(run(mid), full(mid), "{schema:?}");
            fx.update_assistant(&open, done(T0 + 5000, tokens(1000, 100, 0)))
                .unwrap();
            let b = session(&mut fx, "ses_b", T0 + 6000);
            fx.user_message(&b, T0 + 6001).unwrap();
            let kept = run(mid);
            assert_eq!(kept, full(mid), "{schema:?}");
            assert_eq!(
                (kept.all_time.cost_micros, kept.today.cost_micros),
                (750_000, 500_000)
            );
            fx.conn()
                .execute("DELETE FROM message WHERE session_id = ?1", [&b])
                .unwrap();
            assert_eq!(run(mid), full(mid), "{schema:?}");
            assert_eq!(run(T0 + 5500), full(T0 + 5500), "{schema:?}");
        }
    }
}
