//! What a session's day is built from (#30): its messages' times and how they ended, and its
//! `question` parts' runs, from the turn running at the window's start on.
//!
//! Read incrementally for a view that asks every refresh: messages before the newest one read
//! never change (opencode rewrites only the message it is writing, the newest, and deletes only
//! a suffix on revert, which removes that newest one too), so the next refresh reads from it on
//! and keeps what came before; a revert (the newest read is gone) reads the window again.

use std::collections::HashMap;

use super::cell::{self, numeric};
use super::schema::Columns;
use super::types::{DayFacts, DayMessage, QuestionTime, SessionName, Tokens};
use super::{Db, DbError, lossy, to_json};

/// Messages created before the window's start, one after the other, that end the walk back from
/// the message table's end: processes writing at once insert slightly out of order.
const OLDER_IN_A_ROW: usize = 64;

/// SQL text of the day's reads (empty where the schema has no message table: nothing is read).
#[derive(Debug, Default, Clone)]
pub(crate) struct DayQueries {
    /// A session's messages from (`?2` time, `?3` id) on, oldest first.
    messages: String,
    /// The latest user message of session `?1` created before `?2`: the turn running then.
    turn_at: String,
    /// The `question` tool parts of the messages in the JSON array `?1`.
    questions: String,
    /// Every message's session and time, newest row first.
    tail: String,
    /// Sessions' titles, directories and parents, for the ids in the JSON array `?1`.
    names: String,
}

impl DayQueries {
    pub(crate) fn build(c: &Columns) -> DayQueries {
        if !c.messages_ok() {
            return DayQueries::default();
        }
        let j = |path: &str| format!("json_extract(m.data, '{path}')");
        let tokens = ["input", "output", "reasoning", "cache.read", "cache.write"]
            .map(|t| j(&format!("$.tokens.{t}")))
            .join(", ");
        let messages = format!(
            "SELECT m.id, m.time_created, {updated}, {role}, {completed}, {error}, {cost}, {tokens} \
             FROM message m WHERE m.session_id = ?1 AND (m.time_created, m.id) >= (?2, ?3) \
             AND typeof(m.time_created) IN ('integer', 'real') AND json_valid(m.data) \
             ORDER BY m.time_created, m.id",
            updated = c.col("m", "message", "time_updated"),
            role = j("$.role"),
            completed = j("$.time.completed"),
            error = j("$.error.name"),
            cost = j("$.cost"),
        );
        let questions = if c.parts_ok() {
            "SELECT p.message_id, json_extract(p.data, '$.state.time.start'), \
             json_extract(p.data, '$.state.time.end'), json_extract(p.data, '$.state.status') \
             FROM part p WHERE p.message_id IN (SELECT value FROM json_each(?1)) \
             AND instr(p.data, '\"question\"') AND json_valid(p.data) \
             AND json_extract(p.data, '$.type') = 'tool' \
             AND json_extract(p.data, '$.tool') = 'question' ORDER BY p.message_id, p.id"
                .to_string()
        } else {
            String::new()
        };
        let col = |name: &str| c.col("s", "session", name);
        DayQueries {
            messages,
            turn_at: "SELECT m.time_created, m.id FROM message m WHERE m.session_id = ?1 \
                      AND m.time_created < ?2 AND typeof(m.time_created) IN ('integer', 'real') \
                      AND json_valid(m.data) AND json_extract(m.data, '$.role') = 'user' \
                      ORDER BY m.time_created DESC, m.id DESC LIMIT 1"
                .to_string(),
            questions,
            tail: format!(
                "SELECT m.session_id, {} FROM message m ORDER BY m.rowid DESC",
                numeric("m.time_created")
            ),
            names: format!(
                "SELECT s.id, {}, {}, {} FROM session s WHERE s.id IN (SELECT value FROM json_each(?1))",
                col("title"),
                col("directory"),
                col("parent_id")
            ),
        }
    }
}

/// What was read of a session's day, and where the next read starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct DayKept {
    since: i64,
    /// `PRAGMA data_version` when read: while it stands nothing was committed, nothing is read.
    version: Option<i64>,
    /// The facts up to and including the newest message read.
    facts: DayFacts,
}

impl Db {
    /// The ids of the sessions with a message created at or after `since`, newest first: the
    /// message table's last rows (a message is inserted when it is created), so the cost is
    /// the window's messages, not the history.
    pub fn sessions_since(&mut self, since: i64) -> Result<Vec<String>, DbError> {
        if self.q.day.tail.is_empty() {
            return Ok(Vec::new());
        }
        // Read again only after a commit: a monitor asks every refresh.
        self.unless_unchanged(
            |u| &mut u.day_sessions,
            since.to_string(),
            |db| db.sessions_since_read(since),
        )
    }

