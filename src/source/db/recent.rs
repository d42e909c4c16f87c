//! Candidates without reading every session of the live directories' projects.
//!
//! [`Db::candidates_in`] reads every session ever filed under the live directories' projects
//! (`session.time_updated` has no index) to keep the most recently updated ones. What
//! correlation takes from them (`model/correlate.rs`) is, first, the sessions with messages
//! since a process started (activity) and, for a process that neither certain evidence nor
//! activity gives a session, the directory's most recently updated ones. So this reads, per
//! live directory, its newest sessions (by rowid, which the index on `project_id` holds, and a
//! new row takes a higher one), every session with a message since `since` (a message is
//! inserted when it is created, so those are the message table's last rows) and the sessions
//! certain evidence names, then orders and cuts them as `candidates_in` does. The collector
//! reads a directory again with `candidates_in` when one of its processes needs the directory
//! rule, which looks at sessions that may be neither.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::types::ValueRef;

use super::queries::RecentQueries;
use super::types::Candidate;
use super::{
    CANDIDATE_DIRECTORY, Db, DbError, Within, ancestors, candidate_row, newest_by_dir, to_json,
};

/// Messages read from the end of the table at most; past that the caller reads every
/// candidate (a fleet that has written this much since its oldest process started).
pub(super) const MAX_TAIL: usize = 2_000;
/// Messages created before `since`, one after the other, that end the tail: processes writing
/// at once may insert their messages slightly out of order.
const OLDER_IN_A_ROW: usize = 16;
/// Sessions of one project looked at for its directories' newest: a directory with few
/// sessions in a large project would otherwise cost the whole project. What the newest give
/// beyond the active sessions is the directory rule's, and the collector reads a directory in
/// full for that.
const MAX_WALK: usize = 500;

impl Db {
    /// The rows [`Db::candidates_in`] gives that correlating processes started at or after
    /// `since` can use, reading only the newest sessions of each directory, those with
    /// messages since `since`, and those named in `named` (the flag, log and plugin
    /// sessions). None where it cannot tell (a schema without the project tables, or too many
    /// messages since `since`): read them all then.
    pub fn recent_candidates_in(
        &mut self,
        directories: &[&str],
        limit: usize,
        since: i64,
        named: &[String],
    ) -> Result<Option<HashMap<String, Vec<Candidate>>>, DbError> {
        let Some(q) = self.q.recent.clone() else {
            return Ok(None);
        };
        if directories.is_empty() {
            return Ok(Some(HashMap::new()));
        }
        let key = format!(
            "{limit}\u{0}{since}\u{0}{}\u{1}{}",
            named.join("\u{0}"),
            directories.join("\u{0}")
        );
        self.unless_unchanged(
            |u| &mut u.recent,
            key,
            |db| {
                let Some(active) = db.active_since(&q, since)? else {
                    return Ok(None);
                };
                // `global` has no newest of a directory to walk to (`global_index.rs`): its
                // directories give the sessions named and active, and the full read the rest.
                let walked = db.newest_in_projects(&q, directories, limit)?;
                let mut ids: Vec<&str> = active.iter().map(String::as_str).collect();
                ids.extend(named.iter().map(String::as_str));
                ids.sort_unstable();
                ids.dedup();
                // The active and named sessions the walk did not meet, read by rowid.
                let mut rowids = db.rowids_of(&q, &ids)?;
                rowids.retain(|r| !walked.contains_key(r));
                rowids.sort_unstable();
                rowids.dedup();
                let mut rows: Vec<Candidate> = walked.into_values().collect();
                if !rowids.is_empty() {
                    let sql = q.candidates_among.clone();
                    rows.extend(db.candidate_rows(&sql, directories, Within::Rows(&rowids))?);
                }
                Ok(Some(newest_by_dir(rows, limit)))
            },
        )
    }

