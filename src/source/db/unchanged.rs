//! Reads a refresh can take again: while nobody committed to the file, the answers are those of
//! the last refresh.

use std::collections::HashMap;

use super::types::{Candidate, SessionFacts};
use super::{Db, DbError};

/// Candidates keyed by directory.
type ByDir = HashMap<String, Vec<Candidate>>;

/// What the last candidates and facts reads returned, with the file's `PRAGMA data_version`
/// then: it moves on every commit of another connection, so while it stands a refresh of an
/// idle fleet reads nothing again. `skipped` is what the read skipped, counted again on reuse.
#[derive(Default)]
pub(super) struct Unchanged {
    pub(super) candidates: Option<Kept<ByDir>>,
    /// The cheap read's (`recent.rs`): None where it could not tell.
    pub(super) recent: Option<Kept<Option<ByDir>>>,
    pub(super) facts: Option<Kept<Vec<SessionFacts>>>,
    /// The sessions with a message in the day (`day.rs`).
    pub(super) day_sessions: Option<Kept<Vec<String>>>,
}

/// One read's answer, the question (`key`) and the `data_version` it was read at.
pub(super) struct Kept<T> {
    pub(super) version: i64,
    pub(super) key: String,
    pub(super) value: T,
    pub(super) skipped: u64,
}

impl Db {
    /// Forgets every kept answer, so the next reads read (benchmarks measuring the reads).
    #[cfg(any(test, feature = "testkit"))]
    pub fn forget_kept(&mut self) {
        self.unchanged = Unchanged::default();
        self.days.clear();
    }

    /// `PRAGMA data_version`: None if it cannot be read (then nothing is reused).
    pub(super) fn data_version(&self) -> Option<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ok()
    }

    /// `read`'s answer to the question `key`, or the one kept in `slot` if nothing was
    /// committed since it was read; the rows it skipped count again either way.
    pub(super) fn unless_unchanged<T: Clone>(
        &mut self,
        slot: fn(&mut Unchanged) -> &mut Option<Kept<T>>,
        key: String,
        read: impl FnOnce(&mut Db) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let version = self.data_version();
        if let Some(k) = slot(&mut self.unchanged)
            .as_ref()
            .filter(|k| Some(k.version) == version && k.key == key)
        {
            let (value, skipped) = (k.value.clone(), k.skipped);
            self.skipped.set(self.skipped.get().saturating_add(skipped));
            return Ok(value);
        }
        let before = self.skipped.get();
        let value = read(self)?;
        if let Some(version) = version {
            *slot(&mut self.unchanged) = Some(Kept {
                version,
                key,
                value: value.clone(),
                skipped: self.skipped.get().saturating_sub(before),
            });
        }
        Ok(value)
    }
}
