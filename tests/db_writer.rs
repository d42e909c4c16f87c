//! opencode is never slowed, blocked or changed by otop: a writer that behaves like opencode
//! (WAL, busy_timeout=5000, small frequent transactions, periodic checkpoints) runs while a
//! collector refreshes every 200 ms (ten times the monitor's pace). The writer never sees
//! SQLITE_BUSY, every checkpoint completes (so the WAL stays small), and the database ends
//! exactly as it ends without otop.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use otop::collect::{Collector, CollectorOptions, Focus, Source};
use otop::paths::Env;
use otop::testkit::fixture::{Fixture, Schema, SessionSpec};
use rusqlite::Connection;
use support::StandIns;

const STEPS: usize = 600;
const T0: i64 = 1_760_000_000_000;

/// What the writer saw.
#[derive(Debug, Default)]
struct WriterReport {
    busy_errors: usize,
    other_errors: Vec<String>,
    /// TRUNCATE checkpoints that could not finish (a reader held the WAL).
    checkpoints_blocked: usize,
    checkpoints: usize,
    max_wal_bytes: u64,
}

fn create(path: &Path) {
    let mut fx = Fixture::create(path, Schema::Current).unwrap();
    fx.session(SessionSpec {
        id: "ses_w".into(),
        title: "written".into(),
        directory: "/src".into(),
        created: T0,
        ..SessionSpec::default()
    })
    .unwrap();
}

/// opencode's write pattern, deterministic: message, part and session updates, each its own
/// short transaction, with PASSIVE checkpoints often and a TRUNCATE one now and then.
fn write_like_opencode(path: &Path) -> WriterReport {
    let conn = Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_millis(5000)).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    let wal = path.with_extension("db-wal");
    let mut r = WriterReport::default();
    let note = |e: rusqlite::Error, r: &mut WriterReport| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            r.busy_errors += 1
        }
        _ => r.other_errors.push(e.to_string()),
    };
    for i in 0..STEPS {
        let t = T0 + i as i64;
        let mid = format!("msg_{i:05}");
        let res = conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;
             INSERT INTO message (id, session_id, time_created, time_updated, data)
               VALUES ('{mid}', 'ses_w', {t}, {t}, '{{\"role\":\"assistant\",\"time\":{{\"created\":{t}}}}}');
             INSERT INTO part (id, message_id, session_id, time_created, time_updated, data)
               VALUES ('prt_{i:05}', '{mid}', 'ses_w', {t}, {t}, '{{\"type\":\"text\",\"text\":\"line {i}\"}}');
             UPDATE session SET time_updated = {t} WHERE id = 'ses_w';
             COMMIT;"
        ));
        if let Err(e) = res {
            let _ = conn.execute_batch("ROLLBACK");
            note(e, &mut r);
        }
        if i % 10 == 9 {
            let mode = if i % 100 == 99 { "TRUNCATE" } else { "PASSIVE" };
            match conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
                row.get::<_, i64>(0)
            }) {
                Ok(busy) => {
                    r.checkpoints += 1;
                    if busy != 0 && mode == "TRUNCATE" {
                        r.checkpoints_blocked += 1;
                    }
                }
                Err(e) => note(e, &mut r),
            }
        }
        r.max_wal_bytes = r
            .max_wal_bytes
            .max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        // opencode writes in bursts a few ms apart, not in a tight loop.
        std::thread::sleep(Duration::from_millis(3));
    }
    r
}

/// A checksum of every row of opencode's tables.
fn content_hash(path: &Path) -> u64 {
    let conn = Connection::open(path).unwrap();
    let mut h = DefaultHasher::new();
    for table in ["project", "session", "message", "part", "todo"] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                format!("{:?}", row.get_ref(i).unwrap()).hash(&mut h);
            }
        }
    }
    h.finish()
}

