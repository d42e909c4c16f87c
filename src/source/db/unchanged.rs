//! Reads a refresh can take again: while nobody committed to the file, the answers are those of
//! the last refresh.

use std::collections::HashMap;

use super::Db;
use super::types::{Candidate, SessionFacts};

/// What the last candidates and facts reads returned, with the file's `PRAGMA data_version`
/// then: it moves on every commit of another connection, so while it stands a refresh of an
/// idle fleet reads nothing again. `skipped` is what the read skipped, counted again on reuse.
#[derive(Default)]
pub(super) struct Unchanged {
    pub(super) candidates: Option<Kept<HashMap<String, Vec<Candidate>>>>,
    pub(super) facts: Option<Kept<Vec<SessionFacts>>>,
}

/// One read's answer, the question (`key`) and the `data_version` it was read at.
pub(super) struct Kept<T> {
    pub(super) version: i64,
    pub(super) key: String,
    pub(super) value: T,
    pub(super) skipped: u64,
}

impl<T: Clone> Kept<T> {
    /// The answer again, if the question and the file are the same.
    pub(super) fn reuse(
        kept: &Option<Kept<T>>,
        version: Option<i64>,
        key: &str,
    ) -> Option<(T, u64)> {
        kept.as_ref()
            .filter(|k| Some(k.version) == version && k.key == key)
            .map(|k| (k.value.clone(), k.skipped))
    }
}

impl Db {
    /// `PRAGMA data_version`: None if it cannot be read (then nothing is reused).
    pub(super) fn data_version(&self) -> Option<i64> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ok()
    }
}
