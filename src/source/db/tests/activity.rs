//! Messages since a process started, asked only of sessions updated since; and the shallow
//! read `otop status` makes.

use super::super::types::{Depth, Role, ToolStatus};
use super::super::{Db, UPDATED_SLACK_MS};
use super::{BOTH, T0, done, new_db, session, tokens};
use crate::testkit::fixture::{AssistantSpec, ToolSpec};

#[test]
fn activity_counts_messages_since_a_start_in_sessions_updated_since() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let old = session(&mut fx, "ses_old", T0);
        fx.user_message(&old, T0 + 100).unwrap();
        let live = session(&mut fx, "ses_live", T0);
        fx.user_message(&live, T0 + 100).unwrap();
        fx.user_message(&live, T0 + 60_000).unwrap();
        fx.assistant_message(&live, T0 + 61_000, done(T0 + 61_000, tokens(1, 1, 0)))
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let by_dir = db.candidates_in(&["/work/proj"], 20).unwrap();
        let mut c = by_dir["/work/proj"].clone();
        assert!(
            c.iter()
                .all(|c| c.messages_since == 0 && c.last_message_at.is_none())
        );

        db.activity(&mut c, T0 + 30_000).unwrap();
        let get = |id: &str| c.iter().find(|c| c.id == id).unwrap().clone();
        assert_eq!(get(&live).messages_since, 2, "{schema:?}");
        assert_eq!(get(&live).last_message_at, Some(T0 + 61_000));
        assert_eq!(get(&old).messages_since, 0);
    }
}

#[test]
fn activity_does_not_ask_sessions_not_updated_since_the_start() {
    let (_d, path, mut fx) = new_db(crate::testkit::fixture::Schema::Current);
    let sid = session(&mut fx, "ses_a", T0);
    fx.user_message(&sid, T0 + 60_000).unwrap();
    // A session row that claims no update since long before: its messages are not read (were
    // it asked, it would count one).
    fx.conn()
        .execute("UPDATE session SET time_updated = ?1", [T0])
        .unwrap();
    let mut db = Db::open(&path).unwrap();
    let mut c = db.candidates_in(&["/work/proj"], 20).unwrap()["/work/proj"].clone();
    db.activity(&mut c, T0 + UPDATED_SLACK_MS + 1).unwrap();
    assert_eq!(c[0].messages_since, 0);
    // Within the slack (clock rounding between opencode and the kernel) it is asked.
    db.activity(&mut c, T0 + UPDATED_SLACK_MS).unwrap();
    assert_eq!(c[0].messages_since, 1);
}

#[test]
fn the_state_depth_reads_what_status_inference_needs_and_skips_the_rest() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_a", T0);
        fx.todo(&sid, 0, "write tests", "in_progress", "high")
            .unwrap();
        fx.user_message(&sid, T0 + 1_000).unwrap();
        let a = fx
            .assistant_message(&sid, T0 + 2_000, AssistantSpec::default())
            .unwrap();
        fx.tool_part(
            &a,
            T0 + 2_100,
            ToolSpec {
                tool: "bash".into(),
                status: ToolStatus::Running,
                ..ToolSpec::default()
            },
        )
        .unwrap();
        let mut db = Db::open(&path).unwrap();
        let full = db
            .session_facts_to(std::slice::from_ref(&sid), Depth::Full)
            .unwrap();
        let brief = db
            .session_facts_to(std::slice::from_ref(&sid), Depth::State)
            .unwrap();
        let (full, brief) = (&full[0], &brief[0]);
        assert_eq!(full.message_count, 2);
        assert_eq!(full.todos.len(), 1);
        assert_eq!(brief.message_count, 0, "{schema:?}");
        assert!(brief.todos.is_empty());
        // Everything status inference reads is the same.
        assert_eq!(brief.last_message, full.last_message);
        assert_eq!(
            brief.last_message.as_ref().map(|m| m.role),
            Some(Role::Assistant)
        );
        assert_eq!(brief.tools, full.tools);
        assert_eq!(brief.tools.len(), 1);
        assert_eq!(brief.round_started_at, Some(T0 + 1_000));
        assert_eq!(brief.compacting_at, full.compacting_at);
        assert_eq!(brief.last_activity_at, full.last_activity_at);
    }
}