#[test]
fn a_fast_refreshing_collector_never_blocks_or_changes_the_writer() {
    let tmp = tempfile::tempdir().unwrap();

    // Without otop.
    let alone = tmp.path().join("alone/opencode.db");
    std::fs::create_dir_all(alone.parent().unwrap()).unwrap();
    create(&alone);
    let base = write_like_opencode(&alone);
    assert_eq!(base.busy_errors, 0, "{base:?}");
    let want = content_hash(&alone);

    // With otop reading the session the stand-in runs, its history and the totals.
    let db = tmp.path().join("with/opencode.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    create(&db);
    let standins = StandIns::new();
    let _oc = standins.spawn_session("ses_w", tmp.path(), &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let refreshes = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (db, stop, refreshes) = (db.clone(), stop.clone(), refreshes.clone());
        std::thread::spawn(move || {
            let opts = CollectorOptions {
                db: Some(db),
                totals: true,
                logs: false,
                tmux: false,
                ..CollectorOptions::default()
            };
            let mut c = Collector::new(opts, Env::default());
            let focus = Focus {
                session_id: Some("ses_w".into()),
                pane: None,
            };
            let mut errors = Vec::new();
            let mut matched = 0;
            while !stop.load(Ordering::Relaxed) {
                let snap = c.collect(&focus, chrono::Utc::now().timestamp_millis());
                errors.extend(snap.db_error.map(|e| e.to_string()));
                if snap.rows.iter().any(|r| r.session_id() == Some("ses_w")) {
                    matched += 1;
                }
                refreshes.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(200));
            }
            (errors, matched)
        })
    };
    let with = write_like_opencode(&db);
    stop.store(true, Ordering::Relaxed);
    let (reader_errors, matched) = reader.join().unwrap();

    assert!(refreshes.load(Ordering::Relaxed) >= 5, "the reader ran");
    assert!(
        matched >= 3,
        "the reader really read the session ({matched} times)"
    );
    assert_eq!(with.busy_errors, 0, "opencode saw SQLITE_BUSY: {with:?}");
    assert!(with.other_errors.is_empty(), "{with:?}");
    assert_eq!(
        with.checkpoints_blocked, 0,
        "a reader held the WAL across a checkpoint: {with:?}"
    );
    assert!(with.checkpoints >= STEPS / 10);
    // Bounded: the WAL never grows far past what the writer alone makes.
    assert!(
        with.max_wal_bytes <= base.max_wal_bytes.max(64 * 1024) * 2,
        "WAL grew to {} bytes (alone: {})",
        with.max_wal_bytes,
        base.max_wal_bytes
    );
    assert!(
        reader_errors.is_empty(),
        "otop could not read: {reader_errors:?}"
    );
    assert_eq!(
        content_hash(&db),
        want,
        "the database differs from a run without otop"
    );
}

/// Reading alone touches none of opencode's files: the database and its WAL keep their bytes
/// (only SQLite's shared-memory index, `-shm`, records readers, as for any reader).
#[test]
fn reading_writes_nothing_to_the_database_or_its_wal() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    create(&db);
    // Keep a writer open so the WAL exists as it does while opencode runs.
    let writer = Connection::open(&db).unwrap();
    writer
        .execute_batch("UPDATE session SET title = 'still here' WHERE id = 'ses_w'")
        .unwrap();
    let wal = tmp.path().join("opencode.db-wal");
    let before = (std::fs::read(&db).unwrap(), std::fs::read(&wal).unwrap());
    let opts = CollectorOptions {
        db: Some(db.clone()),
        totals: true,
        logs: true,
        tmux: false,
        ..CollectorOptions::default()
    };
    let mut c = Collector::new(opts, Env::default());
    let focus = Focus {
        session_id: Some("ses_w".into()),
        pane: None,
    };
    for _ in 0..5 {
        let snap = c.collect(&focus, chrono::Utc::now().timestamp_millis());
        assert_eq!(snap.db_error, None);
    }
    drop(c);
    let after = (std::fs::read(&db).unwrap(), std::fs::read(&wal).unwrap());
    assert!(before == after, "otop changed opencode.db or its WAL");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("opencode.db"))
        .collect();
    assert!(names.is_empty(), "otop created files: {names:?}");
}
