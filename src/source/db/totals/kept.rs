//! Where a one-shot command's totals read got to, kept in a small file of otop's cache
//! directory between runs, so only the first run of a day reads the whole message table.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::super::Db;
use super::TotalsState;
use crate::source::db::types::TotalsPair;

/// The kept file: the state, and what it is of. A file that does not parse as this, or is of
/// another format or database, is read as nothing (a cache may make otop slower, never wrong).
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    format: String,
    db: String,
    state: TotalsState,
}

/// What the kept file says it is: another format is read as nothing.
const FORMAT: &str = "otop totals 2";
/// A file larger than this is not one otop wrote (at most MAX_OPEN open messages).
const MAX_FILE_BYTES: u64 = 1 << 20;

impl TotalsState {
    /// The kept file's text for database `db`.
    fn to_text(&self, db: &str) -> String {
        let kept = Kept {
            format: FORMAT.into(),
            db: db.into(),
            state: self.clone(),
        };
        serde_json::to_string(&kept).unwrap_or_default()
    }

    /// Reads [`Self::to_text`]'s output for database `db`; anything else is None.
    fn from_text(text: &str, db: &str) -> Option<TotalsState> {
        let kept: Kept = serde_json::from_str(text).ok()?;
        (kept.format == FORMAT && kept.db == db).then_some(kept.state)
    }
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
    use super::super::{Contribution, OpenMsg};
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
            TotalsState::from_text(&text.replace(FORMAT, "otop totals 0"), "/db \"x\""),
            None
        );
        let cut = &text[..text.len() - 5];
        assert_eq!(TotalsState::from_text(cut, "/db \"x\""), None);
        assert_eq!(TotalsState::from_text("", "/db"), None);
        // The format before serde: ignored, and written anew.
        let old = "otop totals 1\n\"/db\"\n42\n-\n0 0 0 0 0\n0 0 0 0 0\n";
        assert_eq!(TotalsState::from_text(old, "/db"), None);
        // Numbers of the wrong kind: not a file otop wrote.
        let negative = text.replace("\"midnight\":42", "\"midnight\":-42.5");
        assert_ne!(negative, text);
        assert_eq!(TotalsState::from_text(&negative, "/db \"x\""), None);
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
