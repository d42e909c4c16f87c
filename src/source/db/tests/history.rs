//! A long-lived connection's message counts and summed tokens, kept by anchor, always equal
//! what a fresh connection reads from the whole history: through appends, a rewrite of the
//! newest message, more new messages than the window holds, and a revert.

use super::super::Db;
use super::super::types::SessionFacts;
use super::{BOTH, T0, done, new_db, session, tokens};
use crate::testkit::fixture::AssistantSpec;

fn read(db: &mut Db, sid: &str) -> SessionFacts {
    db.session_facts(&[sid.to_string()]).unwrap().remove(0)
}

fn same_as_fresh(long: &mut Db, path: &std::path::Path, sid: &str, what: &str) -> u64 {
    let kept = read(long, sid);
    let fresh = read(&mut Db::open(path).unwrap(), sid);
    assert_eq!(
        kept.message_count, fresh.message_count,
        "count after {what}"
    );
    assert_eq!(kept.tokens, fresh.tokens, "tokens after {what}");
    assert_eq!(kept.cost, fresh.cost, "cost after {what}");
    kept.message_count
}

#[test]
fn kept_totals_match_a_full_read_through_appends_rewrites_and_reverts() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_a", T0);
        let mut db = Db::open(&path).unwrap();
        let mut t = T0;
        let round = |fx: &mut crate::testkit::fixture::Fixture, t: &mut i64| {
            *t += 1_000;
            fx.user_message(&sid, *t).unwrap();
            *t += 1_000;
            fx.assistant_message(&sid, *t, done(*t, tokens(10, 3, 1)))
                .unwrap()
        };
        assert_eq!(same_as_fresh(&mut db, &path, &sid, "nothing"), 0);
        for _ in 0..5 {
            round(&mut fx, &mut t);
        }
        assert_eq!(
            same_as_fresh(&mut db, &path, &sid, "5 rounds"),
            10,
            "{schema:?}"
        );
        round(&mut fx, &mut t);
        assert_eq!(same_as_fresh(&mut db, &path, &sid, "one more"), 12);
        // The newest message is rewritten as opencode finishes a step.
        t += 1_000;
        let m = fx
            .assistant_message(&sid, t, AssistantSpec::default())
            .unwrap();
        same_as_fresh(&mut db, &path, &sid, "a new empty step");
        fx.update_assistant(&m, done(t, tokens(100, 50, 0)))
            .unwrap();
        same_as_fresh(&mut db, &path, &sid, "the step finished");
        // More new messages than one window holds.
        for _ in 0..30 {
            round(&mut fx, &mut t);
        }
        assert_eq!(same_as_fresh(&mut db, &path, &sid, "30 rounds"), 73);
        // Revert: the newest messages are deleted, then a new prompt follows.
        let gone = fx
            .conn()
            .execute(
                "DELETE FROM message WHERE session_id = ?1 AND time_created > ?2",
                rusqlite::params![sid, t - 6_000],
            )
            .unwrap();
        assert_eq!(gone, 6);
        round(&mut fx, &mut t);
        assert_eq!(same_as_fresh(&mut db, &path, &sid, "a revert"), 69);
        same_as_fresh(&mut db, &path, &sid, "nothing new");
    }
}

#[test]
fn a_refresh_reads_the_window_not_the_history() {
    let (_d, path, mut fx) = new_db(crate::testkit::fixture::Schema::Old);
    let sid = session(&mut fx, "ses_a", T0);
    for i in 0..30 {
        let t = T0 + 10_000 * (i + 1);
        fx.user_message(&sid, t).unwrap();
        fx.assistant_message(&sid, t + 1_000, done(t + 1_000, tokens(10, 3, 1)))
            .unwrap();
    }
    let mut db = Db::open(&path).unwrap();
    assert_eq!(read(&mut db, &sid).message_count, 60);
    // A row slipped in far behind the window (opencode never does this): a refresh after a new
    // message does not see it, because it does not read that far back.
    fx.assistant_message(&sid, T0 + 1, done(T0 + 1, tokens(1000, 1000, 0)))
        .unwrap();
    fx.user_message(&sid, T0 + 900_000).unwrap();
    let kept = read(&mut db, &sid);
    assert_eq!(kept.message_count, 61);
    assert_eq!(kept.tokens.output, 90);
    let fresh = read(&mut Db::open(&path).unwrap(), &sid);
    assert_eq!(fresh.message_count, 62);
    assert_eq!(fresh.tokens.output, 1090);
}
