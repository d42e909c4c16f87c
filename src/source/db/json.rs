//! The few fields otop reads from `message.data` and `part.data`, parsed leniently: a field of
//! the wrong type reads as None instead of failing the whole record.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;

use super::types::{QuestionFacts, Role, Tokens, ToolStatus};

/// Longest line kept from model output or a tool input: enough for a table cell.
pub(crate) const MAX_LINE: usize = 300;

/// Longest bash command kept (a permission dialog shows it whole).
const MAX_COMMAND: usize = 4_096;

/// Options of one question kept (opencode's dialog numbers nine).
const MAX_OPTIONS: usize = 20;

fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MsgData {
    #[serde(default, deserialize_with = "lenient")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub agent: Option<String>,
    /// Older messages name the agent `mode`.
    #[serde(default, deserialize_with = "lenient")]
    pub mode: Option<String>,
    /// User messages: `{providerID, modelID}`.
    #[serde(default, deserialize_with = "lenient")]
    pub model: Option<ModelRef>,
    #[serde(default, rename = "providerID", deserialize_with = "lenient")]
    pub provider_id: Option<String>,
    #[serde(default, rename = "modelID", deserialize_with = "lenient")]
    pub model_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub tokens: Option<TokenData>,
    #[serde(default, deserialize_with = "lenient")]
    pub time: Option<TimeData>,
    #[serde(default, deserialize_with = "lenient")]
    pub finish: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub error: Option<ErrorData>,
    /// Assistant messages: dollars, as opencode priced them.
    #[serde(default, deserialize_with = "lenient")]
    pub cost: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ModelRef {
    #[serde(default, rename = "providerID", deserialize_with = "lenient")]
    pub provider_id: Option<String>,
    #[serde(default, rename = "modelID", deserialize_with = "lenient")]
    pub model_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenData {
    #[serde(default, deserialize_with = "lenient")]
    pub input: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub output: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub reasoning: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub cache: Option<CacheData>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CacheData {
    #[serde(default, deserialize_with = "lenient")]
    pub read: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub write: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TimeData {
    #[serde(default, deserialize_with = "lenient")]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub completed: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub start: Option<i64>,
    /// A text part's end: unset while its words stream.
    #[serde(default, deserialize_with = "lenient")]
    pub end: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorData {
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub data: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
}

impl MsgData {
    /// Malformed or non-object JSON reads as an empty record.
    pub(crate) fn parse(data: Option<&str>) -> MsgData {
        data.and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    }

    pub(crate) fn role(&self) -> Role {
        match self.role.as_deref() {
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            _ => Role::Other,
        }
    }

    /// `providerID/modelID`, from the assistant's top-level fields or the user's `model`.
    pub(crate) fn model_name(&self) -> Option<String> {
        let (p, m) = match (&self.provider_id, &self.model_id, &self.model) {
            (Some(p), Some(m), _) => (p, m),
            (
                _,
                _,
                Some(ModelRef {
                    provider_id: Some(p),
                    model_id: Some(m),
                }),
            ) => (p, m),
            _ => return None,
        };
        Some(format!("{p}/{m}"))
    }

    pub(crate) fn agent_name(&self) -> Option<String> {
        self.agent.clone().or_else(|| self.mode.clone())
    }

    pub(crate) fn tokens(&self) -> Option<Tokens> {
        let t = self.tokens.as_ref()?;
        let cache = t.cache.as_ref();
        Some(Tokens {
            input: t.input.unwrap_or(0),
            output: t.output.unwrap_or(0),
            reasoning: t.reasoning.unwrap_or(0),
            cache_read: cache.and_then(|c| c.read).unwrap_or(0),
            cache_write: cache.and_then(|c| c.write).unwrap_or(0),
        })
    }

    pub(crate) fn completed_at(&self) -> Option<i64> {
        self.time.as_ref().and_then(|t| t.completed)
    }

    pub(crate) fn created_at(&self) -> Option<i64> {
        self.time.as_ref().and_then(|t| t.created)
    }

    pub(crate) fn error_name(&self) -> Option<String> {
        self.error.as_ref().and_then(|e| e.name.clone())
    }

    pub(crate) fn error_message(&self) -> Option<String> {
        let e = self.error.as_ref()?;
        let m = e.data.as_ref().and_then(|d| d.message.as_deref());
        first_line(m.or(e.message.as_deref())?)
    }

    /// An assistant message still being written: its tokens are final only at completion.
    pub(crate) fn is_open_assistant(&self) -> bool {
        self.role() == Role::Assistant && self.completed_at().is_none() && self.error.is_none()
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PartData {
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub synthetic: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub tool: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub state: Option<ToolState>,
    #[serde(default, deserialize_with = "lenient")]
    pub time: Option<TimeData>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolState {
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub title: Option<String>,
    /// Kept as a value: only presence and `sessionId` matter.
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default, deserialize_with = "lenient")]
    pub input: Option<ToolInput>,
    #[serde(default, deserialize_with = "lenient")]
    pub time: Option<TimeData>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolInput {
    #[serde(default, deserialize_with = "lenient")]
    pub command: Option<String>,
    #[serde(default, rename = "filePath", deserialize_with = "lenient")]
    pub file_path: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub pattern: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub questions: Option<Vec<Question>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Question {
    #[serde(default, deserialize_with = "lenient")]
    pub header: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub question: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub options: Option<Vec<QuestionOption>>,
    #[serde(default, deserialize_with = "lenient")]
    pub multiple: Option<bool>,
    /// Whether a typed answer is allowed (opencode's default: yes).
    #[serde(default, deserialize_with = "lenient")]
    pub custom: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QuestionOption {
    #[serde(default, deserialize_with = "lenient")]
    pub label: Option<String>,
}

impl PartData {
    pub(crate) fn parse(data: Option<&str>) -> PartData {
        data.and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    }

    pub(crate) fn is_text(&self) -> bool {
        self.kind.as_deref() == Some("text")
    }

    /// A reply's text still streaming: opencode 1 stores the part empty when it starts and its
    /// words only when it ends (each word is a bus event, `message.part.delta`, never stored).
    pub(crate) fn is_streaming_text(&self) -> bool {
        self.is_text()
            && self.synthetic != Some(true)
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && self
                .time
                .as_ref()
                .is_some_and(|t| t.start.is_some() && t.end.is_none())
    }

    pub(crate) fn is_tool(&self) -> bool {
        self.kind.as_deref() == Some("tool")
    }

    pub(crate) fn tool_status(&self) -> Option<ToolStatus> {
        match self.state.as_ref()?.status.as_deref()? {
            "pending" => Some(ToolStatus::Pending),
            "running" => Some(ToolStatus::Running),
            "completed" => Some(ToolStatus::Completed),
            "error" => Some(ToolStatus::Error),
            _ => None,
        }
    }

    pub(crate) fn has_metadata(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.metadata.is_some())
    }

    /// For a `task` part: the subagent session it runs.
    pub(crate) fn child_session(&self) -> Option<String> {
        let meta = self.state.as_ref()?.metadata.as_ref()?;
        meta.get("sessionId")?.as_str().map(str::to_string)
    }

    /// bash `command`, else `filePath`, else `pattern`, else the first question's header.
    pub(crate) fn input_summary(&self) -> Option<String> {
        let input = self.state.as_ref()?.input.as_ref()?;
        let q = input.questions.as_ref().and_then(|qs| qs.first());
        let text = input
            .command
            .as_deref()
            .or(input.file_path.as_deref())
            .or(input.pattern.as_deref())
            .or(q.and_then(|q| q.header.as_deref().or(q.question.as_deref())))
            .or(input.description.as_deref())?;
        first_line(text)
    }

    /// bash's whole `command` (up to [`MAX_COMMAND`] characters): what its permission asks.
    pub(crate) fn command(&self) -> Option<String> {
        let c = self.state.as_ref()?.input.as_ref()?.command.as_deref()?;
        Some(cut_chars(c, MAX_COMMAND))
    }

    /// The questions a `question` part asks, as its dialog shows them.
    pub(crate) fn questions(&self) -> Vec<QuestionFacts> {
        let Some(qs) = self
            .state
            .as_ref()
            .and_then(|s| s.input.as_ref())
            .and_then(|i| i.questions.as_ref())
        else {
            return Vec::new();
        };
        qs.iter()
            .map(|q| QuestionFacts {
                question: cut(q.question.as_deref().unwrap_or("")),
                header: q.header.as_deref().map(cut),
                options: q
                    .options
                    .iter()
                    .flatten()
                    .take(MAX_OPTIONS)
                    .map(|o| cut(o.label.as_deref().unwrap_or("")))
                    .collect(),
                multiple: q.multiple == Some(true),
                custom: q.custom != Some(false),
            })
            .collect()
    }

    pub(crate) fn started_at(&self) -> Option<i64> {
        self.state.as_ref()?.time.as_ref()?.start
    }
}

/// First non-empty line, trimmed and cut to [`MAX_LINE`] characters.
pub(crate) fn first_line(s: &str) -> Option<String> {
    s.lines().map(str::trim).find(|l| !l.is_empty()).map(cut)
}

/// Last non-empty line, trimmed and cut. Scans from the end so a huge text costs little.
pub(crate) fn last_line(s: &str) -> Option<String> {
    s.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(cut)
}

/// At most [`MAX_LINE`] characters, marked with `…` when cut.
pub(crate) fn cut(s: &str) -> String {
    cut_chars(s, MAX_LINE)
}

/// At most `n` characters, marked with `…` when cut: a bound on what is kept in memory, not a
/// display width (views cut to width with `model::text::cut`).
pub(crate) fn cut_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_degrade_one_field_only() {
        let m = MsgData::parse(Some(
            r#"{"role":"assistant","tokens":{"input":"many","output":7},"modelID":3,"providerID":"p","agent":"build"}"#,
        ));
        assert_eq!(m.role(), Role::Assistant);
        assert_eq!(m.tokens().map(|t| (t.input, t.output)), Some((0, 7)));
        assert_eq!(m.model_name(), None);
        assert_eq!(m.agent_name().as_deref(), Some("build"));
    }

    #[test]
    fn error_message_prefers_data_message_first_line() {
        let m = MsgData::parse(Some(
            r#"{"role":"assistant","error":{"name":"APIError","data":{"message":"\nRate limited\nretry later"}}}"#,
        ));
        assert_eq!(m.error_name().as_deref(), Some("APIError"));
        assert_eq!(m.error_message().as_deref(), Some("Rate limited"));
    }

    #[test]
    fn long_lines_are_cut_on_a_char_boundary() {
        let s = "é".repeat(MAX_LINE + 10);
        let out = last_line(&s).unwrap_or_default();
        assert_eq!(out.chars().count(), MAX_LINE + 1);
        assert!(out.ends_with('…'));
    }
}
