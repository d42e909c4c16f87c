//! Draws the picker: two lines per session, a filter line, a message line. The head says which
//! rows of how many are on screen, the filter line how many more are below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::state::{Action, Mode, Picker};
use crate::interact::hint;
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::tui::text::{STATUS_MAX, cut, fit, width as text_width};
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
    let key = |a: Action| {
        p.keymap
            .key_for(Mode::Navigate, &a)
            .unwrap_or_else(|| "-".into())
    };
    // Room for the widest status shown, leaving the title and the tmux location 40 columns.
    let status_w = p
        .visible()
        .map(|r| text_width(&clean(r.status_text())))
        .max()
        .unwrap_or(0)
        .clamp(10, STATUS_MAX.min(width.saturating_sub(40)).max(10));
    let items: Vec<ListItem> = p
        .visible()
        .map(|r| item(r, p.hosts, width, status_w, theme))
        .collect();
    let empty = items.is_empty();
    let mut state = ListState::default().with_selected((!empty).then_some(p.selected));
    let list_widget =
        List::new(items).highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    f.render_stateful_widget(list_widget, list, &mut state);

    // Two lines a session; ratatui scrolled the list to keep the selection on screen.
    let (n, total) = (p.visible_len(), p.rows().len());
    let first = state.offset().min(n);
    let last = (first + usize::from(list.height / 2)).min(n);
    let shown = match (n == total, first == 0 && last == n) {
        (true, true) => format!("{n} session{}", if n == 1 { "" } else { "s" }),
        (false, true) => format!("{n} of {total} match"),
        (_, false) => format!("{}–{last} of {n}", first + 1),
    };
    let head = format!(
        " otop pick · {shown} · {} jump · {} cancel",
        key(Action::Accept),
        key(Action::Escape),
    );
    f.render_widget(
        Paragraph::new(cut(&head, width)).style(Style::default().add_modifier(Modifier::BOLD)),
        title,
    );
    if empty {
        let msg = if p.rows().is_empty() {
            " no opencode sessions are running"
        } else {
            " no session matches"
        };
        f.render_widget(Paragraph::new(msg), list);
    }

    let filter_text = match p.mode {
        Mode::Answer | Mode::Confirm => String::new(),
        Mode::Filter => format!(" / {}▏", p.query),
        Mode::Navigate if p.query.is_empty() => format!(
            " {} to filter, {}/{} to move",
            key(Action::StartFilter),
            key(Action::Down),
            key(Action::Up)
        ),
        Mode::Navigate => format!(" / {}", p.query),
    };
    let below = n - last;
    let more = if below > 0 {
        format!("↓ {below} more ")
    } else {
        String::new()
    };
    let filter_text = cut(
        &clean(&filter_text),
        width.saturating_sub(text_width(&more)),
    )
    .into_owned();
    let pad = width.saturating_sub(text_width(&filter_text) + text_width(&more));
    let typing = match (&p.answering, &p.messaging) {
        _ if p.mode != Mode::Answer => None,
        (Some(a), _) => Some(("answer: ", &a.text)),
        (None, Some(m)) => Some(("message: ", &m.text)),
        (None, None) => None,
    };
    let line = match (typing, &p.confirming) {
        (_, Some(c)) if p.mode == Mode::Confirm => {
            let question = c.question(&key(Action::Yes), "any other key");
            Line::styled(format!(" {question}"), theme.key())
        }
        (Some((label, text)), _) => {
            let send = key(Action::Accept);
            let mut prompt = hint::prompt(label, text, &send, &key(Action::Escape), theme);
            prompt.spans.insert(0, Span::raw(" "));
            prompt
        }
        _ => Line::from(vec![
            Span::raw(filter_text),
            Span::raw(" ".repeat(pad)),
            Span::styled(more, Style::default().add_modifier(Modifier::DIM)),
        ]),
    };
    f.render_widget(Paragraph::new(line), filter);
    if let Some(m) = &p.message {
        f.render_widget(
            Paragraph::new(cut(&format!(" {}", clean(m)), width)).style(theme.warning()),
            message,
        );
    } else if let Some(request) = p.selected_row().and_then(|r| r.status.request.as_deref()) {
        let hint = hint::hint(request, |k| {
            p.keymap.key_for(Mode::Navigate, &Action::Answer(k))
        });
        let mut spans = vec![Span::raw(" ")];
        spans.extend(hint.spans(theme));
        f.render_widget(Paragraph::new(Line::from(spans)), message);
    } else if let Some(k) = p.selected_row().and_then(crate::interact::drive::offer)
        && let Some(key) = p.keymap.key_for(Mode::Navigate, &Action::Drive(k))
    {
        let spans = vec![
            Span::raw(" "),
            Span::styled(key, theme.key()),
            Span::raw(format!(" {}", k.label())),
        ];
        f.render_widget(Paragraph::new(Line::from(spans)), message);
    }
}

