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
