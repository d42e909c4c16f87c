//! The `?` overlay: every key, from the same table the key map documents.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::action::KEYS;
use super::app::App;
use super::panels::render_popup;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let lines: Vec<Line<'static>> = KEYS
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{keys:<11}"), t.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    render_popup(app, area, buf, " keys · esc closes ", lines, 62);
}
