//! Db against fixture databases built in both schemas opencode has shipped.

use std::path::{Path, PathBuf};

use serde_json::json;
use tempfile::TempDir;

use super::Db;
use super::types::{Candidate, Depth, Role, Tokens, ToolStatus, TotalsPair};
use crate::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec, ToolSpec};

pub(super) const BOTH: [Schema; 2] = [Schema::Current, Schema::Old];
mod activity;
mod bad_rows;
mod composed;
mod day;
mod history;
mod io;
mod plan;
mod projects;
mod recent;

pub(super) const T0: i64 = 1_780_000_000_000;

/// The reads of one session or message a refresh makes, by name.
pub(super) fn per_refresh(q: &super::queries::Queries) -> [(&'static str, &String); 13] {
    [
        ("candidates_in", &q.candidates_in),
        ("activity_since", &q.activity_since),
        ("candidate", &q.candidate),
        ("children", &q.children),
        ("session_row", &q.session_row),
        ("latest_messages", &q.latest_messages),
        ("latest_user", &q.latest_user),
        ("message_count", &q.message_count),
        ("token_sum", &q.token_sum),
        ("part_stats", &q.part_stats),
        ("parts_of", &q.parts_of),
        ("open_tools_of", &q.open_tools_of),
        ("todos", &q.todos),
    ]
}

pub(super) fn new_db(schema: Schema) -> (TempDir, PathBuf, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opencode.db");
    let fx = Fixture::create(&path, schema).unwrap();
    (dir, path, fx)
}

pub(super) fn session(fx: &mut Fixture, id: &str, created: i64) -> String {
    fx.session(SessionSpec {
        id: id.into(),
        title: format!("title of {id}"),
        directory: "/work/proj".into(),
        created,
        ..SessionSpec::default()
    })
    .unwrap()
}

/// A directory's candidates as the collector reads them: one pass over `session`, then messages
/// since `since` for those updated since.
pub(super) fn candidates(db: &mut Db, dir: &str, since: i64, limit: usize) -> Vec<Candidate> {
    let mut c = db
        .candidates_in(&[dir], limit)
        .unwrap()
        .remove(dir)
        .unwrap_or_default();
    db.activity(&mut c, since).unwrap();
    c
}

pub(super) fn tokens(input: u64, output: u64, cache_read: u64) -> Tokens {
    Tokens {
        input,
        output,
        cache_read,
        ..Tokens::default()
    }
}

pub(super) fn done(t: i64, tk: Tokens) -> AssistantSpec {
    AssistantSpec {
        completed: Some(t + 500),
        finish: Some("stop".into()),
        tokens: tk,
        cost: 0.25,
        ..AssistantSpec::default()
    }
}

/// A finished two-round session: 2 assistant messages with 100+10 and 200+20 tokens.
pub(super) fn finished_session(fx: &mut Fixture, id: &str) -> String {
    let sid = session(fx, id, T0);
    fx.user_message(&sid, T0 + 1000).unwrap();
    let a = fx
        .assistant_message(&sid, T0 + 2000, done(T0 + 2000, tokens(100, 10, 5)))
        .unwrap();
    fx.text_part(&a, T0 + 2100, "first answer").unwrap();
    fx.user_message(&sid, T0 + 3000).unwrap();
    let b = fx
        .assistant_message(&sid, T0 + 4000, done(T0 + 4000, tokens(200, 20, 50)))
        .unwrap();
    fx.text_part(&b, T0 + 4100, "Working on it.\nAll tests pass.\n\n  ")
        .unwrap();
    fx.session_totals(&sid, tokens(300, 30, 55), 0.5).unwrap();
    fx.todo(&sid, 1, "second", "pending", "low").unwrap();
    fx.todo(&sid, 0, "first", "completed", "high").unwrap();
    sid
}

#[test]
fn finished_session_facts_in_both_schemas() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = finished_session(&mut fx, "ses_a");
        let mut db = Db::open(&path).unwrap();
        let f = db
            .session_facts(&[sid.clone(), "ses_missing".into()])
            .unwrap();
        assert_eq!(f.len(), 1, "{schema:?}: unknown ids are skipped");
        let f = &f[0];
        assert_eq!(f.title.as_deref(), Some("title of ses_a"));
        assert_eq!(f.model.as_deref(), Some("anthropic/claude-sonnet-4"));
        assert_eq!(f.agent.as_deref(), Some("build"));
        assert_eq!(f.message_count, 4);
        // Current: from the session row; old: summed over messages. Same numbers either way.
        assert_eq!(f.tokens, tokens(300, 30, 55), "{schema:?}");
        assert_eq!(f.cost, Some(0.5), "{schema:?}");
        assert_eq!(
            f.context_tokens,
            Some(250),
            "latest assistant input + cache.read"
        );
        assert_eq!(f.last_output.as_deref(), Some("All tests pass."));
        assert_eq!(f.round_started_at, Some(T0 + 3000));
        let last = f.last_message.as_ref().unwrap();
        assert_eq!(last.role, Role::Assistant);
        assert_eq!(last.completed_at, Some(T0 + 4500));
        assert_eq!(last.finish.as_deref(), Some("stop"));
        assert_eq!(last.part_count, 1);
        assert!(f.tools.is_empty());
        let todos: Vec<&str> = f.todos.iter().map(|t| t.content.as_str()).collect();
        assert_eq!(todos, ["first", "second"], "todos follow position");
        assert_eq!(f.last_activity_at, Some(T0 + 4500));
        assert_eq!(f.has_permission, Some(false));
        assert!(!f.is_subagent());
    }
}

