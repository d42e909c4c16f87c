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

/// The prompt of a typed answer or a message, while one is written; the y/n line while an
/// act waits for it.
pub fn prompt(app: &App) -> Option<Line<'static>> {
    let key = |place: Place, action: &Action| {
        app.keymap
            .key_for(place, action)
            .unwrap_or_else(|| "-".into())
    };
    if let Some(c) = &app.confirming {
        let question = c.question(
            &key(Place::Confirm, &Action::ConfirmYes),
            &key(Place::Confirm, &Action::ConfirmNo),
        );
        return Some(Line::styled(question, app.theme.key()));
    }
    let (label, text) = match (&app.answering, &app.messaging) {
        (Some(a), _) => ("answer: ", &a.text),
        (None, Some(m)) => ("message: ", &m.text),
        (None, None) => return None,
    };
    Some(hint::prompt(
        label,
        text,
        &key(Place::Answer, &Action::AnswerDone),
        &key(Place::Answer, &Action::AnswerCancel),
        &app.theme,
    ))
}

/// `S send  │ ` for an idle session, `I interrupt  │ ` for a working one (the keys as bound):
/// what the footer offers besides answers.
pub fn offer(app: &App, place: Place) -> Vec<Span<'static>> {
    let Some(k) = app.the_row().and_then(crate::interact::drive::offer) else {
        return Vec::new();
    };
    let Some(key) = app.keymap.key_for(place, &Action::Drive(k)) else {
        return Vec::new();
    };
    vec![
        Span::styled(key, app.theme.key()),
        Span::raw(format!(" {}  ", k.label())),
        Span::styled("│ ", app.theme.secondary()),
    ]
}
