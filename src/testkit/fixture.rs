//! Builds realistic opencode databases for tests and benchmarks, from the DDL opencode itself
//! created (`tests/fixtures/schema/`) and with `data` JSON shaped as opencode writes it.
//! Not part of otop's interface.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use crate::source::db::types::{Tokens, ToolStatus};

pub mod bulk;

const DDL_CURRENT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/schema/opencode-1.18.33.sql"
));
const DDL_OLD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/schema/opencode-1.2.27.sql"
));

/// Which opencode schema to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// opencode 1.18.33: session carries cost, tokens_*, agent, model.
    Current,
    /// opencode 1.2.27: no totals on the session row.
    Old,
}

impl Schema {
    pub fn ddl(self) -> &'static str {
        match self {
            Schema::Current => DDL_CURRENT,
            Schema::Old => DDL_OLD,
        }
    }
    fn version(self) -> &'static str {
        match self {
            Schema::Current => "1.18.33",
            Schema::Old => "1.2.27",
        }
    }
}

/// The inserts both [`Fixture`] and [`bulk`] write rows with: opencode's columns. A project is
/// (id, worktree, sandboxes as JSON); every database has `global`, where opencode files
/// directories outside a git repository with a commit.
const INSERT_PROJECT: &str = "INSERT INTO project (id, worktree, vcs, time_created, \
     time_updated, sandboxes) VALUES (?1, ?2, 'git', 0, 0, ?3)";
const GLOBAL_PROJECT: [&str; 3] = ["global", "/", "[]"];
const INSERT_SESSION: &str = "INSERT INTO session (id, project_id, parent_id, slug, directory, \
     title, version, permission, time_created, time_updated, time_compacting) \
     VALUES (?1, ?11, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const INSERT_MESSAGE: &str = "INSERT INTO message (id, session_id, time_created, time_updated, \
     data) VALUES (?1, ?2, ?3, ?4, ?5)";
const INSERT_PART: &str = "INSERT INTO part (id, message_id, session_id, time_created, \
     time_updated, data) VALUES (?1, ?2, ?3, ?4, ?4, ?5)";
const INSERT_TODO: &str = "INSERT INTO todo (session_id, content, status, priority, position, \
     time_created, time_updated) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)";

/// An id like opencode's: prefix, 12 hex digits growing with time (falling, for sessions that
/// sort newest first: `descending`), then a unique tail from `seq`, which it advances.
fn next_id(seq: &mut u64, prefix: &str, t: i64, descending: bool) -> String {
    *seq += 1;
    let v =
        (u64::try_from(t).unwrap_or(0).wrapping_mul(0x1000) + (*seq & 0xfff)) & 0xffff_ffff_ffff;
    let v = if descending { !v & 0xffff_ffff_ffff } else { v };
    format!("{prefix}_{v:012x}{:014}", *seq)
}

/// The session row of `s` under `id`, with a prepared [`INSERT_SESSION`].
fn insert_session(
    insert: &mut rusqlite::Statement<'_>,
    id: &str,
    s: &SessionSpec,
    slug: &str,
    version: &str,
) -> rusqlite::Result<()> {
    let updated = if s.updated == 0 { s.created } else { s.updated };
    insert.execute(params![
        id,
        s.parent_id,
        slug,
        s.directory,
        s.title,
        version,
        s.permission.then_some(RUN_PERMISSION),
        s.created,
        updated,
        s.compacting,
        s.project.as_deref().unwrap_or("global")
    ])?;
    Ok(())
}

/// The permission rules `opencode run` stores on its sessions.
pub const RUN_PERMISSION: &str = r#"[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]"#;

