//! Per-session reads: facts for the monitor rows and history for the detail view.
//! Every query goes through a session or message index, newest first with a LIMIT, so the cost
//! follows the number of sessions asked for, not the length of their history.

use super::Db;
use super::cell::{self, int, lossy};
use super::history::WindowMsg;
use super::json::{MsgData, PartData, cut, cut_chars, last_line};
use super::types::{
    Depth, HistoryItem, MessageFacts, Role, SessionFacts, Todo, Tokens, ToolFacts, ToolStatus,
};

/// Latest messages looked at per session: enough to find the model, the latest assistant
/// message with tokens and usually the latest user message.
const WINDOW: i64 = 20;
/// Latest assistant messages searched for the last line of output.
const OUTPUT_MESSAGES: usize = 3;

/// LAST while a reply streams: opencode 1 stores its words only when the reply ends.
pub const STREAMING: &str = "writing its reply… (opencode stores the words when it ends)";
/// [`Depth::State`]'s window: a prompt and its first steps; a longer round falls back to the
/// `latest_user` query as the full window does.
const STATE_WINDOW: i64 = 5;
/// Characters of text kept per history item.
const HISTORY_TEXT: usize = 400;

struct Msg {
    id: String,
    created: Option<i64>,
    updated: Option<i64>,
    data: MsgData,
}

