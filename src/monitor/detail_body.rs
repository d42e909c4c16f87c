//! The detail view's body as lines: the live tmux pane (colours kept, everything else
//! sanitised) or the message history. A function of the data alone, so the state can count the
//! lines it scrolls through and drawing can draw them, neither asking the other.

use ansi_to_tui::IntoText;
use ratatui::text::{Line, Span};

use crate::model::facts::{HistoryItem, Role, ToolStatus};
use crate::model::sanitize::clean;
use crate::tui::text::{self, cut};
use crate::tui::theme::Theme;

/// What the body shows; the state picks it for the row and tab on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Body<'a> {
    /// The row is gone.
    Nothing,
    NotInTmux,
    Capturing,
    /// A pane capture, escapes and all.
    Pane(&'a str),
    NoSession,
    Reading,
    History(&'a [HistoryItem]),
    /// The row is on another machine (a `[[hosts]]` name): its pane and history stay there.
    Elsewhere(&'a str),
}

/// The body's lines at `width`; the clock in the history is at `utc_offset_secs`.
pub fn lines(body: Body, t: &Theme, utc_offset_secs: i32, width: u16) -> Vec<Line<'static>> {
    let note = |s: &str| vec![Line::styled(s.to_string(), t.secondary())];
    match body {
        Body::Nothing => Vec::new(),
        Body::NotInTmux => note("not running in a tmux pane: see the History tab"),
        Body::Capturing => note("capturing the pane…"),
        Body::Pane(raw) => pane_lines(raw),
        Body::NoSession => note("no session"),
        Body::Reading => note("reading the history…"),
        Body::History([]) => note("no messages"),
        Body::History(items) => history_lines(items, t, utc_offset_secs, usize::from(width)),
        Body::Elsewhere(host) => note(&format!(
            "on {host}: its pane and message history are read there, not from here (o jumps to it)"
        )),
    }
}

/// Pane capture → styled lines. Colours come from the SGR codes; every span's text is then
/// sanitised, so any other escape (titles, clipboard, cursor moves) is dropped.
fn pane_lines(raw: &str) -> Vec<Line<'static>> {
    let plain = || {
        raw.lines()
            .map(|l| Line::raw(clean(l).into_owned()))
            .collect()
    };
    let Ok(parsed) = raw.as_bytes().into_text() else {
        return plain();
    };
    parsed
        .lines
        .into_iter()
        .map(|line| {
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .map(|s| Span::styled(clean(&s.content).into_owned(), s.style))
                .collect();
            Line::from(spans)
        })
        .collect()
}

fn history_lines(
    items: &[HistoryItem],
    t: &Theme,
    utc_offset_secs: i32,
    width: usize,
) -> Vec<Line<'static>> {
    let inner = width.saturating_sub(4);
    let mut out = Vec::new();
    // Newest first: the latest turn is what one opens the view for.
    for item in items.iter().rev() {
        let (role, style) = match item.role {
            Role::User => ("user", t.key()),
            Role::Assistant => ("assistant", t.title_bar()),
            Role::Other => ("other", t.secondary()),
        };
        let mut head = vec![Span::styled(role.to_string(), style)];
        if let Some(at) = item.created_at {
            head.push(Span::styled(
                format!("  {}", text::clock(at, utc_offset_secs)),
                t.secondary(),
            ));
        }
        if item.role == Role::Assistant {
            let tk = &item.tokens;
            head.push(Span::raw(format!(
                "  ctx {} out {}",
                text::count(tk.context()),
                text::count(tk.output)
            )));
            let finish = item.finish.as_deref().map_or_else(
                || {
                    if item.completed_at.is_none() {
                        "in progress".into()
                    } else {
                        String::new()
                    }
                },
                |f| clean(f).into_owned(),
            );
            if !finish.is_empty() {
                head.push(Span::styled(format!("  {finish}"), t.secondary()));
            }
        }
        if let Some(err) = &item.error {
            head.push(Span::styled(format!("  {}", clean(err)), t.error()));
        }
        if let Some(m) = &item.model {
            head.push(Span::styled(format!("  {}", clean(m)), t.secondary()));
        }
        out.push(Line::from(head));
        for l in item.text.lines().filter(|l| !l.trim().is_empty()).take(4) {
            out.push(Line::raw(format!("  {}", cut(&clean(l), inner))));
        }
        for (tool, title, status) in &item.tools {
            let st = match status {
                ToolStatus::Pending => "pending",
                ToolStatus::Running => "running",
                ToolStatus::Completed => "done",
                ToolStatus::Error => "error",
            };
            let what = format!(
                "⚙ {}: {}",
                clean(tool),
                clean(title.as_deref().unwrap_or(""))
            );
            let style = if *status == ToolStatus::Error {
                t.error()
            } else {
                t.secondary()
            };
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(
                    format!("{} ({st})", cut(&what, inner.saturating_sub(10))),
                    style,
                ),
            ]));
        }
        out.push(Line::raw(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pane_keeps_colours_and_drops_other_escapes() {
        let raw =
            "\u{1b}[32mok\u{1b}[0m \u{1b}]52;c;cm0gLXJm\u{7}done\u{1b}[2J\n\u{1b}]0;pwned\u{7}x";
        let lines = pane_lines(raw);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text, vec!["ok done", "x"]);
        assert_eq!(
            lines[0].spans[0].style.fg,
            Some(ratatui::style::Color::Green)
        );
        for l in &text {
            assert!(!l.contains('\u{1b}') && !l.contains('\u{7}'), "{l:?}");
        }
    }
}