#[derive(Debug, Clone, Default)]
pub struct SessionSpec {
    /// Empty: generate an opencode-style id.
    pub id: String,
    pub title: String,
    pub directory: String,
    pub parent_id: Option<String>,
    /// Store `opencode run`'s permission rules (also set on subagent sessions).
    pub permission: bool,
    pub created: i64,
    /// 0: same as `created`.
    pub updated: i64,
    pub compacting: Option<i64>,
    /// `(providerID, modelID)` for the session's `model` column (current schema only).
    pub model: Option<(String, String)>,
    pub agent: Option<String>,
    /// The project's id (see [`Fixture::project`]); None: `global`.
    pub project: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AssistantSpec {
    pub completed: Option<i64>,
    pub finish: Option<String>,
    /// `(error.name, error.data.message)`.
    pub error: Option<(String, String)>,
    pub tokens: Tokens,
    pub cost: f64,
    /// `(providerID, modelID)`.
    pub model: (String, String),
    pub agent: String,
}

impl Default for AssistantSpec {
    fn default() -> Self {
        AssistantSpec {
            completed: None,
            finish: None,
            error: None,
            tokens: Tokens::default(),
            cost: 0.0,
            model: ("anthropic".into(), "claude-sonnet-4".into()),
            agent: "build".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ToolSpec {
    pub tool: String,
    pub status: ToolStatus,
    pub title: Option<String>,
    /// `state.metadata`; None leaves it out (a running tool waiting for permission).
    pub metadata: Option<Value>,
    pub input: Value,
    /// `state.output` of a completed tool, `state.error` of a failed one.
    pub output: String,
}

impl Default for ToolSpec {
    fn default() -> Self {
        ToolSpec {
            tool: "bash".into(),
            status: ToolStatus::Running,
            title: None,
            metadata: None,
            input: json!({}),
            output: String::new(),
        }
    }
}

/// A writer on a fixture database. Every insert is committed at once, like opencode's.
pub struct Fixture {
    conn: Connection,
    schema: Schema,
    seq: u64,
}

impl Fixture {
    /// Creates a new database at `path` in WAL mode, with opencode's DDL and a `global` project.
    pub fn create(path: &Path, schema: Schema) -> rusqlite::Result<Fixture> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(schema.ddl())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute(INSERT_PROJECT, GLOBAL_PROJECT)?;
        Ok(Fixture {
            conn,
            schema,
            seq: 0,
        })
    }

    /// Opens an existing fixture database to add rows.
    pub fn open(path: &Path, schema: Schema) -> rusqlite::Result<Fixture> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Fixture {
            conn,
            schema,
            seq: 1 << 20,
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn schema(&self) -> Schema {
        self.schema
    }

    fn id(&mut self, prefix: &str, t: i64, descending: bool) -> String {
        next_id(&mut self.seq, prefix, t, descending)
    }

    pub fn session(&mut self, spec: SessionSpec) -> rusqlite::Result<String> {
        let id = if spec.id.is_empty() {
            self.id("ses", spec.created, true)
        } else {
            spec.id.clone()
        };
        let slug = format!("fixture-{}", self.seq);
        insert_session(
            &mut self.conn.prepare(INSERT_SESSION)?,
            &id,
            &spec,
            &slug,
            self.schema.version(),
        )?;
        if self.schema == Schema::Current {
            let model = spec
                .model
                .map(|(p, m)| json!({"id": m, "providerID": p, "variant": "default"}).to_string());
            self.conn.execute(
                "UPDATE session SET agent = ?2, model = ?3 WHERE id = ?1",
                params![id, spec.agent, model],
            )?;
        }
        Ok(id)
    }

    /// Sets the running totals opencode keeps on the session row (current schema only).
    pub fn session_totals(&mut self, sid: &str, t: Tokens, cost: f64) -> rusqlite::Result<()> {
        if self.schema == Schema::Old {
            return Ok(());
        }
        self.conn.execute(
            "UPDATE session SET tokens_input = ?2, tokens_output = ?3, tokens_reasoning = ?4, \
             tokens_cache_read = ?5, tokens_cache_write = ?6, cost = ?7 WHERE id = ?1",
            params![
                sid,
                t.input as i64,
                t.output as i64,
                t.reasoning as i64,
                t.cache_read as i64,
                t.cache_write as i64,
                cost
            ],
        )?;
        Ok(())
    }

    /// A user prompt with its text part, as the TUI writes it.
    pub fn user_message(&mut self, sid: &str, t: i64) -> rusqlite::Result<String> {
        let data = json!({
            "role": "user",
            "time": {"created": t},
            "agent": "build",
            "model": {"providerID": "anthropic", "modelID": "claude-sonnet-4"},
            "summary": {"diffs": []},
        });
        let id = self.message_json(sid, t, t, &data.to_string())?;
        self.text_part(&id, t, "do the thing")?;
        Ok(id)
    }

    pub fn assistant_message(
        &mut self,
        sid: &str,
        t: i64,
        spec: AssistantSpec,
    ) -> rusqlite::Result<String> {
        let parent: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM message WHERE session_id = ?1 AND json_extract(data, '$.role') = 'user' \
                 ORDER BY time_created DESC, id DESC LIMIT 1",
                [sid],
                |r| r.get(0),
            )
            .optional()?;
        let data = assistant_json(sid, t, parent.as_deref(), &spec);
        let updated = spec.completed.unwrap_or(t);
        self.message_json(sid, t, updated, &data.to_string())
    }

    /// Rewrites an assistant message, as opencode does when a step finishes.
    pub fn update_assistant(&mut self, msg: &str, spec: AssistantSpec) -> rusqlite::Result<()> {
        let (sid, t, parent): (String, i64, Option<String>) = self.conn.query_row(
            "SELECT session_id, time_created, json_extract(data, '$.parentID') FROM message WHERE id = ?1",
            [msg],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let data = assistant_json(&sid, t, parent.as_deref(), &spec);
        self.conn.execute(
            "UPDATE message SET data = ?2, time_updated = ?3 WHERE id = ?1",
            params![msg, data.to_string(), spec.completed.unwrap_or(t)],
        )?;
        Ok(())
    }

    /// A message row with arbitrary `data` (malformed JSON included).
    pub fn message_json(
        &mut self,
        sid: &str,
        t: i64,
        updated: i64,
        data: &str,
    ) -> rusqlite::Result<String> {
        let id = self.id("msg", t, false);
        self.conn
            .execute(INSERT_MESSAGE, params![id, sid, t, updated, data])?;
        // opencode moves the session's `time_updated` to at least every new message's creation
        // (seen from 1.2 to 1.18; `Db::activity` relies on it).
        self.conn.execute(
            "UPDATE session SET time_updated = max(coalesce(time_updated, 0), ?2) WHERE id = ?1",
            params![sid, t],
        )?;
        Ok(id)
    }

    pub fn text_part(&mut self, msg: &str, t: i64, text: &str) -> rusqlite::Result<String> {
        let data = json!({"type": "text", "text": text, "time": {"start": t, "end": t}});
        self.part_json(msg, t, &data.to_string())
    }

    pub fn tool_part(&mut self, msg: &str, t: i64, spec: ToolSpec) -> rusqlite::Result<String> {
        let mut state = match spec.status {
            ToolStatus::Pending => json!({"status": "pending", "input": spec.input, "raw": ""}),
            ToolStatus::Running => {
                json!({"status": "running", "input": spec.input, "time": {"start": t}})
            }
            ToolStatus::Completed => json!({"status": "completed", "input": spec.input,
                "output": spec.output, "title": spec.title.clone().unwrap_or_default(),
                "metadata": spec.metadata.clone().unwrap_or(json!({})), "time": {"start": t, "end": t + 1}}),
            ToolStatus::Error => json!({"status": "error", "input": spec.input,
                "error": spec.output, "time": {"start": t, "end": t + 1}}),
        };
        if matches!(spec.status, ToolStatus::Running | ToolStatus::Error) {
            if let Some(title) = &spec.title {
                state["title"] = json!(title);
            }
            if let Some(m) = &spec.metadata {
                state["metadata"] = m.clone();
            }
        }
        self.seq += 1;
        let data = json!({"type": "tool", "tool": spec.tool, "callID": format!("call_{}", self.seq), "state": state});
        self.part_json(msg, t, &data.to_string())
    }

    /// A part row with arbitrary `data`.
    pub fn part_json(&mut self, msg: &str, t: i64, data: &str) -> rusqlite::Result<String> {
        let sid: String =
            self.conn
                .query_row("SELECT session_id FROM message WHERE id = ?1", [msg], |r| {
                    r.get(0)
                })?;
        let id = self.id("prt", t, false);
        self.conn
            .execute(INSERT_PART, params![id, msg, sid, t, data])?;
        Ok(id)
    }

    pub fn todo(
        &mut self,
        sid: &str,
        position: i64,
        content: &str,
        status: &str,
        priority: &str,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            INSERT_TODO,
            params![sid, content, status, priority, position],
        )?;
        Ok(())
    }
}

fn assistant_json(sid: &str, t: i64, parent: Option<&str>, s: &AssistantSpec) -> Value {
    let tk = &s.tokens;
    let mut time = json!({"created": t});
    if let Some(c) = s.completed {
        time["completed"] = json!(c);
    }
    let mut v = json!({
        "parentID": parent.unwrap_or(""),
        "role": "assistant",
        "mode": s.agent,
        "agent": s.agent,
        "path": {"cwd": format!("/work/{sid}"), "root": format!("/work/{sid}")},
        "cost": s.cost,
        "tokens": {"total": tk.input + tk.output + tk.reasoning + tk.cache_read + tk.cache_write,
            "input": tk.input, "output": tk.output, "reasoning": tk.reasoning,
            "cache": {"write": tk.cache_write, "read": tk.cache_read}},
        "modelID": s.model.1,
        "providerID": s.model.0,
        "time": time,
    });
    if let Some(f) = &s.finish {
        v["finish"] = json!(f);
    }
    if let Some((name, message)) = &s.error {
        v["error"] = json!({"name": name, "data": {"message": message}});
    }
    v
}
