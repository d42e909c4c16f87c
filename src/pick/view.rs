//! Draws the picker: two lines per session, a filter line, a message line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::state::{Action, Mode, Picker};
use crate::cli::table::cut;
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::state::State;

/// Symbol and colour per state (the status text is always shown too: colour is never the only
/// signal).
pub fn state_style(state: State) -> (&'static str, Style) {
    let s = Style::default();
    match state {
        State::Waiting => ("◆", s.fg(Color::Magenta).add_modifier(Modifier::BOLD)),
        State::Error => ("✗", s.fg(Color::Red)),
        State::Working => ("●", s.fg(Color::Green)),
        State::Idle => ("○", s),
        State::Stalled => ("◌", s.add_modifier(Modifier::DIM)),
    }
}

pub fn draw(f: &mut Frame, p: &Picker, colour: bool) {
    let [title, list, filter, message] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());

    let width = usize::from(list.width);
    let key = |a: Action| p.keymap.key_for(&a).unwrap_or_else(|| "-".into());
    let head = format!(
        " otop pick · {} of {} · {} jump · {} cancel",
        p.visible_len(),
        p.rows().len(),
        key(Action::Accept),
        key(Action::Escape),
    );
    f.render_widget(
        Paragraph::new(cut(&head, width)).style(Style::default().add_modifier(Modifier::BOLD)),
        title,
    );

    let items: Vec<ListItem> = p.visible().map(|r| item(r, width, colour)).collect();
    let empty = items.is_empty();
    let mut state = ListState::default().with_selected((!empty).then_some(p.selected));
    let list_widget =
        List::new(items).highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    f.render_stateful_widget(list_widget, list, &mut state);
    if empty {
        let msg = if p.rows().is_empty() {
            " no opencode sessions are running"
        } else {
            " no session matches"
        };
        f.render_widget(Paragraph::new(msg), list);
    }

    let filter_text = match p.mode {
        Mode::Filter => format!(" / {}▏", p.query),
        Mode::Navigate if p.query.is_empty() => format!(
            " {} to filter, {}/{} to move",
            key(Action::StartFilter),
            key(Action::Down),
            key(Action::Up)
        ),
        Mode::Navigate => format!(" / {}", p.query),
    };
    f.render_widget(Paragraph::new(cut(&clean(&filter_text), width)), filter);
    if let Some(m) = &p.message {
        f.render_widget(
            Paragraph::new(cut(&format!(" {}", clean(m)), width))
                .style(Style::default().fg(Color::Yellow)),
            message,
        );
    }
}

/// Line 1: symbol, status, title, tmux location on the right. Line 2: last output, dimmed.
fn item(r: &Row, width: usize, colour: bool) -> ListItem<'static> {
    let (sym, mut style) = state_style(r.status.state);
    if !colour {
        style = Style::default();
    }
    let status = format!("{sym} {:<12}", cut(&clean(&r.status.detail), 12));
    let place = r
        .tmux
        .as_ref()
        .map(|t| clean(&t.short()).into_owned())
        .unwrap_or_default();
    let session = r.session.as_ref();
    let title = session
        .and_then(|s| s.title.as_deref())
        .map_or_else(|| "(untitled)".to_string(), |t| clean(t).into_owned());
    let room = width.saturating_sub(status.width() + place.width() + 3);
    let title = cut(&title, room);
    let pad = room.saturating_sub(title.width());
    let first = Line::from(vec![
        Span::raw(" "),
        Span::styled(status, style),
        Span::raw(" "),
        Span::raw(title),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(place, Style::default().add_modifier(Modifier::DIM)),
    ]);
    let last = session
        .and_then(|s| s.last_output.as_deref())
        .map(|t| cut(&clean(t), width.saturating_sub(4)))
        .unwrap_or_default();
    let second = Line::from(Span::styled(
        format!("   {last}"),
        Style::default().add_modifier(Modifier::DIM),
    ));
    ListItem::new(vec![first, second])
}
