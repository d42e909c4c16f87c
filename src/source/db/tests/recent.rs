//! The cheap candidates read (`recent.rs`) against the full one: every session with activity
//! since the processes started, and the same rows where nothing old was touched.

use std::collections::HashMap;

use super::super::Db;
use super::super::types::Candidate;
use super::{BOTH, T0, new_db};
use crate::testkit::fixture::{Fixture, SessionSpec};

const PROJECT: &str = "INSERT INTO project (id, worktree, vcs, time_created, time_updated, \
                       sandboxes) VALUES (?1, ?2, 'git', 0, 0, ?3)";

/// `n` sessions in `dir` (filed under `project`), created and updated a second apart from `t`.
fn sessions(fx: &mut Fixture, dir: &str, project: Option<&str>, t: i64, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let t = t + i as i64 * 1000;
            fx.session(SessionSpec {
                directory: dir.into(),
                project: project.map(str::to_string),
                created: t,
                updated: t,
                ..SessionSpec::default()
            })
            .unwrap()
        })
        .collect()
}

fn ids(by_dir: &HashMap<String, Vec<Candidate>>) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<(String, Vec<String>)> = by_dir
        .iter()
        .map(|(d, cs)| (d.clone(), cs.iter().map(|c| c.id.clone()).collect()))
        .collect();
    v.sort();
    v
}

#[test]
fn the_newest_and_the_active_sessions_are_the_full_reads_rows() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        fx.conn()
            .execute(PROJECT, ["aaaa", "/r/app", "[\"/r/app-wt\"]"])
            .unwrap();
        let old = sessions(&mut fx, "/r/app", Some("aaaa"), T0, 30);
        sessions(&mut fx, "/r/app-wt", Some("aaaa"), T0, 25);
        sessions(&mut fx, "/r/app/src", Some("aaaa"), T0, 3);
        let scratch = sessions(&mut fx, "/scratch", None, T0, 30);
        sessions(&mut fx, "/elsewhere", None, T0, 5);
        let dirs = ["/r/app", "/r/app-wt", "/r/app/src", "/scratch"];
        let since = T0 + 3_600_000;
        let mut db = Db::open(&path).unwrap();
        let full = db.candidates_in(&dirs, 20).unwrap();
        let cheap = db.recent_candidates_in(&dirs, 20, since, &[]).unwrap();
        // A directory outside git (`global`) gives only its sessions named or active: none.
        let in_git = |by_dir: &HashMap<String, Vec<Candidate>>| {
            let mut v = ids(by_dir);
            v.retain(|(d, _)| d != "/scratch");
            v
        };
        assert_eq!(
            cheap.as_ref().map(in_git),
            Some(in_git(&full)),
            "{schema:?}"
        );
        assert!(
            cheap.is_some_and(|c| !c.contains_key("/scratch")),
            "{schema:?}"
        );

        // Old sessions resumed since: a message each, and opencode moves `time_updated`.
        for (sid, t) in [(&old[0], since + 10), (&scratch[1], since + 20)] {
            fx.user_message(sid, t).unwrap();
            fx.conn()
                .execute(
                    "UPDATE session SET time_updated = ?2 WHERE id = ?1",
                    rusqlite::params![sid, t],
                )
                .unwrap();
        }
        let full = db.candidates_in(&dirs, 20).unwrap();
        let cheap = db.recent_candidates_in(&dirs, 20, since, &[]).unwrap();
        assert_eq!(full["/r/app"][0].id, old[0], "{schema:?}");
        assert_eq!(full["/scratch"][0].id, scratch[1], "{schema:?}");
        assert_eq!(
            cheap.as_ref().map(in_git),
            Some(in_git(&full)),
            "{schema:?}"
        );
        let active = cheap.map(|c| c["/scratch"].iter().map(|c| c.id.clone()).collect());
        assert_eq!(active, Some(vec![scratch[1].clone()]), "{schema:?}");

        // A session named by certain evidence is among the rows even when it is neither.
        let named = [old[1].clone()];
        let cheap = db.recent_candidates_in(&dirs, 40, since, &named).unwrap();
        assert!(
            cheap.is_some_and(|c| c["/r/app"].iter().any(|c| c.id == old[1])),
            "{schema:?}"
        );
    }
}

#[test]
fn too_much_activity_since_the_start_asks_for_the_full_read() {
    let (_d, path, mut fx) = new_db(crate::testkit::fixture::Schema::Current);
    let sid = sessions(&mut fx, "/scratch", None, T0, 1).remove(0);
    for i in 0..=super::super::recent::MAX_TAIL as i64 {
        fx.user_message(&sid, T0 + 10 + i).unwrap();
    }
    let mut db = Db::open(&path).unwrap();
    let got = db.recent_candidates_in(&["/scratch"], 20, T0, &[]).unwrap();
    assert!(got.is_none());
    // The same messages all before the start: the tail ends at once (the session, outside
    // git, is among the rows because it is named).
    let got = db
        .recent_candidates_in(
            &["/scratch"],
            20,
            T0 + 3_600_000,
            std::slice::from_ref(&sid),
        )
        .unwrap();
    assert_eq!(got.map(|c| c["/scratch"].len()), Some(1));
}

#[test]
fn a_directory_with_few_sessions_in_a_large_project_costs_a_bounded_walk() {
    let (_d, path, mut fx) = new_db(crate::testkit::fixture::Schema::Current);
    fx.conn()
        .execute(PROJECT, ["aaaa", "/r/big", "[]"])
        .unwrap();
    let sub = sessions(&mut fx, "/r/big/sub", Some("aaaa"), T0, 2);
    sessions(&mut fx, "/r/big", Some("aaaa"), T0 + 10_000, 600);
    let mut db = Db::open(&path).unwrap();
    let since = T0 + 3_600_000;
    let cheap = db
        .recent_candidates_in(&["/r/big/sub"], 20, since, &[])
        .unwrap();
    assert_eq!(cheap.map(|c| c.len()), Some(0));
    // Active since, it is found whatever its age; the full read has every one.
    fx.user_message(&sub[0], since + 1).unwrap();
    let cheap = db
        .recent_candidates_in(&["/r/big/sub"], 20, since, &[])
        .unwrap();
    assert_eq!(
        cheap.map(|c| ids(&c)),
        Some(vec![("/r/big/sub".into(), vec![sub[0].clone()])])
    );
    assert_eq!(
        db.candidates_in(&["/r/big/sub"], 20).unwrap()["/r/big/sub"].len(),
        2
    );
}
