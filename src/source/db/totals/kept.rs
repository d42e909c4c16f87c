//! Where a one-shot command's totals read got to, kept in a small file of otop's cache
//! directory between runs, so only the first run of a day reads the whole message table.

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use super::super::Db;
use super::{Contribution, OpenMsg, TotalsState};
use crate::source::db::types::{Totals, TotalsPair};

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
    if crate::source::file::private_dir(dir).is_ok() {
        let _ = crate::source::file::write_atomic(file, text.as_bytes());
    }
}

impl Db {
    /// [`Db::totals`], starting from where the last run that kept its state in `cache_dir` got
    /// to, and keeping it there for the next.
    pub fn totals_kept_in(
        &mut self,
        cache_dir: &Path,
        local_midnight_ms: i64,
    ) -> Result<TotalsPair, crate::source::db::DbError> {
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
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{BOTH, T0, done, finished_session, new_db, session, tokens};
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