    /// Ids of the sessions with a message created at or after `since`, from the end of the
    /// message table; None past [`MAX_TAIL`] messages.
    fn active_since(
        &mut self,
        q: &RecentQueries,
        since: i64,
    ) -> Result<Option<HashSet<String>>, DbError> {
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&q.message_tail)?;
            let mut rows = stmt.query([])?;
            let mut ids = HashSet::new();
            let (mut seen, mut older) = (0, 0);
            while let Some(r) = rows.next()? {
                seen += 1;
                if seen > MAX_TAIL {
                    return Ok(None);
                }
                let created = match r.get_ref(1)? {
                    ValueRef::Integer(n) => Some(n),
                    ValueRef::Real(x) => Some(x as i64),
                    _ => None,
                };
                if created.is_some_and(|t| t < since) {
                    older += 1;
                    if older >= OLDER_IN_A_ROW {
                        break;
                    }
                    continue;
                }
                // A time that is not a number counts as recent: one id too many costs nothing.
                older = 0;
                if let ValueRef::Text(id) = r.get_ref(0)? {
                    ids.insert(String::from_utf8_lossy(id).into_owned());
                }
            }
            Ok(Some(ids))
        })
    }

    /// The newest `limit` sessions of each directory in `dirs` through the projects that hold
    /// it (among each project's newest [`MAX_WALK`]), and the sessions of `dirs` met on the
    /// way, as candidates by rowid.
    fn newest_in_projects(
        &mut self,
        q: &RecentQueries,
        dirs: &[&str],
        limit: usize,
    ) -> Result<HashMap<i64, Candidate>, DbError> {
        let within = to_json(&ancestors(dirs));
        let paths = self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&q.project_paths)?;
            let rows = stmt.query_map([&within], |r| {
                Ok((
                    super::cell::int(r, 0)?.unwrap_or(0),
                    super::cell::key(r, 1)?,
                    super::lossy(r, 2)?.unwrap_or_default(),
                ))
            })?;
            db.keep(rows)
        })?;
        let up: Vec<(&str, HashSet<String>)> = dirs
            .iter()
            .map(|d| (*d, ancestors(&[d]).into_iter().collect()))
            .collect();
        // Project → the live directories it holds (the same paths `candidates_in` matches).
        let mut holds: BTreeMap<String, HashSet<&str>> = BTreeMap::new();
        for (kind, project, text) in &paths {
            let held = match kind {
                1 => json_strings(text),
                _ => vec![text.clone()],
            };
            for (d, above) in &up {
                if held.iter().any(|p| above.contains(p)) {
                    holds.entry(project.clone()).or_default().insert(d);
                }
            }
        }
        let live: HashSet<&str> = dirs.iter().copied().collect();
        let mut out = HashMap::new();
        for (project, held) in &holds {
            let found = self.read(|db| {
                let mut stmt = db.conn.prepare_cached(&q.newest_of_project)?;
                let mut rows = stmt.query([project])?;
                let mut count: HashMap<&str, usize> = HashMap::new();
                let mut found = Vec::new();
                let mut walked = 0;
                while let Some(r) = rows.next()? {
                    walked += 1;
                    let full = |d: &&str| count.get(d).is_some_and(|n| *n >= limit);
                    if walked > MAX_WALK || held.iter().all(full) {
                        break;
                    }
                    // The candidate's columns come first, its rowid last.
                    let (ValueRef::Text(dir), Ok(ValueRef::Integer(rowid))) = (
                        r.get_ref(CANDIDATE_DIRECTORY)?,
                        r.get_ref(r.as_ref().column_count() - 1),
                    ) else {
                        continue;
                    };
                    let Some(d) = live.get(String::from_utf8_lossy(dir).as_ref()).copied() else {
                        continue;
                    };
                    if let Some(c) = db.keep_one(candidate_row(r))? {
                        found.push((rowid, c));
                        *count.entry(d).or_default() += 1;
                    }
                }
                Ok(found)
            })?;
            out.extend(found);
        }
        Ok(out)
    }

    /// The rowids of the sessions `ids`, those that exist.
    fn rowids_of(&mut self, q: &RecentQueries, ids: &[&str]) -> Result<Vec<i64>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = to_json(ids);
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&q.rowids_of)?;
            let rows = stmt.query_map([&ids], |r| super::cell::int(r, 0))?;
            Ok(db.keep(rows)?.into_iter().flatten().collect())
        })
    }
}

/// The strings of a JSON array (or an object's values), as SQLite's `json_each` yields them.
pub(crate) fn json_strings(text: &str) -> Vec<String> {
    let strings = |v: &mut dyn Iterator<Item = serde_json::Value>| -> Vec<String> {
        v.filter_map(|x| x.as_str().map(str::to_string)).collect()
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(a)) => strings(&mut a.into_iter()),
        Ok(serde_json::Value::Object(o)) => strings(&mut o.into_iter().map(|(_, v)| v)),
        _ => Vec::new(),
    }
}
