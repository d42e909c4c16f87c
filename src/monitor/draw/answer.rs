//! What the footer says about answering, from the one hint of [`crate::interact::hint`]: what
//! the request of the session a view is about asks, and the keys that answer it; and the prompt
//! of a typed answer.

use ratatui::text::{Line, Span};

use crate::interact::hint;
use crate::monitor::state::App;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;

/// `bash sleep 5  A allow once  ! always  R reject  │ `, or `Which colour?  1 Red  2 Blue  T
/// type  │ `: nothing when the session waits on no request.
pub fn hints(app: &App, place: Place) -> Vec<Span<'static>> {
    let Some(request) = app.the_row().and_then(|r| r.status.request.as_deref()) else {
        return Vec::new();
    };
    let hint = hint::hint(request, |k| app.keymap.key_for(place, &Action::Answer(k)));
    let mut spans = hint.spans(&app.theme);
    spans.push(Span::styled("│ ", app.theme.secondary()));
    spans
}

/// The prompt of a typed answer, while one is written.
pub fn prompt(app: &App) -> Option<Line<'static>> {
    let a = app.answering.as_ref()?;
    let key = |action: &Action| {
        app.keymap
            .key_for(Place::Answer, action)
            .unwrap_or_else(|| "-".into())
    };
    Some(hint::prompt(
        &a.text,
        &key(&Action::AnswerDone),
        &key(&Action::AnswerCancel),
        &app.theme,
    ))
}
