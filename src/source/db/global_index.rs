//! Where opencode's `global` sessions are, by directory. Sessions are found through the indexed
//! `session.project_id`, but `global` holds every session outside a git repository with a
//! commit, and `session.directory` has no index: reading the live directories' `global`
//! sessions would cost every such session ever stored. A session's directory never changes and
//! a new row takes a higher rowid, so a long-lived connection keeps this map, reads only the
//! rows added since, and reads everything again when the rows were replaced under it.
//!
//! It lives only as long as the connection, built from the database itself: a copy kept in a
//! file (as otop once did) could be well-formed and wrong, and hide every live session outside
//! git. Only the full read of a directory needs it (`Db::candidates_in`, for the directory
//! rule); the cheap read finds the sessions a process names or writes to by their own rows.

use std::collections::HashMap;

use super::cell;
use super::{DbError, lossy};

/// The map, and how far into `session` it has read.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct GlobalIndex {
    /// The highest rowid read, and that row's id: if the row is gone or another one took its
    /// rowid (SQLite reuses the highest rowid after a delete), everything is read again.
    scanned_to: Option<(i64, String)>,
    /// Directory → rowids of its `global` sessions.
    dirs: HashMap<String, Vec<i64>>,
}

impl GlobalIndex {
    /// The rowids of the `global` sessions in `dirs`.
    pub(crate) fn rowids(&self, dirs: &[&str]) -> Vec<i64> {
        dirs.iter()
            .filter_map(|d| self.dirs.get(*d))
            .flatten()
            .copied()
            .collect()
    }

    /// Where reading new rows starts, and the id the row there must still have.
    pub(crate) fn scanned_to(&self) -> Option<(i64, &str)> {
        self.scanned_to.as_ref().map(|(r, id)| (*r, id.as_str()))
    }

    /// Forgets everything: the rows were replaced.
    pub(crate) fn reset(&mut self) {
        *self = GlobalIndex::default();
    }

    /// Adds `global` rows read past [`Self::scanned_to`] and moves it to `last`.
    pub(crate) fn extend(
        &mut self,
        rows: impl IntoIterator<Item = (i64, String)>,
        last: Option<(i64, String)>,
    ) {
        for (rowid, dir) in rows {
            self.dirs.entry(dir).or_default().push(rowid);
        }
        self.scanned_to = last;
    }
}

impl super::Db {
    /// The rowids of the `global` sessions in `dirs`, after reading the rows added since the
    /// index last looked (all of them the first time, or when the rows were replaced).
    pub(super) fn global_rowids(&mut self, dirs: &[&str]) -> Result<Vec<i64>, DbError> {
        Ok(self
            .global_index()?
            .map(|ix| ix.rowids(dirs))
            .unwrap_or_default())
    }

    /// The index of `global` sessions, brought up to date; None where the schema has none.
    pub(super) fn global_index(&mut self) -> Result<Option<&GlobalIndex>, DbError> {
        let Some(q) = self.q.global.clone() else {
            return Ok(None);
        };
        let mut ix = self.global.take().unwrap_or_default();
        let last: Option<(i64, String)> = self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&q.last_row)?;
            // An id that cannot be read is checked as empty: the row's rowid still counts.
            let r = stmt.query_row([], |r| Ok((cell::int(r, 0)?, lossy(r, 1)?)));
            Ok(db
                .keep_one(r)?
                .and_then(|(rowid, id)| Some((rowid?, id.unwrap_or_default()))))
        })?;
        if let Some((rowid, id)) = ix.scanned_to() {
            let now: Option<String> = self.read(|db| {
                let mut stmt = db.conn.prepare_cached(&q.id_at)?;
                let r = stmt.query_row([rowid], |r| lossy(r, 0));
                Ok(db.keep_one(r)?.map(Option::unwrap_or_default))
            })?;
            if now.as_deref() != Some(id) {
                ix.reset();
            }
        }
        let from = ix.scanned_to().map_or(i64::MIN, |(r, _)| r);
        let to = last.as_ref().map_or(i64::MIN, |(r, _)| *r);
        if to > from {
            let added = self.read(|db| {
                let mut stmt = db.conn.prepare_cached(&q.added)?;
                let rows = stmt.query_map([from, to], |r| Ok((cell::int(r, 0)?, lossy(r, 1)?)))?;
                db.keep(rows)
            })?;
            let added = added
                .into_iter()
                .filter_map(|(rowid, dir)| Some((rowid?, dir?)));
            ix.extend(added, last);
        } else {
            ix.extend([], last);
        }
        Ok(Some(self.global.insert(ix)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_added_by_directory_and_forgotten_on_reset() {
        let mut ix = GlobalIndex::default();
        ix.extend(
            [
                (3, "/a".to_string()),
                (7, "/b".to_string()),
                (9, "/a".to_string()),
            ],
            Some((9, "ses_9".into())),
        );
        assert_eq!(ix.rowids(&["/a"]), [3, 9]);
        assert_eq!(ix.rowids(&["/b", "/c"]), [7]);
        assert_eq!(ix.scanned_to(), Some((9, "ses_9")));
        ix.reset();
        assert_eq!(ix, GlobalIndex::default());
    }
}
