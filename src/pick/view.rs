//! Draws the picker: two lines per session, a filter line, a message line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::state::{Action, Mode, Picker};
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::tui::text::{cut, fit, width as text_width};
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, p: &Picker, theme: &Theme) {
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

    let items: Vec<ListItem> = p.visible().map(|r| item(r, width, theme)).collect();
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
            Paragraph::new(cut(&format!(" {}", clean(m)), width)).style(theme.warning()),
            message,
        );
    }
}

/// Line 1: symbol, status, title, tmux location on the right. Line 2: last output, dimmed.
fn item(r: &Row, width: usize, theme: &Theme) -> ListItem<'static> {
    let style = theme.status(&r.status);
    let status = if r.is_done() {
        format!("{} {}", crate::model::unseen::SYMBOL, fit("done", 12))
    } else {
        let sym = r.status.state.symbol();
        format!("{sym} {}", fit(&clean(&r.status.detail), 12))
    };
    let place = r
        .tmux
        .as_ref()
        .map(|t| clean(&t.short()).into_owned())
        .unwrap_or_default();
    let session = r.session.as_ref();
    let title = session
        .and_then(|s| s.title.as_deref())
        .map_or_else(|| "(untitled)".to_string(), |t| clean(t).into_owned());
    let room = width.saturating_sub(text_width(&status) + text_width(&place) + 3);
    let title = cut(&title, room).into_owned();
    let pad = room.saturating_sub(text_width(&title));
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
        .map(|t| cut(&clean(t), width.saturating_sub(4)).into_owned())
        .unwrap_or_default();
    let second = Line::from(Span::styled(
        format!("   {last}"),
        Style::default().add_modifier(Modifier::DIM),
    ));
    ListItem::new(vec![first, second])
}
