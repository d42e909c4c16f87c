//! One row holding a value of an unexpected type (SQLite is dynamically typed: any column can
//! hold any type) costs that row, never the read: every other session reads as before, numbers
//! are read leniently where they can be, and the skipped rows are counted.

use super::super::Db;
use super::super::types::{Depth, Tokens};
use super::{BOTH, T0, candidates, done, finished_session, new_db, session, tokens};
use crate::testkit::fixture::Schema;

/// `SET` clauses that give one of `ses_bad`'s rows a value of the wrong type.
const BAD_VALUES: &[(&str, &str)] = &[
    ("session", "time_created = 'yesterday'"),
    ("session", "time_updated = X'00ff'"),
    ("session", "time_compacting = 'soon'"),
    ("session", "title = X'00ff'"),
    ("session", "parent_id = X'00'"),
    ("session", "id = NULL"),
    ("message", "time_created = 'yesterday'"),
    ("message", "time_updated = X'0102'"),
    ("message", "data = X'7b7d'"),
    ("message", "data = 42"),
    ("message", "data = NULL"),
    ("message", "id = NULL"),
    ("part", "time_created = 'yesterday'"),
    ("part", "time_updated = 'later'"),
    ("part", "data = X'7b7d'"),
    ("part", "data = 4.5"),
    ("todo", "content = X'00ff'"),
    ("todo", "position = 'first'"),
];

/// Session-row columns only the current schema has.
const BAD_CURRENT: &[(&str, &str)] = &[
    ("session", "tokens_input = 'many'"),
    ("session", "tokens_cache_write = NULL"),
    ("session", "cost = 'a lot'"),
    ("session", "cost = NULL"),
    ("session", "model = X'7b7d'"),
];

fn rows_of(table: &str, sid: &str) -> String {
    match table {
        "session" => format!("id = '{sid}'"),
        "todo" => format!("session_id = '{sid}' AND position = 0"),
        // The latest message or part: the one every read looks at.
        _ => format!("id = (SELECT max(id) FROM {table} WHERE session_id = '{sid}')"),
    }
}

/// Lets `fx` store NULL anywhere, as a hand-edited or foreign file may.
fn drop_constraints(fx: &crate::testkit::fixture::Fixture) {
    fx.conn()
        .execute_batch(
            "PRAGMA foreign_keys = OFF; PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, 'NOT NULL', '') WHERE type = 'table';
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
}

#[test]
fn one_bad_value_costs_its_row_not_the_read() {
    for schema in BOTH {
        let extra = if schema == Schema::Current {
            BAD_CURRENT
        } else {
            &[]
        };
        for (table, set) in BAD_VALUES.iter().chain(extra) {
            let (_d, path, mut fx) = new_db(schema);
            let good = finished_session(&mut fx, "ses_good");
            let bad = finished_session(&mut fx, "ses_bad");
            let both = [bad.clone(), good.clone()];
            let before = Db::open(&path).unwrap().session_facts(&both).unwrap();
            drop_constraints(&fx);
            drop(fx);
            // The schema edit is read by a fresh connection.
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
            let sql = format!("UPDATE {table} SET {set} WHERE {}", rows_of(table, &bad));
            assert_eq!(c.execute(&sql, []).unwrap(), 1, "{sql}");
            drop(c);

            let what = format!("{schema:?}: {sql}");
            let mut db = Db::open(&path).unwrap();
            let c = candidates(&mut db, "/work/proj", 0, 10);
            assert!(c.iter().any(|c| c.id == good), "{what}: {c:?}");
            assert!(db.candidate(&good, 0).unwrap().is_some(), "{what}");
            assert_eq!(db.children(&both).unwrap(), vec![], "{what}");
            for depth in [Depth::Full, Depth::State] {
                let f = db
                    .session_facts_to(&both, depth)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let g = f.iter().find(|f| f.id == good);
                let want = before.iter().find(|f| f.id == good);
                if depth == Depth::Full {
                    assert_eq!(g, want, "{what}: the good session reads as before");
                } else {
                    assert!(g.is_some(), "{what}");
                }
            }
            db.history(&bad, 10)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(db.history(&good, 10).unwrap().len(), 4, "{what}");
            let t = db.totals(0).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(t.all_time.messages >= 7, "{what}: {t:?}");
        }
    }
}

#[test]
fn skipped_rows_are_counted() {
    let (_d, path, mut fx) = new_db(Schema::Current);
    let good = finished_session(&mut fx, "ses_good");
    let bad = finished_session(&mut fx, "ses_bad");
    fx.conn()
        .execute_batch(&format!(
            "UPDATE session SET time_created = 'yesterday' WHERE id = '{bad}'"
        ))
        .unwrap();
    let mut db = Db::open(&path).unwrap();
    assert_eq!(db.take_skipped(), 0);
    let f = db.session_facts(&[bad.clone(), good.clone()]).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, good);
    assert_eq!(db.take_skipped(), 1, "the bad session row");
    assert_eq!(db.take_skipped(), 0, "taken");
    let c = candidates(&mut db, "/work/proj", 0, 10);
    assert_eq!(c.len(), 1);
    assert_eq!(db.take_skipped(), 1);
}

