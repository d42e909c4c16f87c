//! Where opencode's `global` sessions are, by directory. Sessions are found through the indexed
//! `session.project_id`, but `global` holds every session outside a git repository with a
//! commit, and `session.directory` has no index: reading the live directories' `global`
//! sessions would cost every such session ever stored. A session's directory never changes and
//! a new row takes a higher rowid, so otop keeps this map itself, reads only the rows added
//! since, and keeps it between runs in a small file of its own (`otop status` runs afresh every
//! few seconds).
//!
//! Only the full read of a directory (`Db::candidates_in`, for the directory rule) trusts it to
//! leave sessions out; the cheap read finds the sessions a process names or writes to by their
//! own rows. A cache may make otop slower, never wrong: an index read from the file is checked
//! against the database before that (as many `global` rows up to where it read as it holds,
//! counted off the `project_id` index), and read again from the database when it differs (a
//! well-formed but wrong file once hid every live session outside git).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    /// Changed since loaded: worth writing back.
    dirty: bool,
}

/// The kept file. One that does not parse as this, or is of another format or database, is
/// read as nothing (a cache may make otop slower, never wrong).
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    format: String,
    db: String,
    scanned_to: Option<(i64, String)>,
    dirs: HashMap<String, Vec<i64>>,
}

/// What the file says it is: another format is read as nothing.
const FORMAT: &str = "otop global-index 2";
/// A file larger than this is not one otop wrote (a million sessions fit in about 8 MB).
const MAX_FILE_BYTES: u64 = 64 << 20;

impl GlobalIndex {
    /// The rowids of the `global` sessions in `dirs`.
    pub(crate) fn rowids(&self, dirs: &[&str]) -> Vec<i64> {
        dirs.iter()
            .filter_map(|d| self.dirs.get(*d))
            .flatten()
            .copied()
            .collect()
    }

    /// How many rowids it holds.
    fn len(&self) -> usize {
        self.dirs.values().map(Vec::len).sum()
    }

    /// Where reading new rows starts, and the id the row there must still have.
    pub(crate) fn scanned_to(&self) -> Option<(i64, &str)> {
        self.scanned_to.as_ref().map(|(r, id)| (*r, id.as_str()))
    }

    /// Forgets everything: the rows were replaced.
    pub(crate) fn reset(&mut self) {
        *self = GlobalIndex {
            dirty: true,
            ..GlobalIndex::default()
        };
    }

    /// Adds `global` rows read past [`Self::scanned_to`] and moves it to `last`.
    pub(crate) fn extend(
        &mut self,
        rows: impl IntoIterator<Item = (i64, String)>,
        last: Option<(i64, String)>,
    ) {
        for (rowid, dir) in rows {
            self.dirs.entry(dir).or_default().push(rowid);
            self.dirty = true;
        }
        if last != self.scanned_to {
            self.scanned_to = last;
            self.dirty = true;
        }
    }

    /// The file's text: what it is, the database it describes, how far it read and the map.
    pub(crate) fn to_text(&self, db: &str) -> String {
        let kept = Kept {
            format: FORMAT.into(),
            db: db.into(),
            scanned_to: self.scanned_to.clone(),
            dirs: self.dirs.clone(),
        };
        serde_json::to_string(&kept).unwrap_or_default()
    }

    /// Reads [`Self::to_text`]'s output for database `db`; anything else is None.
    pub(crate) fn from_text(text: &str, db: &str) -> Option<GlobalIndex> {
        let kept: Kept = serde_json::from_str(text).ok()?;
        (kept.format == FORMAT && kept.db == db).then_some(GlobalIndex {
            scanned_to: kept.scanned_to,
            dirs: kept.dirs,
            dirty: false,
        })
    }

    /// The index kept at `file` for database `db`, or an empty one.
    pub(crate) fn load(file: &Path, db: &str) -> GlobalIndex {
        crate::source::file::read_capped(file, MAX_FILE_BYTES)
            .ok()
            .and_then(|t| GlobalIndex::from_text(&t, db))
            .unwrap_or_default()
    }

    /// Writes the index to `file` if it changed: a new file renamed over the old, so a reader
    /// never sees half of one. Failing to write costs only speed.
    pub(crate) fn store(&mut self, file: &Path, db: &str) {
        if !self.dirty {
            return;
        }
        let Some(dir) = file.parent() else { return };
        if crate::source::file::private_dir(dir).is_ok()
            && crate::source::file::write_atomic(file, self.to_text(db).as_bytes()).is_ok()
        {
            self.dirty = false;
        }
    }
}