#[test]
fn running_tools_question_and_subagent() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_p", T0);
        fx.user_message(&sid, T0 + 100).unwrap();
        let a = fx
            .assistant_message(&sid, T0 + 200, AssistantSpec::default())
            .unwrap();
        fx.text_part(&a, T0 + 210, "Let me check.").unwrap();
        let bash = |meta| ToolSpec {
            input: json!({"command": "cargo test\n--all", "description": "Run tests"}),
            metadata: meta,
            ..ToolSpec::default()
        };
        fx.tool_part(&a, T0 + 220, bash(Some(json!({"output": ""}))))
            .unwrap();
        fx.tool_part(&a, T0 + 230, bash(None)).unwrap();
        fx.tool_part(&a, T0 + 240, ToolSpec {
            tool: "question".into(),
            input: json!({"questions": [{"question": "Which db?", "header": "Database", "options": []}]}),
            ..ToolSpec::default()
        })
        .unwrap();
        let child = fx
            .session(SessionSpec {
                id: "ses_child".into(),
                title: "Explore (@explore subagent)".into(),
                directory: "/work/proj".into(),
                parent_id: Some(sid.clone()),
                permission: true,
                created: T0 + 260,
                ..SessionSpec::default()
            })
            .unwrap();
        fx.tool_part(&a, T0 + 250, ToolSpec {
            tool: "task".into(),
            title: Some("Explore the code".into()),
            input: json!({"description": "Explore the code", "prompt": "...", "subagent_type": "explore"}),
            metadata: Some(json!({"sessionId": child})),
            ..ToolSpec::default()
        })
        .unwrap();
        fx.tool_part(
            &a,
            T0 + 255,
            ToolSpec {
                tool: "read".into(),
                status: ToolStatus::Completed,
                input: json!({"filePath": "/x"}),
                ..ToolSpec::default()
            },
        )
        .unwrap();

        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        let last = f.last_message.as_ref().unwrap();
        assert_eq!(last.completed_at, None, "mid-turn");
        assert_eq!(last.part_count, 6);
        assert_eq!(f.context_tokens, None, "no tokens reported yet");
        let tools: Vec<_> = f
            .tools
            .iter()
            .map(|t| {
                (
                    t.tool.as_str(),
                    t.has_metadata,
                    t.input_summary.as_deref(),
                    t.child_session.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            tools,
            [
                ("bash", true, Some("cargo test"), None),
                ("bash", false, Some("cargo test"), None),
                ("question", false, Some("Database"), None),
                ("task", true, Some("Explore the code"), Some("ses_child")),
            ],
            "{schema:?}: completed tools are left out"
        );
        assert_eq!(f.tools[0].started_at, Some(T0 + 220));
        assert_eq!(f.tools[3].title.as_deref(), Some("Explore the code"));
        // The status line's read filters the parts in SQL; it must find the same tools.
        let state = &db
            .session_facts_to(std::slice::from_ref(&sid), Depth::State)
            .unwrap()[0];
        assert_eq!(state.tools, f.tools, "{schema:?}");

        let kids = db.children(std::slice::from_ref(&sid)).unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0].id, "ses_child");
        assert_eq!(kids[0].has_permission, Some(true));
        let cf = &db.session_facts(&["ses_child".into()]).unwrap()[0];
        assert!(cf.is_subagent());
    }
}

