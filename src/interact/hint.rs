//! What a view says about answering: what the row's request asks, the keys that answer it, and
//! the prompt of a typed answer. The monitor and the picker draw the same words.

use ratatui::text::{Line, Span};

use super::answer::AnswerKey;
use crate::model::request::{Ask, Request};
use crate::model::sanitize::clean;
use crate::tui::theme::Theme;

/// What is asked, then each key with what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub asked: String,
    pub keys: Vec<(String, String)>,
}

/// The hint for `request`, with the keys `key_for` names (a key bound to nothing is left out).
pub fn hint(request: &Request, key_for: impl Fn(AnswerKey) -> Option<String>) -> Hint {
    let mut keys = Vec::new();
    let mut push = |k: AnswerKey, what: String| {
        if let Some(key) = key_for(k) {
            keys.push((key, what));
        }
    };
    let asked = match &request.ask {
        Ask::Permission { .. } => {
            for k in [
                AnswerKey::AllowOnce,
                AnswerKey::AllowAlways,
                AnswerKey::Reject,
            ] {
                push(k, k.label().into());
            }
            clean(&request.summary()).into_owned()
        }
        Ask::Question { .. } => match request.single_question() {
            Some(q) => {
                for (n, option) in q.options.iter().enumerate() {
                    push(AnswerKey::Choose(n + 1), clean(option).into_owned());
                }
                if q.custom {
                    push(AnswerKey::Type, AnswerKey::Type.label().into());
                }
                clean(&q.question).into_owned()
            }
            None => "answer it in its pane".into(),
        },
    };
    Hint { asked, keys }
}

impl Hint {
    /// `bash sleep 5  A allow once  ! always  R reject  `, keys in the theme's key colour.
    pub fn spans(&self, theme: &Theme) -> Vec<Span<'static>> {
        let mut spans = vec![Span::raw(format!("{}  ", self.asked))];
        for (key, what) in &self.keys {
            spans.push(Span::styled(key.clone(), theme.key()));
            spans.push(Span::raw(format!(" {what}  ")));
        }
        spans
    }
}

/// The prompt of a typed answer or a message (`label`): `answer: text█  enter sends · esc
/// drops it`.
pub fn prompt(label: &str, text: &str, send: &str, drop: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(label.to_string(), theme.key()),
        Span::raw(clean(text).into_owned()),
        Span::styled("█", theme.key()),
        Span::styled(
            format!("  {send} sends · {drop} drops it"),
            theme.secondary(),
        ),
    ])
}
