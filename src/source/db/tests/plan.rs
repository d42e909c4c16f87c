//! Every read a refresh makes goes through an index: `EXPLAIN QUERY PLAN` on a generated
//! database must show no full scan of `message` or `part`, whose size is the whole history.

use super::super::Db;
use super::BOTH;
use crate::testkit::fixture::bulk::{self, BulkSpec};

/// Plan lines of `sql`, with every parameter bound to NULL (the plan does not depend on them).
fn plan(db: &Db, sql: &str) -> Vec<String> {
    let mut stmt = db
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let n = stmt.parameter_count();
    let params: Vec<rusqlite::types::Null> = vec![rusqlite::types::Null; n];
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// A full scan of message or part, under the aliases the queries use.
fn scans_history(line: &str) -> bool {
    ["SCAN m", "SCAN p", "SCAN message", "SCAN part"]
        .iter()
        .any(|s| line == *s || line.starts_with(&format!("{s} ")))
}

#[test]
fn per_refresh_queries_use_indexes_not_history_scans() {
    for schema in BOTH {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opencode.db");
        let spec = BulkSpec {
            schema,
            live: 3,
            live_messages: 20,
            ..BulkSpec::new(2_000, 8_000, 60, dir.path(), 1_780_000_000_000)
        };
        bulk::generate(&path, &spec).unwrap();
        let db = Db::open(&path).unwrap();
        let q = &db.q;
        let queries = super::per_refresh(q);
        // The cheap candidates read; its walk back from the message table's end (`message_tail`)
        // is a scan that stops at the live processes' time (`recent.rs`).
        let r = q.recent.clone().unwrap_or_default();
        assert!(q.recent.is_some(), "{schema:?}");
        // Neither reads every session: the newest rows come straight off the index on
        // `project_id`, the narrowed read looks rows up by rowid.
        for (sql, sorts) in [(&r.newest_of_project, false), (&r.candidates_among, true)] {
            let lines = plan(&db, sql);
            let scans = |l: &String| l == "SCAN s" || l.starts_with("SCAN s ");
            let sort = |l: &String| l.contains("TEMP B-TREE FOR ORDER BY");
            assert!(
                !lines.iter().any(|l| scans(l) || !sorts && sort(l)),
                "{schema:?}: {lines:?}\n{sql}"
            );
        }
        let recent = [
            ("project_paths", &r.project_paths),
            ("newest_of_project", &r.newest_of_project),
            ("rowids_of", &r.rowids_of),
            ("candidates_among", &r.candidates_among),
        ];
        for (name, sql) in queries.into_iter().chain(recent) {
            let lines = plan(&db, sql);
            assert!(
                !lines.iter().any(|l| scans_history(l)),
                "{schema:?} {name} scans history: {lines:?}\n{sql}"
            );
        }
        // The incremental totals read new rows by rowid, open ones by id.
        for sql in [
            "SELECT rowid, id, time_created, data FROM message WHERE rowid > ?1 ORDER BY rowid",
            "SELECT id FROM message WHERE rowid = ?1",
            "SELECT data FROM message WHERE id = ?1",
        ] {
            let lines = plan(&db, sql);
            assert!(!lines.iter().any(|l| scans_history(l)), "{sql}: {lines:?}");
        }
    }
}
