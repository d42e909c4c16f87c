//! Candidates are read through `session.project_id` (indexed) instead of a scan of every
//! session: the rows must be the same as the scan's, whichever project a directory's sessions
//! are filed under.

use super::super::Db;
use super::{BOTH, T0, new_db};
use crate::testkit::fixture::{Schema, SessionSpec};

#[test]
fn project_narrowed_candidates_are_the_directories_sessions() {
    for schema in BOTH {
        let (_dir, path, mut fx) = new_db(schema);
        let c = fx.conn();
        let project = "INSERT INTO project (id, worktree, vcs, time_created, time_updated, \
                       sandboxes) VALUES (?1, ?2, 'git', 0, 0, ?3)";
        c.execute(project, ["aaaa", "/r/app", "[\"/r/app-wt\"]"])
            .unwrap();
        c.execute(project, ["bbbb", "/r/lib/", "not json"]).unwrap();
        if schema == Schema::Current {
            c.execute(
                "INSERT INTO project_directory (project_id, directory, time_created) \
                 VALUES ('bbbb', '/elsewhere/lib-copy', 0)",
                [],
            )
            .unwrap();
        }
        // (directory, project): the repository's root, a subdirectory, a sibling worktree, a
        // directory listed in project_directory (1.18), one outside any repository, and a
        // repository without a commit (opencode files those under `global` too).
        let mut sessions = vec![
            ("/r/app", Some("aaaa")),
            ("/r/app/src", Some("aaaa")),
            ("/r/app-wt", Some("aaaa")),
            ("/r/lib", Some("bbbb")),
            ("/tmp/scratch", None),
            ("/r/new-repo", None),
            ("/r/application", Some("aaaa")),
        ];
        if schema == Schema::Current {
            sessions.push(("/elsewhere/lib-copy", Some("bbbb")));
        }
        for (i, (dir, project)) in sessions.iter().enumerate() {
            fx.session(SessionSpec {
                directory: dir.to_string(),
                project: project.map(str::to_string),
                created: T0 + i as i64,
                ..SessionSpec::default()
            })
            .unwrap();
        }
        let mut db = Db::open(&path).unwrap();
        let dirs: Vec<&str> = sessions.iter().map(|(d, _)| *d).collect();
        let got = db.candidates_in(&dirs, 100).unwrap();
        let scan: Vec<(String, String)> = {
            let mut stmt = db
                .conn
                .prepare("SELECT directory, id FROM session ORDER BY directory, id")
                .unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let mut read: Vec<(String, String)> = got
            .iter()
            .flat_map(|(d, cs)| cs.iter().map(move |c| (d.clone(), c.id.clone())))
            .collect();
        read.sort();
        assert_eq!(read, scan, "{schema:?}");
        // A session filed under a project that does not hold its directory (opencode never
        // does that) is found only with a directory of that project: /r/application is not
        // under /r/app.
        assert!(
            db.candidates_in(&["/r/application"], 100)
                .unwrap()
                .is_empty()
        );
    }
}

/// `global` sessions come from the connection's own index of them: rows added since it looked
/// are read, rows replaced under it (a deleted last row whose rowid a new one took) make it
/// read again, and a new connection builds its own from the database.
#[test]
fn global_sessions_are_found_as_they_come_and_go() {
    for schema in BOTH {
        let (_dir, path, mut fx) = new_db(schema);
        let add = |fx: &mut crate::testkit::fixture::Fixture, d: &str, t: i64| {
            fx.session(SessionSpec {
                directory: d.into(),
                created: t,
                ..SessionSpec::default()
            })
            .unwrap()
        };
        let a = add(&mut fx, "/scratch", T0);
        add(&mut fx, "/other", T0 + 1);
        let mut db = Db::open(&path).unwrap();
        let ids = |db: &mut Db| -> Vec<String> {
            let mut v: Vec<String> = db
                .candidates_in(&["/scratch"], 100)
                .unwrap()
                .remove("/scratch")
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.id)
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids(&mut db), std::slice::from_ref(&a), "{schema:?}");
        let b = add(&mut fx, "/scratch", T0 + 2);
        let mut both = vec![a.clone(), b.clone()];
        both.sort();
        assert_eq!(ids(&mut db), both, "{schema:?}: a session added since");
        // A fresh connection (the next `otop status`) reads the database.
        let mut again = Db::open(&path).unwrap();
        assert_eq!(ids(&mut again), both, "{schema:?}: a new connection");
        // The last row deleted and its rowid taken by a session elsewhere: read again.
        fx.conn()
            .execute("DELETE FROM session WHERE id = ?1", [&b])
            .unwrap();
        let c = add(&mut fx, "/elsewhere", T0 + 3);
        assert_eq!(
            ids(&mut again),
            std::slice::from_ref(&a),
            "{schema:?}: rowid reused"
        );
        assert_eq!(
            ids(&mut db),
            [a],
            "{schema:?}: rowid reused, first connection"
        );
        let found = db.candidates_in(&["/elsewhere"], 100).unwrap();
        assert_eq!(
            found["/elsewhere"][0].id, c,
            "{schema:?}: the row that took the rowid"
        );
    }
}

/// Reads reused while nothing was committed (`PRAGMA data_version`) still see every commit.
#[test]
fn reused_answers_follow_every_commit() {
    let (_dir, path, mut fx) = new_db(Schema::Current);
    let mut db = Db::open(&path).unwrap();
    let first = fx
        .session(SessionSpec {
            directory: "/w".into(),
            title: "one".into(),
            created: T0,
            ..SessionSpec::default()
        })
        .unwrap();
    let ids = vec![first.clone()];
    let title = |db: &mut Db| db.session_facts(&ids).unwrap()[0].title.clone();
    assert_eq!(title(&mut db).as_deref(), Some("one"));
    assert_eq!(title(&mut db).as_deref(), Some("one"));
    fx.conn()
        .execute("UPDATE session SET title = 'two' WHERE id = ?1", [&first])
        .unwrap();
    assert_eq!(title(&mut db).as_deref(), Some("two"));
    let count = |db: &mut Db| db.candidates_in(&["/w"], 9).unwrap()["/w"].len();
    assert_eq!(count(&mut db), 1);
    fx.session(SessionSpec {
        directory: "/w".into(),
        created: T0 + 1,
        ..SessionSpec::default()
    })
    .unwrap();
    assert_eq!(count(&mut db), 2);
}