#[test]
fn candidates_filter_by_directory_and_count_recent_messages() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let a = finished_session(&mut fx, "ses_a");
        fx.session(SessionSpec {
            id: "ses_other".into(),
            directory: "/elsewhere".into(),
            created: T0,
            ..SessionSpec::default()
        })
        .unwrap();
        let b = session(&mut fx, "ses_b", T0 + 10);
        fx.conn()
            .execute(
                "UPDATE session SET time_updated = ?1 WHERE id = 'ses_b'",
                [T0 + 9999],
            )
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let c = candidates(&mut db, "/work/proj", T0 + 2500, 10);
        let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [b.as_str(), a.as_str()], "most recently updated first");
        assert_eq!(c[1].messages_since, 2);
        assert_eq!(c[1].last_message_at, Some(T0 + 4000));
        assert_eq!(c[0].messages_since, 0);
        assert_eq!(candidates(&mut db, "/work/proj", 0, 1).len(), 1);
        let one = db.candidate(&a, 0).unwrap().unwrap();
        assert_eq!(one.messages_since, 4);
        assert!(db.candidate("ses_nope", 0).unwrap().is_none());
    }
}

#[test]
fn old_schema_token_sum_follows_new_messages() {
    let (_d, path, mut fx) = new_db(Schema::Old);
    let sid = finished_session(&mut fx, "ses_a");
    let mut db = Db::open(&path).unwrap();
    assert_eq!(
        db.session_facts(std::slice::from_ref(&sid)).unwrap()[0]
            .tokens
            .output,
        30
    );
    let m = fx
        .assistant_message(&sid, T0 + 9000, AssistantSpec::default())
        .unwrap();
    fx.update_assistant(&m, done(T0 + 9000, tokens(1, 7, 0)))
        .unwrap();
    let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
    assert_eq!(
        f.tokens.output, 37,
        "the cached sum is refreshed when the latest message changes"
    );
    assert_eq!(f.context_tokens, Some(1));
}

#[test]
fn missing_columns_and_tables_degrade_one_field() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = finished_session(&mut fx, "ses_a");
        let mut db = Db::open(&path).unwrap();
        assert_eq!(
            db.session_facts(std::slice::from_ref(&sid)).unwrap()[0].has_permission,
            Some(false)
        );
        // Changed while otop runs: the cached queries fail with "no such column" and are rebuilt.
        fx.conn()
            .execute_batch("ALTER TABLE session DROP COLUMN permission; ALTER TABLE session DROP COLUMN title; DROP TABLE todo;")
            .unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(f.has_permission, None, "{schema:?}");
        assert_eq!(f.title, None);
        assert!(f.todos.is_empty());
        assert_eq!(
            f.last_output.as_deref(),
            Some("All tests pass."),
            "the rest still reads"
        );
        assert_eq!(
            candidates(&mut db, "/work/proj", 0, 5)[0].has_permission,
            None
        );
        fx.conn().execute_batch("DROP TABLE part;").unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(f.last_output, None);
        assert_eq!(f.message_count, 4);
    }
}

