//! What the footer says about answering: the keys for the request of the session a view is
//! about (with the command it asks for, or the question's options), and the prompt of a typed
//! answer.

use ratatui::text::{Line, Span};

use crate::model::request::Ask;
use crate::model::sanitize::clean;
use crate::monitor::state::App;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;

/// `bash sleep 5  A allow once  ! always  R reject  │ `, or `Which colour?  1 Red  2 Blue  T
/// type  │ `: nothing when the session waits on no request.
pub fn hints(app: &App, place: Place) -> Vec<Span<'static>> {
    let t = &app.theme;
    let Some(request) = app.the_row().and_then(|r| r.status.request.as_deref()) else {
        return Vec::new();
    };
    let key = |a: &Action| app.keymap.key_for(place, a);
    let mut spans = Vec::new();
    let mut push = |k: Option<String>, what: String| match k {
        Some(k) if k.is_empty() => spans.push(Span::raw(format!("{what}  "))),
        Some(k) => {
            spans.push(Span::styled(k, t.key()));
            spans.push(Span::raw(format!(" {what}  ")));
        }
        None => {}
    };
    match &request.ask {
        Ask::Permission { .. } => {
            push(Some(String::new()), clean(&request.summary()).into_owned());
            push(key(&Action::AllowOnce), "allow once".into());
            push(key(&Action::AllowAlways), "always".into());
            push(key(&Action::Reject), "reject".into());
        }
        Ask::Question { .. } => match request.single_question() {
            Some(q) => {
                push(Some(String::new()), clean(&q.question).into_owned());
                let keys = app.keymap.choose_keys(place, q.options.len());
                for (k, option) in keys.into_iter().zip(&q.options) {
                    push(Some(k), clean(option).into_owned());
                }
                if q.custom {
                    push(key(&Action::AnswerStart), "type".into());
                }
            }
            None => push(Some(String::new()), "answer it in its pane".into()),
        },
    }
    spans.push(Span::styled("│ ", t.secondary()));
    spans
}

/// The prompt of a typed answer, while one is written.
pub fn prompt(app: &App) -> Option<Line<'static>> {
    let a = app.answering.as_ref()?;
    let t = &app.theme;
    let key = |action: &Action| {
        app.keymap
            .key_for(Place::Answer, action)
            .unwrap_or_else(|| "-".into())
    };
    Some(Line::from(vec![
        Span::styled("answer: ", t.key()),
        Span::raw(clean(&a.text).into_owned()),
        Span::styled("█", t.key()),
        Span::styled(
            format!(
                "  {} sends · {} drops it",
                key(&Action::AnswerDone),
                key(&Action::AnswerCancel)
            ),
            t.secondary(),
        ),
    ]))
}