/// Line 1: symbol, status (`status_w` columns), title, tmux location on the right. Line 2:
/// last output, dimmed.
fn item(r: &Row, hosts: bool, width: usize, status_w: usize, theme: &Theme) -> ListItem<'static> {
    let style = theme.row_status(r);
    let status = if r.is_done() {
        format!("{} {}", crate::model::unseen::SYMBOL, fit("done", status_w))
    } else {
        let sym = r.status.state.symbol();
        format!("{sym} {}", fit(&clean(r.status_text()), status_w))
    };
    // With hosts, each row says its machine (`[[hosts]]` names are plain).
    let place = r
        .tmux
        .as_ref()
        .map(|t| clean(&t.short()).into_owned())
        .unwrap_or_default();
    let place = match (&r.host, hosts) {
        (Some(h), _) => format!("{h} {place}").trim_end().to_string(),
        (None, true) => format!("local {place}").trim_end().to_string(),
        (None, false) => place,
    };
    let session = r.session.as_ref();
    let title = r.title();
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
    let last = match r.status.request.as_deref() {
        Some(request) => Some(request.headline()),
        None => session.and_then(|s| s.last_output.clone()),
    };
    let last = last
        .map(|t| cut(&clean(&t), width.saturating_sub(4)).into_owned())
        .unwrap_or_default();
    let second = Line::from(Span::styled(
        format!("   {last}"),
        Style::default().add_modifier(Modifier::DIM),
    ));
    ListItem::new(vec![first, second])
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::interact::answer::AnswerKey;
    use crate::model::state::{State, Status};
    use crate::source::db::types::SessionFacts;

    fn row(i: usize, detail: &str) -> Row {
        Row {
            process: None,
            session: Some(SessionFacts {
                id: format!("ses_{i}"),
                title: Some(format!("Session number {i}")),
                ..SessionFacts::default()
            }),
            status: Status::new(State::Waiting, detail),
            matched: None,
            tmux: None,
            unseen: false,
            certain: false,
            host: None,
        }
    }

    fn screen(p: &Picker, w: u16, h: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| draw(f, p, &Theme::default())).unwrap();
        term.backend().to_string()
    }

    /// Ten sessions, four on screen: the head says which, the filter line how many are below,
    /// and a long status is read whole.
    #[test]
    fn a_list_longer_than_the_popup_says_where_it_is() {
        let mut rows: Vec<Row> = (0..10).map(|i| row(i, "asking")).collect();
        rows[0] = row(0, "permission: bash rm -rf build");
        let mut p = Picker::new(rows);
        let s = screen(&p, 80, 11);
        assert!(s.contains("otop pick · 1–4 of 10 ·"), "{s}");
        assert!(s.contains("↓ 6 more"), "{s}");
        assert!(s.contains("permission: bash rm -rf build"), "{s}");
        for _ in 0..9 {
            p.apply(Action::Down);
        }
        let s = screen(&p, 80, 11);
        assert!(s.contains("7–10 of 10"), "{s}");
        assert!(!s.contains("more"), "{s}");
        let s = screen(
            &Picker::new((0..3).map(|i| row(i, "idle")).collect()),
            80,
            11,
        );
        assert!(s.contains("otop pick · 3 sessions ·"), "{s}");
    }

    /// The hint under the list says what is asked, then the keys, as the monitor's footer does;
    /// a typed answer has the monitor's prompt.
    #[test]
    fn the_hint_names_what_is_asked() {
        let mut asking = row(0, "asking");
        let q = crate::model::request::question(&["Red", "Blue"], true);
        asking.status = asking.status.with_request(Some(q));
        let mut p = Picker::new(vec![asking]);
        let s = screen(&p, 80, 8);
        let hint = s.lines().nth(7).unwrap_or_default();
        assert!(
            hint.contains("Which colour?  alt-1 Red  alt-2 Blue  alt-t type"),
            "{s}"
        );
        p.apply(Action::Answer(AnswerKey::Type));
        p.apply(Action::Type('g'));
        let s = screen(&p, 80, 8);
        assert!(s.contains("answer: g█  enter sends · esc drops it"), "{s}");
    }

    /// With hosts, each row names its machine, and typing a host's name finds its rows.
    #[test]
    fn rows_name_their_machine_when_hosts_are_read() {
        let far = Row {
            host: Some("box".into()),
            ..row(1, "asking")
        };
        let mut p = Picker::new(vec![row(0, "asking"), far]);
        let s = screen(&p, 80, 8);
        assert!(!s.contains("local"), "{s}");
        assert!(s.contains(" box"), "{s}");
        p.hosts = true;
        let s = screen(&p, 80, 8);
        assert!(s.contains(" local"), "{s}");
        p.apply(Action::StartFilter);
        for c in "box".chars() {
            p.apply(Action::Type(c));
        }
        assert_eq!(p.visible_len(), 1);
    }
}
