//! Colours as the configuration file writes them, and its `[monitor.colours]` table: a name
//! (`"magenta"`, `"light-blue"`, `"dark-gray"`, `"reset"`), a 256-colour index (`42`, `"42"`, or
//! tmux's `"colour42"`) or `"#rrggbb"`. Names, indices and hex are ratatui's own parser (`Color`'s
//! `FromStr`); this only adds the tmux spellings and a message that says what is accepted.

use std::fmt;

use ratatui::style::Color;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::error::Error;

/// One colour from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub Color);

/// What the file may write, for error messages.
const EXPECTED: &str = "a colour name (\"magenta\", \"light-blue\", \"dark-gray\", \"reset\"), \
a 256-colour index (0-255 or \"colour244\") or \"#rrggbb\"";

impl Colour {
    pub fn parse(s: &str) -> crate::error::Result<Colour> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let t = match lower.as_str() {
            // tmux's words for the terminal's own colour and its indexed colours.
            "default" => "reset",
            l => l
                .strip_prefix("colour")
                .or_else(|| l.strip_prefix("color"))
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or(t),
        };
        t.parse::<Color>()
            .map(Colour)
            .map_err(|_| Error::Invalid(format!("unknown colour \"{s}\": expected {EXPECTED}")))
    }
}

impl<'de> de::Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Colour;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Colour, E> {
                Colour::parse(s).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Colour, E> {
                u8::try_from(n)
                    .map(|n| Colour(Color::Indexed(n)))
                    .map_err(|_| E::custom(format!("colour index {n} is not 0-255")))
            }
        }
        d.deserialize_any(V)
    }
}

/// `[monitor.colours]`: colours that override the theme's, each unset by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitorColours {
    pub waiting: Option<Colour>,
    pub error: Option<Colour>,
    pub working: Option<Colour>,
    /// Working, but in a transitional phase (`Status::is_transitional`).
    pub thinking: Option<Colour>,
    pub idle: Option<Colour>,
    pub stalled: Option<Colour>,
    /// Idle and done (finished since you last looked).
    pub done: Option<Colour>,
    pub title: Option<Colour>,
    pub header: Option<Colour>,
    pub selection: Option<Colour>,
}

impl MonitorColours {
    /// Every key with its name in the file, in the file's order.
    pub fn roles(&self) -> [(&'static str, Option<Colour>); 10] {
        [
            ("waiting", self.waiting),
            ("error", self.error),
            ("working", self.working),
            ("thinking", self.thinking),
            ("idle", self.idle),
            ("stalled", self.stalled),
            ("done", self.done),
            ("title", self.title),
            ("header", self.header),
            ("selection", self.selection),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_indices_and_hex() {
        let p = |s| Colour::parse(s).map(|c| c.0).ok();
        assert_eq!(p("magenta"), Some(Color::Magenta));
        assert_eq!(p("light-blue"), Some(Color::LightBlue));
        assert_eq!(p("Dark Gray"), Some(Color::DarkGray));
        assert_eq!(p("reset"), Some(Color::Reset));
        assert_eq!(p("default"), Some(Color::Reset));
        assert_eq!(p("244"), Some(Color::Indexed(244)));
        assert_eq!(p("colour244"), Some(Color::Indexed(244)));
        assert_eq!(p("color7"), Some(Color::Indexed(7)));
        assert_eq!(p("#ff8000"), Some(Color::Rgb(255, 128, 0)));
    }

    #[test]
    fn a_bad_colour_says_what_is_accepted() {
        for bad in ["purpl", "256", "colour", "colour256", "#ff80", ""] {
            let err = Colour::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("\"{bad}\"")), "{err}");
            assert!(err.contains("#rrggbb"), "{err}");
        }
    }
}