impl Db {
    /// Runs `f` inside BEGIN … COMMIT so its reads see one snapshot, and always ends it;
    /// inside a transaction already (see [`Db::one_snapshot`]), within that one.
    pub(crate) fn in_tx<T>(
        &mut self,
        f: impl FnOnce(&mut Db) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn.execute_batch("BEGIN")?;
        let r = f(self);
        let end = self
            .conn
            .execute_batch(if r.is_ok() { "COMMIT" } else { "ROLLBACK" });
        if !self.conn.is_autocommit() {
            // Never leave a snapshot open: it would pin opencode's WAL.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let v = r?;
        end?;
        Ok(v)
    }

    pub(crate) fn read_facts(
        &mut self,
        ids: &[String],
        depth: Depth,
    ) -> rusqlite::Result<Vec<SessionFacts>> {
        self.in_tx(|db| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(f) = db.one_session(id, depth)? {
                    out.push(f);
                }
            }
            Ok(out)
        })
    }

    fn one_session(&mut self, id: &str, depth: Depth) -> rusqlite::Result<Option<SessionFacts>> {
        let row = {
            let mut stmt = self.conn.prepare_cached(&self.q.session_row)?;
            let r = stmt.query_row([id], |r| {
                let f = SessionFacts {
                    id: cell::key(r, 0)?,
                    title: lossy(r, 1)?,
                    directory: lossy(r, 2)?,
                    parent_id: lossy(r, 3)?,
                    project_id: lossy(r, 4)?,
                    created_at: int(r, 5)?,
                    updated_at: int(r, 6)?,
                    compacting_at: int(r, 7)?,
                    archived_at: int(r, 8)?,
                    has_permission: int(r, 9)?.map(|n| n != 0),
                    cost: cell::real(r, 10)?,
                    ..SessionFacts::default()
                };
                let col_tokens = match (
                    int(r, 11)?,
                    int(r, 12)?,
                    int(r, 13)?,
                    int(r, 14)?,
                    int(r, 15)?,
                ) {
                    (Some(i), Some(o), Some(re), Some(cr), Some(cw)) => Some(Tokens {
                        input: nonneg(i),
                        output: nonneg(o),
                        reasoning: nonneg(re),
                        cache_read: nonneg(cr),
                        cache_write: nonneg(cw),
                    }),
                    _ => None,
                };
                let agent = lossy(r, 16)?;
                let model = lossy(r, 17)?;
                Ok((f, col_tokens, agent, model))
            });
            self.keep_one(r)?
        };
        let Some((mut f, col_tokens, session_agent, session_model)) = row else {
            return Ok(None);
        };
        f.last_activity_at = f.updated_at;
        if self.cols.messages_ok() {
            self.fill_messages(&mut f, col_tokens, depth)?;
        }
        if f.model.is_none() {
            f.model = session_model.as_deref().and_then(session_model_name);
        }
        if f.agent.is_none() {
            f.agent = session_agent;
        }
        if self.cols.todos_ok() && depth == Depth::Full {
            let mut stmt = self.conn.prepare_cached(&self.q.todos)?;
            let rows = stmt.query_map([id], |r| {
                Ok(Todo {
                    content: lossy(r, 0)?.unwrap_or_default(),
                    status: lossy(r, 1)?.unwrap_or_default(),
                    priority: lossy(r, 2)?.unwrap_or_default(),
                })
            })?;
            f.todos = self.keep(rows)?;
        }
        Ok(Some(f))
    }

    fn latest_messages(&self, sid: &str, limit: i64) -> rusqlite::Result<Vec<Msg>> {
        let mut stmt = self.conn.prepare_cached(&self.q.latest_messages)?;
        let rows = stmt.query_map(rusqlite::params![sid, limit], |r| {
            Ok(Msg {
                id: cell::key(r, 0)?,
                created: int(r, 1)?,
                updated: int(r, 2)?,
                data: MsgData::parse(cell::json(r, 3)?),
            })
        })?;
        self.keep(rows)
    }

    fn fill_messages(
        &mut self,
        f: &mut SessionFacts,
        col_tokens: Option<Tokens>,
        depth: Depth,
    ) -> rusqlite::Result<()> {
        let sid = f.id.clone();
        let full = depth == Depth::Full;
        let window = if full { WINDOW } else { STATE_WINDOW };
        let msgs = self.latest_messages(&sid, window)?;
        if full {
            let win: Vec<WindowMsg> = msgs
                .iter()
                .map(|m| WindowMsg {
                    id: m.id.clone(),
                    created: m.created,
                    updated: m.updated,
                })
                .collect();
            let (count, sums) = self.history_totals(&sid, &win, col_tokens.is_none())?;
            f.message_count = count;
            match (col_tokens, sums) {
                (Some(t), _) => f.tokens = t,
                (None, Some(s)) => {
                    f.tokens = s.tokens();
                    f.cost = f.cost.or(s.cost());
                }
                (None, None) => {}
            }
        }
        for m in &msgs {
            if f.model.is_none() {
                f.model = m.data.model_name();
            }
            if f.agent.is_none() {
                f.agent = m.data.agent_name();
            }
            if f.context_tokens.is_none() && m.data.role() == Role::Assistant {
                f.context_tokens = m
                    .data
                    .tokens()
                    .filter(|t| t.input > 0 || t.output > 0 || t.cache_read > 0)
                    .map(|t| t.context());
            }
            if f.round_started_at.is_none() && m.data.role() == Role::User {
                f.round_started_at = m.created.or(m.data.created_at());
            }
        }
        if f.round_started_at.is_none() && msgs.len() as i64 == window {
            // A long autonomous round: walk further back through the index.
            let mut stmt = self.conn.prepare_cached(&self.q.latest_user)?;
            f.round_started_at = self
                .keep_one(stmt.query_row([&sid], |r| int(r, 0)))?
                .flatten();
        }
        if !full && let Some(t) = col_tokens {
            f.tokens = t;
        }
        if let Some(m) = msgs.first() {
            let (count, part_updated) = if self.cols.parts_ok() {
                let mut stmt = self.conn.prepare_cached(&self.q.part_stats)?;
                let r = stmt.query_row([&m.id], |r| Ok((int(r, 0)?.unwrap_or(0), int(r, 1)?)));
                self.keep_one(r)?.unwrap_or_default()
            } else {
                (0, None)
            };
            f.last_activity_at = [f.last_activity_at, m.updated, m.created, part_updated]
                .into_iter()
                .flatten()
                .max();
            f.last_message = Some(MessageFacts {
                id: m.id.clone(),
                role: m.data.role(),
                created_at: m.created.or(m.data.created_at()),
                completed_at: m.data.completed_at(),
                finish: m.data.finish.clone(),
                error: m.data.error_name(),
                error_message: m.data.error_message(),
                part_count: u32::try_from(count.max(0)).unwrap_or(u32::MAX),
                updated_at: m.updated,
            });
        }
        if self.cols.parts_ok() && !full {
            if let Some(m) = msgs.iter().find(|m| m.data.role() == Role::Assistant) {
                let parts = self.parts_with(&self.q.open_tools_of, &m.id)?;
                f.tools = parts.iter().filter_map(unfinished_tool).collect();
            }
        } else if self.cols.parts_ok() {
            let assistants: Vec<&Msg> = msgs
                .iter()
                .filter(|m| m.data.role() == Role::Assistant)
                .take(OUTPUT_MESSAGES)
                .collect();
            for (i, m) in assistants.iter().enumerate() {
                let parts = self.parts_of(&m.id)?;
                if i == 0 {
                    f.tools = parts.iter().filter_map(unfinished_tool).collect();
                    // Its latest text still streaming: its words are not stored yet, and the
                    // text before them is older than what the TUI shows.
                    let latest_text = parts
                        .iter()
                        .rev()
                        .map(|p| &p.data)
                        .find(|p| p.is_text() && p.synthetic != Some(true));
                    if latest_text.is_some_and(PartData::is_streaming_text) {
                        f.last_output = Some(STREAMING.to_string());
                        break;
                    }
                }
                if f.last_output.is_none() {
                    f.last_output = parts
                        .iter()
                        .rev()
                        .map(|p| &p.data)
                        .filter(|p| p.is_text() && p.synthetic != Some(true))
                        .find_map(|p| p.text.as_deref().and_then(last_line));
                }
                if f.last_output.is_some() {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Parts of one message in order, with their creation time.
    fn parts_of(&self, msg_id: &str) -> rusqlite::Result<Vec<Part>> {
        self.parts_with(&self.q.parts_of, msg_id)
    }

    /// Parts of one message read by `sql` (`parts_of` or a filtered variant of it).
    fn parts_with(&self, sql: &str, msg_id: &str) -> rusqlite::Result<Vec<Part>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([msg_id], |r| {
            Ok(Part {
                id: cell::key(r, 0)?,
                created: int(r, 1)?,
                data: PartData::parse(cell::json(r, 3)?),
            })
        })?;
        self.keep(rows)
    }

    pub(crate) fn read_history(
        &mut self,
        sid: &str,
        limit: usize,
    ) -> rusqlite::Result<Vec<HistoryItem>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.in_tx(|db| {
            if !db.cols.messages_ok() {
                return Ok(Vec::new());
            }
            let mut msgs = db.latest_messages(sid, limit)?;
            msgs.reverse();
            let mut out = Vec::with_capacity(msgs.len());
            for m in msgs {
                let parts = if db.cols.parts_ok() {
                    db.parts_of(&m.id)?
                } else {
                    Vec::new()
                };
                let text: Vec<&str> = parts
                    .iter()
                    .map(|p| &p.data)
                    .filter(|p| p.is_text() && p.synthetic != Some(true))
                    .filter_map(|p| p.text.as_deref())
                    .collect();
                let tools = parts
                    .iter()
                    .map(|p| &p.data)
                    .filter(|p| p.is_tool())
                    .map(|p| {
                        let title = p
                            .state
                            .as_ref()
                            .and_then(|s| s.title.as_deref())
                            .filter(|t| !t.is_empty())
                            .map(cut)
                            .or_else(|| p.input_summary());
                        let status = p.tool_status().unwrap_or(ToolStatus::Pending);
                        (p.tool.clone().unwrap_or_default(), title, status)
                    })
                    .collect();
                out.push(HistoryItem {
                    role: m.data.role(),
                    created_at: m.created.or(m.data.created_at()),
                    completed_at: m.data.completed_at(),
                    agent: m.data.agent_name(),
                    model: m.data.model_name(),
                    tokens: m.data.tokens().unwrap_or_default(),
                    finish: m.data.finish.clone(),
                    error: m.data.error_name(),
                    text: cut_chars(text.join("\n").trim(), HISTORY_TEXT),
                    tools,
                    id: m.id,
                });
            }
            Ok(out)
        })
    }
}

/// One row of `part`: its id, creation time and data.
struct Part {
    id: String,
    created: Option<i64>,
    data: PartData,
}

fn unfinished_tool(part: &Part) -> Option<ToolFacts> {
    let p = &part.data;
    if !p.is_tool() {
        return None;
    }
    let status = p.tool_status()?;
    if !matches!(status, ToolStatus::Pending | ToolStatus::Running) {
        return None;
    }
    Some(ToolFacts {
        tool: p.tool.clone().unwrap_or_default(),
        title: p
            .state
            .as_ref()
            .and_then(|s| s.title.as_deref())
            .filter(|t| !t.is_empty())
            .map(cut),
        status,
        started_at: p.started_at().or(part.created),
        has_metadata: p.has_metadata(),
        child_session: p.child_session(),
        input_summary: p.input_summary(),
        part_id: part.id.clone(),
        command: p.command(),
        questions: p.questions(),
    })
}

/// `session.model` is JSON `{id, providerID, variant}`.
pub(crate) fn session_model_name(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let p = v.get("providerID")?.as_str()?;
    let m = v.get("id").or_else(|| v.get("modelID"))?.as_str()?;
    Some(format!("{p}/{m}"))
}

fn nonneg(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
