//! The `?` overlay: every key, from the same table the key map documents.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::monitor::draw::panels::render_popup;
use crate::monitor::state::App;
use crate::monitor::state::action::KEYS;

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
