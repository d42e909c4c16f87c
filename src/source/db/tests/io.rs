//! Db and the file on disk: unreadable files, no writes, no held snapshot, real opencode rows.

use super::super::types::Tokens;
use super::super::{Db, DbError};
use super::{BOTH, T0, candidates, finished_session, new_db};
use crate::testkit::fixture::Schema;

#[test]
fn unreadable_files_are_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    assert!(matches!(Db::open(&missing), Err(DbError::Missing(_))));
    assert!(!missing.exists(), "opening must not create the file");

    let cases: [(&str, &[u8], &str); 2] = [
        ("empty.db", b"", "empty file"),
        (
            "text.db",
            b"hello, I am not a database\n",
            "not an SQLite database",
        ),
    ];
    for (name, bytes, why) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = Db::open(&p).err().unwrap().to_string();
        assert!(e.contains(name) && e.contains(why), "{e}");
    }

    // A real database cut after its first page: the header is fine, the tables are gone.
    let (_d2, path, mut fx) = new_db(Schema::Current);
    finished_session(&mut fx, "ses_a");
    fx.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(fx);
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.db");
    std::fs::write(&cut, &bytes[..4096]).unwrap();
    let r = Db::open(&cut).and_then(|mut db| db.session_facts(&["ses_a".into()]));
    let e = r.err().unwrap().to_string();
    assert!(e.contains("cut.db"), "{e}");
}

#[test]
fn reads_leave_the_file_alone_and_hold_no_transaction() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = finished_session(&mut fx, "ses_a");
        fx.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut db = Db::open(&path).unwrap();
        candidates(&mut db, "/work/proj", 0, 10);
        db.candidate(&sid, 0).unwrap();
        db.children(std::slice::from_ref(&sid)).unwrap();
        db.session_facts(std::slice::from_ref(&sid)).unwrap();
        db.history(&sid, 10).unwrap();
        db.totals(0).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "{schema:?}: the database file is untouched"
        );
        // opencode keeps writing; its checkpoint must not be blocked by otop's idle connection.
        fx.user_message(&sid, T0 + 9000).unwrap();
        let (busy, log, done): (i64, i64, i64) = fx
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            (busy, log, done),
            (0, 0, 0),
            "{schema:?}: complete checkpoint while otop is open"
        );
        assert_eq!(
            db.session_facts(&[sid]).unwrap()[0].message_count,
            5,
            "sees the new write"
        );
    }
}

#[test]
fn rows_written_by_real_opencode_read_back() {
    for (schema, ver) in [(Schema::Current, "1.18.33"), (Schema::Old, "1.2.27")] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opencode.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema.ddl()).unwrap();
        let rows =
            std::fs::read_to_string(format!("tests/fixtures/real/opencode-{ver}-run.sql")).unwrap();
        conn.execute_batch(&rows).unwrap();
        // What `Db::activity` relies on: a session's `time_updated` is at least the creation of
        // its every message.
        let behind: i64 = conn
            .query_row(
                "SELECT count(*) FROM session s WHERE s.time_updated < \
                 (SELECT max(m.time_created) FROM message m WHERE m.session_id = s.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            behind, 0,
            "{ver}: a session updated before its latest message"
        );
        drop(conn);
        let mut db = Db::open(&path).unwrap();
        let dir_name = format!(
            "/tmp/dbrun{}/proj",
            if schema == Schema::Current {
                "118"
            } else {
                "12"
            }
        );
        let c = candidates(&mut db, &dir_name, 0, 5);
        assert_eq!(c.len(), 1, "{ver}");
        let f = &db.session_facts(&[c[0].id.clone()]).unwrap()[0];
        assert_eq!(f.title.as_deref(), Some("Done."));
        assert_eq!(f.model.as_deref(), Some("fake/fake"));
        assert_eq!(f.message_count, 3);
        assert_eq!(
            f.tokens,
            Tokens {
                input: 220,
                output: 25,
                cache_read: 30,
                ..Tokens::default()
            },
            "{ver}"
        );
        assert_eq!(f.context_tokens, Some(150));
        assert_eq!(f.last_output.as_deref(), Some("All good"));
        assert!(
            f.parent_id.is_none() && f.has_permission == Some(true),
            "opencode run stores permission rules"
        );
        let h = db.history(&f.id, 10).unwrap();
        assert_eq!(h[1].tools[0].0, "bash");
    }
}

/// The connection for a WAL database in a directory this user cannot write (see
/// `open_unwritable_dir`; the refusal itself needs another user, so `tests/bad_db.rs` runs the
/// binary as nobody): read `immutable` at any path, and stale once a writer makes a `-wal`.
#[test]
fn an_immutable_connection_reads_odd_paths_and_goes_stale_when_a_writer_starts() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a ?#%20 dir");
    std::fs::create_dir(&sub).unwrap();
    let path = sub.join("open code.db");
    let mut fx = crate::testkit::fixture::Fixture::create(&path, Schema::Current).unwrap();
    let sid = finished_session(&mut fx, "ses_a");
    drop(fx);
    let wal = super::super::open::side_file(&path, "-wal");
    assert!(!wal.exists(), "closed cleanly: no -wal");
    let (conn, cols) = super::super::open::connect(&path, true).unwrap();
    let mut db = Db::from_parts(&path, conn, cols, true);
    assert_eq!(
        db.session_facts(std::slice::from_ref(&sid)).unwrap().len(),
        1
    );
    assert!(!db.is_stale());
    assert!(
        !super::super::open::side_file(&path, "-shm").exists(),
        "nothing created"
    );
    let w = rusqlite::Connection::open(&path).unwrap();
    w.execute_batch("SELECT count(*) FROM session").unwrap();
    assert!(wal.exists());
    assert!(db.is_stale(), "a writer appeared: reopen");
    drop(w);
}