    fn sessions_since_read(&mut self, since: i64) -> Result<Vec<String>, DbError> {
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&db.q.day.tail)?;
            let mut rows = stmt.query([])?;
            let (mut out, mut seen) = (Vec::new(), std::collections::HashSet::new());
            let mut older = 0;
            while let Some(r) = rows.next()? {
                let (Ok(id), Ok(t)) = (cell::key(r, 0), cell::int(r, 1)) else {
                    continue;
                };
                if t.is_some_and(|t| t < since) {
                    older += 1;
                    if older >= OLDER_IN_A_ROW {
                        break;
                    }
                    continue;
                }
                older = 0;
                if seen.insert(id.clone()) {
                    out.push(id);
                }
            }
            Ok(out)
        })
    }

    /// Titles, directories and parents of the sessions `ids` (unknown ids left out).
    pub fn session_names(&mut self, ids: &[String]) -> Result<Vec<SessionName>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = to_json(ids);
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&db.q.day.names)?;
            let rows = stmt.query_map([&ids], |r| {
                Ok(SessionName {
                    id: cell::key(r, 0)?,
                    title: lossy(r, 1)?,
                    directory: lossy(r, 2)?,
                    parent_id: lossy(r, 3)?,
                })
            })?;
            db.keep(rows)
        })
    }

    /// Session `sid`'s messages from the turn running at `since` on, and their question parts.
    /// Incremental across calls with the same `since` (see the module's comment).
    pub fn day_facts(&mut self, sid: &str, since: i64) -> Result<DayFacts, DbError> {
        if self.q.day.messages.is_empty() {
            return Ok(DayFacts::default());
        }
        let version = self.data_version();
        let kept = self.days.remove(sid).filter(|k| k.since == since);
        let facts = match kept {
            Some(k) if version.is_some() && k.version == version => k.facts,
            kept => self.read(|db| db.read_day(sid, since, kept.as_ref()))?,
        };
        self.days.insert(
            sid.to_string(),
            DayKept {
                since,
                version,
                facts: facts.clone(),
            },
        );
        Ok(facts)
    }

    /// Forgets what was kept of the sessions not in `keep` (those no longer shown).
    pub fn keep_days_of(&mut self, keep: &[&str]) {
        self.days.retain(|k, _| keep.contains(&k.as_str()));
    }

    fn read_day(
        &self,
        sid: &str,
        since: i64,
        kept: Option<&DayKept>,
    ) -> rusqlite::Result<DayFacts> {
        if let Some(k) = kept
            && let Some(newest) = k.facts.messages.last()
        {
            let fresh = self.messages_from(sid, newest.created, &newest.id)?;
            // The newest read is still there: everything before it stands.
            if fresh.first().is_some_and(|m| m.id == newest.id) {
                let mut facts = k.facts.clone();
                facts.messages.pop();
                facts.questions.retain(|q| q.message_id != newest.id);
                facts.questions.extend(self.questions_of(&fresh)?);
                facts.messages.extend(fresh);
                return Ok(facts);
            }
        }
        let start = {
            let mut stmt = self.conn.prepare_cached(&self.q.day.turn_at)?;
            let r = stmt.query_row(rusqlite::params![sid, since], |r| {
                Ok((cell::int(r, 0)?, cell::key(r, 1)?))
            });
            match self.keep_one(r)? {
                Some((Some(t), id)) => (t, id),
                _ => (since, String::new()),
            }
        };
        let messages = self.messages_from(sid, start.0, &start.1)?;
        let questions = self.questions_of(&messages)?;
        Ok(DayFacts {
            messages,
            questions,
        })
    }

    fn messages_from(
        &self,
        sid: &str,
        created: i64,
        id: &str,
    ) -> rusqlite::Result<Vec<DayMessage>> {
        let mut stmt = self.conn.prepare_cached(&self.q.day.messages)?;
        let rows = stmt.query_map(rusqlite::params![sid, created, id], |r| {
            let n = |i: usize| -> rusqlite::Result<u64> {
                Ok(cell::int(r, i)?.unwrap_or(0).max(0) as u64)
            };
            Ok(DayMessage {
                id: cell::key(r, 0)?,
                created: cell::int(r, 1)?.unwrap_or(0),
                updated: cell::int(r, 2)?,
                user: lossy(r, 3)?.as_deref() == Some("user"),
                completed: cell::int(r, 4)?,
                error: lossy(r, 5)?,
                cost: cell::real(r, 6)?,
                tokens: Tokens {
                    input: n(7)?,
                    output: n(8)?,
                    reasoning: n(9)?,
                    cache_read: n(10)?,
                    cache_write: n(11)?,
                },
            })
        })?;
        self.keep(rows)
    }

    fn questions_of(&self, messages: &[DayMessage]) -> rusqlite::Result<Vec<QuestionTime>> {
        let ids: Vec<&str> = messages
            .iter()
            .filter(|m| !m.user)
            .map(|m| m.id.as_str())
            .collect();
        if ids.is_empty() || self.q.day.questions.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&self.q.day.questions)?;
        let rows = stmt.query_map([to_json(&ids)], |r| {
            Ok(QuestionTime {
                message_id: cell::key(r, 0)?,
                start: cell::int(r, 1)?,
                end: cell::int(r, 2)?,
                status: lossy(r, 3)?,
            })
        })?;
        self.keep(rows)
    }
}

/// Kept days by session id.
pub(crate) type Days = HashMap<String, DayKept>;