impl super::Db {
    /// Keeps the index of `global` sessions in a file in `cache_dir` between runs; without it,
    /// the index lives only as long as this connection.
    pub fn keep_index_in(&mut self, cache_dir: &Path) {
        self.global_file = Some(file_for(cache_dir, &self.path.display().to_string()));
    }

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
        let name = self.path.display().to_string();
        let mut ix = match self.global.take() {
            Some(ix) => ix,
            None => {
                let mut ix = self
                    .global_file
                    .as_deref()
                    .map(|f| GlobalIndex::load(f, &name))
                    .unwrap_or_default();
                // Read from a file: as many rows as the database has, or read anew. (A deleted
                // session leaves its rowid in the index: that costs one reading too.)
                if let Some((rowid, _)) = ix.scanned_to() {
                    let rows: i64 = self.read(|db| {
                        let mut stmt = db.conn.prepare_cached(&q.count_to)?;
                        stmt.query_row([rowid], |r| r.get(0))
                    })?;
                    if usize::try_from(rows).ok() != Some(ix.len()) {
                        ix.reset();
                    }
                }
                ix
            }
        };
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
        if let Some(f) = &self.global_file {
            ix.store(f, &name);
        }
        Ok(Some(self.global.insert(ix)))
    }
}

/// The file for database `db` in `cache_dir`: named by a hash of the path, which the file
/// repeats inside (two paths sharing a hash only cost each other the reading).
pub(crate) fn file_for(cache_dir: &Path, db: &str) -> PathBuf {
    // FNV-1a: stable across runs and builds, unlike std's hasher.
    let h = db.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    cache_dir.join(format!("global-{h:016x}.idx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_round_trips_and_refuses_what_it_did_not_write() {
        let mut ix = GlobalIndex::default();
        ix.extend(
            [
                (3, "/a".to_string()),
                (7, "/tmp/x\ty\n\"z\"".to_string()),
                (9, "/a".to_string()),
            ],
            Some((9, "ses_9".into())),
        );
        let text = ix.to_text("/db");
        let back = GlobalIndex::from_text(&text, "/db").unwrap();
        assert_eq!(back.rowids(&["/a"]), [3, 9]);
        assert_eq!(back.rowids(&["/tmp/x\ty\n\"z\""]), [7]);
        assert_eq!(back.scanned_to(), Some((9, "ses_9")));
        assert!(GlobalIndex::from_text(&text, "/other.db").is_none());
        // The format before serde, and a rowid that is not one: not a file otop wrote.
        assert!(GlobalIndex::from_text("otop global-index 1\n\"/db\"\n-\n", "/db").is_none());
        assert!(text.contains(",9]"), "{text}");
        assert!(GlobalIndex::from_text(&text.replace(",9]", ",\"x\"]"), "/db").is_none());
        assert!(
            GlobalIndex::from_text(&text.replace(FORMAT, "otop global-index 3"), "/db").is_none()
        );
        assert!(GlobalIndex::from_text(&text[..text.len() - 3], "/db").is_none());
    }

    #[test]
    fn a_wrong_file_is_read_anew() {
        let (dir, path, mut fx) =
            crate::source::db::tests::new_db(crate::testkit::fixture::Schema::Current);
        let spec = |d: &str| crate::testkit::fixture::SessionSpec {
            directory: d.into(),
            ..Default::default()
        };
        fx.session(spec("/scratch")).unwrap();
        let last = fx.session(spec("/other")).unwrap();
        let cache = dir.path().join("cache");
        let name = path.display().to_string();
        let file = file_for(&cache, &name);
        // Read up to the last row, and not a word of /scratch.
        let mut wrong = GlobalIndex::default();
        wrong.extend([(2, "/other".to_string())], Some((2, last)));
        wrong.store(&file, &name);
        let mut db = crate::source::db::Db::open(&path).unwrap();
        db.keep_index_in(&cache);
        let found = db.candidates_in(&["/scratch"], 10).unwrap();
        assert_eq!(found.get("/scratch").map(Vec::len), Some(1));
        // Written back right: the next run trusts it.
        assert_eq!(GlobalIndex::load(&file, &name).rowids(&["/scratch"]), [1]);
    }

    #[test]
    fn stored_only_when_changed_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = file_for(&dir.path().join("cache"), "/db");
        let mut ix = GlobalIndex::default();
        ix.extend([(1, "/a".to_string())], Some((1, "ses_1".into())));
        ix.store(&file, "/db");
        assert!(!ix.dirty);
        assert_eq!(GlobalIndex::load(&file, "/db").rowids(&["/a"]), [1]);
        assert_eq!(
            GlobalIndex::load(&file, "/elsewhere"),
            GlobalIndex::default()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
