//! A row as `otop sessions --json` prints it and `otop serve` sends it to another machine's otop:
//! the field names written once, for the encoder ([`Row::to_json`]) and the decoder
//! (`collect::wire`). Keys come out sorted (serde_json's map order), as they always have;
//! `cli/formats.rs` holds the bytes.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::request::Request;
use super::row::{Row, TmuxLocation};
use super::state::{MatchRule, State};
use crate::source::db::types::{SessionFacts, Todo, ToolFacts};
use crate::source::process::types::Kind;

/// One row. Everything but `state` may be missing (an older or newer otop on the other side).
#[derive(Debug, Serialize, Deserialize)]
pub struct RowJson {
    #[serde(default)]
    pub pid: Option<u32>,
    #[serde(default)]
    pub ppid: Option<u32>,
    #[serde(default)]
    pub tty: Option<String>,
    #[serde(default)]
    pub cwd: Option<String>,
    #[serde(default)]
    pub kind: Option<Kind>,
    #[serde(default)]
    pub owner_pid: Option<u32>,
    #[serde(default)]
    pub cpu_percent: Option<f64>,
    #[serde(default)]
    pub rss_bytes: Option<u64>,
    #[serde(default)]
    pub started_at: Option<i64>,
    #[serde(default)]
    pub argv: Option<Vec<String>>,
    #[serde(default)]
    pub plugin: Option<bool>,
    pub state: State,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub request: Option<Request>,
    #[serde(default, rename = "match")]
    pub matched: Option<MatchRule>,
    #[serde(default)]
    pub unseen: bool,
    #[serde(default)]
    pub certain: bool,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub tmux: Option<TmuxLocation>,
    #[serde(default)]
    pub session: Option<SessionJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionJson {
    /// A session without an id is read as none.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub directory: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub agent: Option<String>,
    #[serde(default)]
    pub message_count: u64,
    #[serde(default)]
    pub tokens: TokensJson,
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default)]
    pub last_output: Option<String>,
    #[serde(default)]
    pub last_activity_at: Option<i64>,
    #[serde(default)]
    pub round_started_at: Option<i64>,
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Lenient per item: one odd tool or todo does not cost the session.
    #[serde(default, deserialize_with = "each_that_reads")]
    pub tools: Vec<ToolFacts>,
    #[serde(default, deserialize_with = "each_that_reads")]
    pub todos: Vec<Todo>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TokensJson {
    #[serde(default)]
    pub context: Option<u64>,
    #[serde(default)]
    pub input: u64,
    #[serde(default)]
    pub output: u64,
    #[serde(default)]
    pub reasoning: u64,
    #[serde(default)]
    pub cache_read: u64,
    #[serde(default)]
    pub cache_write: u64,
}

/// The items of a list that read as `T`; anything else in it is skipped.
fn each_that_reads<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let items = Option::<Vec<Value>>::deserialize(d)?.unwrap_or_default();
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

impl From<&Row> for RowJson {
    fn from(r: &Row) -> RowJson {
        let p = r.process.as_ref();
        RowJson {
            pid: p.map(|p| p.info.pid),
            ppid: p.map(|p| p.info.ppid),
            tty: p.and_then(|p| p.info.tty.clone()),
            cwd: p.and_then(|p| p.info.cwd.clone()),
            kind: p.map(|p| p.kind),
            owner_pid: p.and_then(|p| p.owner),
            // In f64 before rounding: 3.8f32 printed as an f64 is 3.799999952316284.
            cpu_percent: p
                .and_then(|p| p.cpu_percent)
                .map(|c| (f64::from(c) * 10.0).round() / 10.0),
            rss_bytes: p.map(|p| p.info.rss_bytes),
            started_at: p.map(|p| p.info.started_at),
            argv: p.map(|p| p.info.argv.clone()),
            plugin: p.map(|p| p.plugin),
            state: r.status.state,
            status: r.status.detail.clone(),
            request: r.status.request.as_deref().cloned(),
            matched: r.matched,
            unseen: r.unseen,
            certain: r.certain,
            host: r.host.clone(),
            tmux: r.tmux.clone(),
            session: r.session.as_ref().map(SessionJson::from),
        }
    }
}

impl From<&SessionFacts> for SessionJson {
    fn from(s: &SessionFacts) -> SessionJson {
        SessionJson {
            id: Some(s.id.clone()),
            title: s.title.clone(),
            directory: s.directory.clone(),
            parent_id: s.parent_id.clone(),
            model: s.model.clone(),
            agent: s.agent.clone(),
            message_count: s.message_count,
            tokens: TokensJson {
                context: s.context_tokens,
                input: s.tokens.input,
                output: s.tokens.output,
                reasoning: s.tokens.reasoning,
                cache_read: s.tokens.cache_read,
                cache_write: s.tokens.cache_write,
            },
            cost: s.cost,
            last_output: s.last_output.clone(),
            last_activity_at: s.last_activity_at,
            round_started_at: s.round_started_at,
            created_at: s.created_at,
            tools: s.tools.clone(),
            todos: s.todos.clone(),
        }
    }
}

impl SessionJson {
    /// The session facts this JSON carries; None without an id.
    pub fn into_facts(self) -> Option<SessionFacts> {
        let t = self.tokens;
        Some(SessionFacts {
            id: self.id?,
            title: self.title,
            directory: self.directory,
            parent_id: self.parent_id,
            model: self.model,
            agent: self.agent,
            message_count: self.message_count,
            tokens: crate::source::db::types::Tokens {
                input: t.input,
                output: t.output,
                reasoning: t.reasoning,
                cache_read: t.cache_read,
                cache_write: t.cache_write,
            },
            context_tokens: t.context,
            cost: self.cost,
            last_output: self.last_output,
            last_activity_at: self.last_activity_at,
            round_started_at: self.round_started_at,
            created_at: self.created_at,
            tools: self.tools,
            todos: self.todos,
            ..SessionFacts::default()
        })
    }
}