#[test]
fn numbers_of_another_type_read_leniently() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_a", T0);
        fx.user_message(&sid, T0 + 1000).unwrap();
        // A typeless column keeps TEXT as TEXT (a declared `integer` converts '123' itself).
        fx.conn()
            .execute_batch(&format!(
                "UPDATE session SET time_created = {}.75, time_updated = {}.5 WHERE id = '{sid}';
                 UPDATE message SET time_created = {}.9 WHERE session_id = '{sid}';",
                T0,
                T0 + 1000,
                T0 + 1000
            ))
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(f.created_at, Some(T0), "{schema:?}: a REAL time truncates");
        assert_eq!(f.updated_at, Some(T0 + 1000));
        assert_eq!(f.round_started_at, Some(T0 + 1000));
        let c = candidates(&mut db, "/work/proj", T0, 10);
        assert_eq!(c[0].last_message_at, Some(T0 + 1000), "{schema:?}");
        assert_eq!(c[0].messages_since, 1, "{schema:?}");
        assert_eq!(db.take_skipped(), 0);
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typeless.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c.execute_batch(
        &Schema::Current
            .ddl()
            .replace(" integer", "")
            .replace(" real", ""),
    )
    .unwrap();
    c.execute_batch(
        "INSERT INTO session (id, project_id, slug, directory, title, version, time_created, \
         time_updated, cost) VALUES ('ses_t', 'p', 's', '/d', 't', 'v', ' 1780000000000 ', \
         '1.78e12', '0.5')",
    )
    .unwrap();
    drop(c);
    let f = &Db::open(&path)
        .unwrap()
        .session_facts(&["ses_t".into()])
        .unwrap()[0];
    assert_eq!(
        f.created_at,
        Some(1_780_000_000_000),
        "numeric TEXT is parsed"
    );
    assert_eq!(f.updated_at, Some(1_780_000_000_000));
    assert_eq!(f.cost, Some(0.5));
}

#[test]
fn token_sums_saturate() {
    // 2^62 input three times overflows an integer sum; u64::MAX cache reads overflow a u64.
    let data = serde_json::json!({
        "role": "assistant", "time": {"created": T0, "completed": T0 + 1},
        "tokens": {"input": 1u64 << 62, "output": 1, "cache": {"read": u64::MAX}},
    })
    .to_string();
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_a", T0);
        for i in 0..3 {
            fx.user_message(&sid, T0 + 10 * i).unwrap();
            fx.message_json(&sid, T0 + 10 * i + 5, T0 + 10 * i + 5, &data)
                .unwrap();
        }
        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(f.context_tokens, Some(u64::MAX), "{schema:?}");
        if schema == Schema::Old {
            assert_eq!(f.tokens.input, 3 << 62, "summed from messages");
            assert_eq!(f.tokens.cache_read, u64::MAX);
            assert_eq!(f.tokens.context(), u64::MAX);
        }
        let t = db.totals(0).unwrap();
        assert_eq!(t.all_time.context_tokens, u64::MAX, "{schema:?}");
        assert_eq!(t.all_time.output_tokens, 3);
        let _ = (Tokens::default(), done, tokens);
    }
}