#[test]
fn malformed_json_and_nulls_leave_fields_empty() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_bad", T0);
        fx.user_message(&sid, T0 + 1).unwrap();
        let ok = fx
            .assistant_message(&sid, T0 + 2, done(T0 + 2, tokens(40, 4, 0)))
            .unwrap();
        fx.text_part(&ok, T0 + 3, "good line").unwrap();
        fx.part_json(&ok, T0 + 4, "{\"type\":\"text\",\"text\":")
            .unwrap();
        fx.message_json(&sid, T0 + 5, T0 + 5, r#"{"role":"assistant","tokens":null,"time":null,"modelID":null,"error":{"name":null}}"#)
            .unwrap();
        fx.message_json(&sid, T0 + 6, T0 + 6, "not json at all {")
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        let last = f.last_message.as_ref().unwrap();
        assert_eq!(last.role, Role::Other, "{schema:?}");
        assert_eq!(last.created_at, Some(T0 + 6), "row time still known");
        assert_eq!(f.context_tokens, Some(40));
        assert_eq!(f.last_output.as_deref(), Some("good line"));
        assert_eq!(f.model.as_deref(), Some("anthropic/claude-sonnet-4"));
        assert_eq!(f.message_count, 4);
        let h = db.history(&sid, 10).unwrap();
        assert_eq!(h.len(), 4);
        db.totals(0).unwrap();
    }
}

#[test]
fn ten_megabyte_text_part_gives_a_short_last_line() {
    let (_d, path, mut fx) = new_db(Schema::Current);
    let sid = session(&mut fx, "ses_big", T0);
    let a = fx
        .assistant_message(&sid, T0 + 1, done(T0 + 1, tokens(1, 1, 0)))
        .unwrap();
    let mut big = "x".repeat(10 * 1024 * 1024);
    big.push_str("\nthe end\n");
    fx.text_part(&a, T0 + 2, &big).unwrap();
    let b = fx
        .assistant_message(&sid, T0 + 3, done(T0 + 3, tokens(1, 1, 0)))
        .unwrap();
    fx.text_part(&b, T0 + 4, &"y".repeat(10 * 1024 * 1024))
        .unwrap();
    let mut db = Db::open(&path).unwrap();
    let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
    let out = f.last_output.as_deref().unwrap();
    assert!(
        out.starts_with("yyy") && out.chars().count() <= 301,
        "cut, len {}",
        out.len()
    );
    let h = db.history(&sid, 5).unwrap();
    assert!(h.iter().all(|i| i.text.len() < 2000));
}

fn totals_now(path: &Path, midnight: i64) -> TotalsPair {
    Db::open(path).unwrap().totals(midnight).unwrap()
}

