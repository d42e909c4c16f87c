//! The help overlay: every action the keymap binds, with its keys and what it does, so it
//! cannot disagree with the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::monitor::draw::panels::{closes, render_popup};
use crate::monitor::state::App;
use crate::tui::text;

/// The mouse is not in the keymap; it is listed after the keys, then what the time columns
/// count.
const MOUSE: (&str, &str) = ("mouse", "click selects, wheel scrolls");
const COLUMNS: [(&str, &str); 3] = [
    (
        "WAITED",
        "time waiting for you today; LONGEST: longest wait",
    ),
    ("UP", "how long the opencode process has run"),
    (
        "ROUND",
        "this turn so far; idle: how long the last one took",
    ),
];

/// The help's rows: keys, and what they do.
fn rows(app: &App) -> Vec<(String, &'static str)> {
    let keys = app.keymap.help().into_iter().filter_map(|(action, keys)| {
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        Some((keys.join(" "), action.describe()?))
    });
    keys.chain([(MOUSE.0.to_string(), MOUSE.1)])
        .chain(COLUMNS.map(|(k, w)| (k.to_string(), w)))
        .collect()
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let rows = rows(app);
    let keys_width = 2 + rows.iter().map(|(k, _)| text::width(k)).max().unwrap_or(0);
    let what_width = rows.iter().map(|(_, w)| text::width(w)).max().unwrap_or(0);
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .map(|(keys, what)| {
            let pad = " ".repeat(keys_width - text::width(&keys));
            Line::from(vec![Span::styled(keys + &pad, t.key()), Span::raw(what)])
        })
        .collect();
    let title = format!(" keys{} ", closes(app));
    let width = u16::try_from(keys_width + what_width + 2).unwrap_or(u16::MAX);
    render_popup(app, area, buf, &title, lines, width);
}
