//! Colours and emphasis. With `NO_COLOR` set every colour is dropped, but bold, dim and
//! reverse remain, so the selection and the waiting status still stand out. The file's
//! `[monitor.colours]` override single colours of the dark or light theme.

use ratatui::style::{Color, Modifier, Style};

use crate::config::colour::{Colour, MonitorColours};
use crate::model::state::{State, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// Colours for a light background (`theme = "light"`): darker greens and yellows, a light
    /// selection bar.
    pub light: bool,
    /// Colours the file sets (`[monitor.colours]`), used as written on either background.
    pub colours: MonitorColours,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: true,
            light: false,
            colours: MonitorColours::default(),
        }
    }
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to anything non-empty (<https://no-color.org>).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            ..Theme::default()
        }
    }

    /// The look `[monitor]` asks for (`theme`, `colours`), under `NO_COLOR`'s veto: the monitor
    /// and the picker both draw with it.
    pub fn from_config(monitor: &crate::config::Monitor) -> Self {
        let env = Theme::from_env();
        Theme {
            color: env.color && monitor.theme != crate::config::ThemeName::None,
            light: monitor.theme == crate::config::ThemeName::Light,
            colours: monitor.colours,
        }
    }

    /// Foreground: the file's colour (`own`) as written, else the theme's `c` made to suit
    /// the background; none without colour.
    fn fg_or(&self, own: Option<Colour>, c: Option<Color>) -> Style {
        match own.map(|o| o.0).or(c.map(|c| self.on_background(c))) {
            Some(c) if self.color => Style::new().fg(c),
            _ => Style::new(),
        }
    }

    fn fg(&self, c: Color) -> Style {
        self.fg_or(None, Some(c))
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
        let own = &self.colours;
        match status.state {
            State::Waiting => self
                .fg_or(own.waiting, Some(Color::Magenta))
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
            State::Error => self
                .fg_or(own.error, Some(Color::Red))
                .add_modifier(Modifier::BOLD),
            State::Working if status.is_transitional() => {
                self.fg_or(own.thinking, Some(Color::Yellow))
            }
            State::Working => self.fg_or(own.working, Some(Color::Green)),
            State::Idle => self.fg_or(own.idle, None),
            State::Stalled => self.fg_or(own.stalled, None).add_modifier(Modifier::DIM),
        }
    }

    /// A row's status cell: [`Theme::status`], or done's own colour (not working's green).
    pub fn row_status(&self, row: &crate::model::row::Row) -> Style {
        if row.is_done() {
            self.fg_or(self.colours.done, Some(Color::Blue))
        } else {
            self.status(&row.status)
        }
    }

    pub fn title_bar(&self) -> Style {
        self.fg_or(self.colours.title, Some(Color::Cyan))
            .add_modifier(Modifier::BOLD)
    }

    pub fn column_header(&self) -> Style {
        if self.color {
            let bg = self.colours.header.map_or(Color::Green, |c| c.0);
            Style::new().fg(Color::Black).bg(bg)
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
            let theirs = if self.light {
                Color::Indexed(252)
            } else {
                Color::DarkGray
            };
            let bg = self.colours.selection.map_or(theirs, |c| c.0);
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
            ..Theme::default()
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
    fn the_files_colours_win_on_either_background() {
        let colours = crate::config::parse(
            "[monitor.colours]\nworking = \"light-blue\"\nidle = 244\nselection = \"#102030\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap()
        .monitor
        .colours;
        let working = Status::new(State::Working, "generating");
        let idle = Status::new(State::Idle, "idle");
        let waiting = Status::new(State::Waiting, "asking");
        for light in [false, true] {
            let t = Theme {
                light,
                colours,
                ..Theme::default()
            };
            let theirs = Theme {
                light,
                ..Theme::default()
            };
            assert_eq!(t.status(&working).fg, Some(Color::LightBlue));
            assert_eq!(t.status(&idle).fg, Some(Color::Indexed(244)));
            assert_eq!(theirs.status(&idle).fg, None);
            assert_eq!(t.selected().bg, Some(Color::Rgb(0x10, 0x20, 0x30)));
            // Unset keys keep the theme's colour.
            assert_eq!(t.status(&waiting), theirs.status(&waiting));
            assert_eq!(t.title_bar(), theirs.title_bar());
        }
        let none = Theme {
            color: false,
            colours,
            ..Theme::default()
        };
        assert_eq!(none.status(&working).fg, None, "theme = \"none\" wins");
        assert_eq!(none.selected().bg, None);
        assert_eq!(none.column_header().bg, None);
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

    /// Done included: its own colour, not working's green (issue 28).
    fn states_differ(t: Theme) {
        let mut styles: Vec<Style> = [
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
        let done = crate::model::row::Row {
            unseen: true,
            ..crate::model::row::Row::bare(Status::new(State::Idle, "idle"))
        };
        assert!(done.is_done());
        styles.push(t.row_status(&done));
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
