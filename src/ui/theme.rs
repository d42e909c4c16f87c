//! Colours and emphasis. With `NO_COLOR` set every colour is dropped, but bold, dim and
//! reverse remain, so the selection and the waiting status still stand out.

use ratatui::style::{Color, Modifier, Style};

use crate::model::state::{State, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// Colours for a light background (`theme = "light"`): darker greens and yellows, a light
    /// selection bar.
    pub light: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: true,
            light: false,
        }
    }
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to anything non-empty (<https://no-color.org>).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            light: false,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(self.on_background(c))
        } else {
            Style::new()
        }
    }

    /// The colour to use for `c` on this theme's background: yellow, green and cyan wash out
    /// on white, so the light theme darkens them.
    fn on_background(&self, c: Color) -> Color {
        match (self.light, c) {
            (true, Color::Yellow) => Color::Indexed(130),
            (true, Color::Green) => Color::Indexed(28),
            (true, Color::Cyan) => Color::Blue,
            (_, c) => c,
        }
    }

    /// Status cell style. Waiting must stand out from everything else: bold reverse magenta.
    pub fn status(&self, status: &Status) -> Style {
        match status.state {
            State::Waiting => self
                .fg(Color::Magenta)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            State::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            State::Working if status.is_transitional() => self.fg(Color::Yellow),
            State::Working => self.fg(Color::Green),
            State::Idle => Style::new(),
            State::Stalled => Style::new().add_modifier(Modifier::DIM),
        }
    }

    pub fn title_bar(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn column_header(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Green)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The header label of the active sort column.
    pub fn sort_header(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    pub fn selected(&self) -> Style {
        if self.color {
            let bg = if self.light {
                Color::Indexed(252)
            } else {
                Color::DarkGray
            };
            Style::new().bg(bg).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// Secondary text: the LAST line, helper rows.
    pub fn secondary(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.fg(Color::Blue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_emphasis_only() {
        let t = Theme {
            color: false,
            light: false,
        };
        let waiting = t.status(&Status::new(State::Waiting, "asking"));
        assert_eq!(waiting.fg, None);
        assert!(waiting.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.selected().bg, None);
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn the_light_theme_darkens_what_washes_out_on_white() {
        let dark = Theme::default();
        let light = Theme {
            light: true,
            ..Theme::default()
        };
        let working = Status::new(State::Working, "generating");
        assert_eq!(dark.status(&working).fg, Some(Color::Green));
        assert_eq!(light.status(&working).fg, Some(Color::Indexed(28)));
        assert_eq!(light.warning().fg, Some(Color::Indexed(130)));
        assert_ne!(light.selected().bg, dark.selected().bg);
        let waiting = Status::new(State::Waiting, "asking");
        assert_eq!(light.status(&waiting), dark.status(&waiting));
    }

    #[test]
    fn states_are_told_apart() {
        for t in [
            Theme::default(),
            Theme {
                light: true,
                ..Theme::default()
            },
        ] {
            states_differ(t);
        }
    }

    fn states_differ(t: Theme) {
        let styles: Vec<Style> = [
            Status::new(State::Waiting, "permission"),
            Status::new(State::Error, "retrying"),
            Status::new(State::Working, "thinking"),
            Status::new(State::Working, "generating"),
            Status::new(State::Idle, "idle"),
            Status::new(State::Stalled, "stalled"),
        ]
        .iter()
        .map(|s| t.status(s))
        .collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