#[test]
fn incremental_totals_match_a_fresh_count() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let a = finished_session(&mut fx, "ses_a");
        let mid = T0 + 3500;
        let mut db = Db::open(&path).unwrap();
        let t1 = db.totals(mid).unwrap();
        assert_eq!(t1.all_time.sessions, 1);
        assert_eq!(t1.all_time.messages, 4);
        assert_eq!(t1.all_time.context_tokens, 355);
        assert_eq!(t1.all_time.output_tokens, 30);
        assert_eq!((t1.today.messages, t1.today.output_tokens), (1, 20));
        // What opencode priced the replies (0.25 each), in whole millionths.
        assert_eq!(
            (t1.all_time.cost_micros, t1.today.cost_micros),
            (500_000, 250_000)
        );
        // An open message whose tokens arrive later, a new session, a subagent (not counted).
        let open = fx
            .assistant_message(&a, T0 + 5000, AssistantSpec::default())
            .unwrap();
        assert_eq!(db.totals(mid).unwrap().all_time.messages, 5);
        fx.update_assistant(&open, done(T0 + 5000, tokens(1000, 100, 0)))
            .unwrap();
        let b = session(&mut fx, "ses_b", T0 + 6000);
        fx.user_message(&b, T0 + 6001).unwrap();
        fx.session(SessionSpec {
            id: "ses_k".into(),
            parent_id: Some(b.clone()),
            created: T0 + 6002,
            ..SessionSpec::default()
        })
        .unwrap();
        let inc = db.totals(mid).unwrap();
        assert_eq!(inc, totals_now(&path, mid), "{schema:?}");
        assert_eq!(inc.all_time.output_tokens, 130);
        assert_eq!(
            inc.all_time.cost_micros, 750_000,
            "priced when it completed"
        );
        assert_eq!(inc.all_time.sessions, 2);
        assert_eq!(inc.today.sessions, 1);
        // A new day restarts today's counts.
        let later = db.totals(T0 + 5500).unwrap();
        assert_eq!(later, totals_now(&path, T0 + 5500));
        assert_eq!(later.today.messages, 1);
        // Deleting rows (a revert) is noticed.
        fx.conn()
            .execute("DELETE FROM message WHERE session_id = ?1", [&b])
            .unwrap();
        assert_eq!(db.totals(mid).unwrap(), totals_now(&path, mid));
    }
}

#[test]
fn history_is_oldest_first_with_text_and_tools() {
    let (_d, path, mut fx) = new_db(Schema::Current);
    let sid = finished_session(&mut fx, "ses_a");
    let m = fx
        .assistant_message(&sid, T0 + 8000, AssistantSpec::default())
        .unwrap();
    fx.tool_part(
        &m,
        T0 + 8001,
        ToolSpec {
            input: json!({"command": "ls"}),
            ..ToolSpec::default()
        },
    )
    .unwrap();
    let mut db = Db::open(&path).unwrap();
    let h = db.history(&sid, 3).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].role, Role::User);
    assert_eq!(h[1].text, "Working on it.\nAll tests pass.");
    assert_eq!(h[1].tokens.input, 200);
    assert_eq!(
        h[2].tools,
        [(
            "bash".to_string(),
            Some("ls".to_string()),
            ToolStatus::Running
        )]
    );
}

/// Issue 28: a reply whose text streams (opencode 1.18 stores the text part empty, with
/// `time.start` and no `time.end`, until it ends) reads as writing, not as an empty LAST or as
/// the text before it; once ended, its last line.
#[test]
fn a_streaming_reply_says_it_is_writing() {
    for schema in BOTH {
        let (_d, path, mut fx) = new_db(schema);
        let sid = session(&mut fx, "ses_stream", T0);
        fx.user_message(&sid, T0 + 1).unwrap();
        let m = fx
            .assistant_message(&sid, T0 + 2, AssistantSpec::default())
            .unwrap();
        fx.text_part(&m, T0 + 3, "Looking at the parser first.")
            .unwrap();
        let streaming = fx
            .part_json(
                &m,
                T0 + 4,
                &format!(
                    r#"{{"type":"text","text":"","time":{{"start":{}}}}}"#,
                    T0 + 4
                ),
            )
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(
            f.last_output.as_deref(),
            Some(super::facts::STREAMING),
            "{schema:?}"
        );
        fx.conn()
            .execute(
                "UPDATE part SET data = ?1 WHERE id = ?2",
                rusqlite::params![
                    format!(
                        r#"{{"type":"text","text":"word1 word2\nthe end","time":{{"start":{},"end":{}}}}}"#,
                        T0 + 4,
                        T0 + 9
                    ),
                    streaming
                ],
            )
            .unwrap();
        let mut db = Db::open(&path).unwrap();
        let f = &db.session_facts(std::slice::from_ref(&sid)).unwrap()[0];
        assert_eq!(f.last_output.as_deref(), Some("the end"));
    }
}
