//! A session's day as read for its timeline: from the turn running at the window's start on,
//! with its question parts' times; kept across refreshes, always equal to a fresh read.

use serde_json::json;

use super::super::Db;
use super::{BOTH, T0, new_db, session};
use crate::testkit::fixture::AssistantSpec;

fn done(t: i64) -> AssistantSpec {
    AssistantSpec {
        completed: Some(t),
        ..AssistantSpec::default()
    }
}

fn question(start: i64, end: Option<i64>) -> String {
    let (status, time) = match end {
        Some(e) => ("completed", json!({"start": start, "end": e})),
        None => ("running", json!({"start": start})),
    };
    json!({"type": "tool", "tool": "question", "callID": "c1",
        "state": {"status": status, "input": {"questions": []}, "time": time}})
    .to_string()
}

#[test]
fn the_day_starts_at_the_turn_running_at_midnight_and_keeps_up_with_writes() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_a", T0);
        let since = T0 + 100_000;
        // Yesterday's turn, then one running across `since`.
        fx.user_message(&sid, T0 + 1_000).unwrap();
        fx.assistant_message(&sid, T0 + 2_000, done(T0 + 3_000))
            .unwrap();
        fx.user_message(&sid, T0 + 90_000).unwrap();
        let a = fx
            .assistant_message(&sid, T0 + 91_000, AssistantSpec::default())
            .unwrap();
        fx.part_json(&a, T0 + 95_000, &question(T0 + 95_000, None))
            .unwrap();
        let mut long = Db::open(&path).unwrap();
        let facts = long.day_facts(&sid, since).unwrap();
        let ids: Vec<bool> = facts.messages.iter().map(|m| m.user).collect();
        assert_eq!(ids, [true, false], "{schema:?}: from the turn at midnight");
        assert_eq!(facts.messages[0].created, T0 + 90_000);
        assert_eq!(facts.questions.len(), 1);
        assert_eq!(
            (facts.questions[0].start, facts.questions[0].end),
            (Some(T0 + 95_000), None)
        );
        // Answered: the part is rewritten, the step finishes, another turn comes.
        fx.conn()
            .execute(
                "UPDATE part SET data = ?1 WHERE message_id = ?2",
                rusqlite::params![question(T0 + 95_000, Some(T0 + 115_000)), a],
            )
            .unwrap();
        fx.update_assistant(&a, done(T0 + 120_000)).unwrap();
        fx.user_message(&sid, T0 + 200_000).unwrap();
        fx.assistant_message(
            &sid,
            T0 + 201_000,
            AssistantSpec {
                completed: Some(T0 + 202_000),
                error: Some(("APIError".into(), "boom".into())),
                ..AssistantSpec::default()
            },
        )
        .unwrap();
        let kept = long.day_facts(&sid, since).unwrap();
        let fresh = Db::open(&path).unwrap().day_facts(&sid, since).unwrap();
        assert_eq!(kept, fresh, "{schema:?}");
        assert_eq!(kept.messages.len(), 4);
        assert_eq!(kept.questions[0].end, Some(T0 + 115_000));
        assert_eq!(kept.messages[3].error.as_deref(), Some("APIError"));
        // A revert deletes the last turn.
        fx.conn()
            .execute(
                "DELETE FROM message WHERE session_id = ?1 AND time_created >= ?2",
                rusqlite::params![sid, T0 + 200_000],
            )
            .unwrap();
        let kept = long.day_facts(&sid, since).unwrap();
        assert_eq!(
            kept,
            Db::open(&path).unwrap().day_facts(&sid, since).unwrap()
        );
        assert_eq!(kept.messages.len(), 2);
    }
}

#[test]
fn the_sessions_of_the_day_are_those_with_a_message_since_its_start() {
    let (_d, path, mut fx) = new_db(crate::testkit::fixture::Schema::Current);
    let old = session(&mut fx, "ses_old", T0);
    let new = session(&mut fx, "ses_new", T0);
    fx.user_message(&old, T0 + 1_000).unwrap();
    fx.user_message(&new, T0 + 5_000).unwrap();
    fx.user_message(&old, T0 + 6_000).unwrap();
    let mut db = Db::open(&path).unwrap();
    assert_eq!(
        db.sessions_since(T0 + 2_000).unwrap(),
        ["ses_old", "ses_new"]
    );
    assert_eq!(db.sessions_since(T0 + 9_000).unwrap(), Vec::<String>::new());
    let names = db
        .session_names(&["ses_new".into(), "nope".into()])
        .unwrap();
    assert_eq!(names.len(), 1);
    assert_eq!(names[0].title.as_deref(), Some("title of ses_new"));
    assert_eq!(names[0].directory.as_deref(), Some("/work/proj"));
}
