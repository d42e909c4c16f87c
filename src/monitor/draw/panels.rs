//! Panels drawn over the list or the detail view: the selected session's todos and the MCP
//! servers configured for it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::monitor::state::App;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;
use crate::tui::text::cut;

/// A bordered box of at most `max_width` columns, centred, with `lines` scrolled by
/// `app.scroll`.
pub fn render_popup(
    app: &App,
    area: Rect,
    buf: &mut Buffer,
    title: &str,
    lines: Vec<Line<'static>>,
    max_width: u16,
) {
    let w = max_width.min(area.width);
    let h = (lines.len() as u16).saturating_add(2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(title.to_string())
        .border_style(app.theme.border());
    let skip = app.scroll.min(lines.len().saturating_sub(1));
    Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
        .block(block)
        .render(rect, buf);
}

/// ` · esc closes` for a panel's title, naming the key that closes it (none if none does).
pub fn closes(app: &App) -> String {
    let key = app.keymap.key_for(Place::Panel, &Action::ClosePanel);
    key.map_or_else(String::new, |k| format!(" · {k} closes"))
}

fn target(app: &App) -> Option<&Row> {
    app.the_row()
}

pub fn render_todos(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let row = target(app);
    let inner = usize::from(area.width.min(70)).saturating_sub(8);
    let todos = row
        .and_then(|r| r.session.as_ref())
        .map(|s| s.todos.as_slice());
    let lines: Vec<Line<'static>> = match todos {
        None => vec![Line::styled("no session selected", t.secondary())],
        Some([]) => vec![Line::styled("this session has no todos", t.secondary())],
        Some(todos) => todos
            .iter()
            .map(|todo| {
                let (mark, style) = match todo.status.as_str() {
                    "completed" => ("[x]", t.secondary()),
                    "in_progress" => ("[~]", t.key()),
                    "cancelled" => ("[-]", t.secondary().add_modifier(Modifier::CROSSED_OUT)),
                    _ => ("[ ]", ratatui::style::Style::new()),
                };
                let prio = match todo.priority.as_str() {
                    "high" => "!",
                    "medium" => "·",
                    _ => " ",
                };
                Line::from(vec![
                    Span::styled(format!("{mark} {prio} "), style),
                    Span::styled(cut(&clean(&todo.content), inner).into_owned(), style),
                ])
            })
            .collect(),
    };
    let name = row.map(|r| r.title()).unwrap_or_default();
    let title = format!(" todos · {} ", cut(&name, 40));
    render_popup(app, area, buf, &title, lines, 70);
}

pub fn render_mcp(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let inner = usize::from(area.width.min(90)).saturating_sub(4);
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &app.mcp {
        None => lines.push(Line::styled("reading configuration…", t.secondary())),
        Some(panel) if panel.files.is_empty() => {
            lines.push(Line::styled("no opencode.json found", t.secondary()));
        }
        Some(panel) => {
            for file in &panel.files {
                lines.push(Line::styled(
                    cut(&clean(&file.path), inner).into_owned(),
                    t.title_bar(),
                ));
                match &file.servers {
                    Err(e) => lines.push(Line::styled(
                        format!("  {}", cut(&clean(&e.to_string()), inner.saturating_sub(2))),
                        t.error(),
                    )),
                    Ok(s) if s.is_empty() => {
                        lines.push(Line::styled("  no MCP servers", t.secondary()));
                    }
                    Ok(servers) => {
                        for s in servers {
                            let state = if s.enabled { "on " } else { "off" };
                            let style = if s.enabled { t.key() } else { t.secondary() };
                            let head = format!("  {state} {} ({}) ", clean(&s.name), s.kind);
                            let room = inner.saturating_sub(crate::tui::text::width(&head));
                            lines.push(Line::from(vec![
                                Span::styled(head, style),
                                Span::styled(
                                    cut(&clean(&s.target), room).into_owned(),
                                    t.secondary(),
                                ),
                            ]));
                        }
                    }
                }
            }
        }
    }
    let title = format!(" MCP servers{} ", closes(app));
    render_popup(app, area, buf, &title, lines, 90);
}
