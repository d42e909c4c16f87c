//! Key specs as the configuration file writes them (`"j"`, `"ctrl-n"`, `"enter"`, `"shift-tab"`),
//! parsed into something a terminal key event can be compared with.

use std::fmt;

use crate::error::Error;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// One key with its modifiers. Shift is folded into the key itself (`"J"`, `"backtab"`), as
/// terminals report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

/// Named keys, as written in the file (the first name of each is the one printed).
const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
];

impl KeySpec {
    /// Parses `"j"`, `"J"`, `"/"`, `"ctrl-n"`, `"alt-enter"`, `"shift-tab"`, `"f1"`, …
    pub fn parse(spec: &str) -> crate::error::Result<KeySpec> {
        let mut rest = spec;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            let flag = if lower.starts_with("ctrl-") {
                &mut ctrl
            } else if lower.starts_with("alt-") {
                &mut alt
            } else if lower.starts_with("shift-") {
                &mut shift
            } else {
                break;
            };
            // A lone "-" after the prefix is the minus key, not another prefix.
            let Some(i) = rest.find('-').filter(|i| i + 1 < rest.len()) else {
                break;
            };
            *flag = true;
            rest = &rest[i + 1..];
        }
        let unknown = || {
            Error::Invalid(format!(
                "unknown key `{spec}`: a single character, f1–f12, or one of {}; \
                 optionally after ctrl-, alt- or shift-",
                NAMED.iter().map(|n| n.0).collect::<Vec<_>>().join(", ")
            ))
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    *code
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    KeyCode::F(n)
                } else {
                    return Err(unknown());
                }
            }
        };
        let code = match (code, shift) {
            (KeyCode::Tab, true) => KeyCode::BackTab,
            (KeyCode::Char(c), true) => KeyCode::Char(c.to_ascii_uppercase()),
            (KeyCode::Char(c), false) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            (code, true) => {
                return Err(Error::Invalid(format!(
                    "`{spec}`: shift- goes with a letter or tab only ({code} cannot be told apart)"
                )));
            }
            (code, false) => code,
        };
        Ok(KeySpec { code, ctrl, alt })
    }

    /// The spec a terminal key event stands for.
    pub fn from_event(key: KeyEvent) -> KeySpec {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        let code = match key.code {
            KeyCode::Tab if shift => KeyCode::BackTab,
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        KeySpec {
            code,
            ctrl,
            alt: key.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// A printable character without ctrl or alt: the key that types it.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code}"),
            },
        }
    }
}

impl<'de> de::Deserialize<'de> for KeySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KeySpec::parse(&s).map_err(de::Error::custom)
    }
}

/// The keys of one action: a single spec (`"enter"`) or a list (`["down", "ctrl-n"]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keys(pub Vec<KeySpec>);

impl Keys {
    /// Parses specs known to be valid (the built-in defaults).
    pub fn of(specs: &[&str]) -> Keys {
        Keys(
            specs
                .iter()
                .filter_map(|s| KeySpec::parse(s).ok())
                .collect(),
        )
    }
}

impl<'de> de::Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key such as \"ctrl-n\", or a list of keys")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Keys, E> {
                KeySpec::parse(s).map(|k| Keys(vec![k])).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<KeySpec>()? {
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_any(V)
    }
}

/// The first key bound to two of `actions`, with both names: no key may mean two things in one
/// place, in any table of keys.
pub fn conflict<N: Copy>(actions: &[(N, &Keys)]) -> Option<(KeySpec, N, N)> {
    actions.iter().enumerate().find_map(|(i, (a, keys))| {
        keys.0.iter().find_map(|k| {
            actions[i + 1..]
                .iter()
                .find(|(_, other)| other.0.contains(k))
                .map(|(b, _)| (*k, *a, *b))
        })
    })
}

/// Keys bound to actions, one entry per key in the order the file lists them: the lookup the
/// picker and the monitor share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bindings<A>(Vec<(KeySpec, A)>);

impl<A: Clone + PartialEq> Bindings<A> {
    /// Every key of every action.
    pub fn new<'a>(actions: impl IntoIterator<Item = (&'a Keys, A)>) -> Self {
        Bindings(
            actions
                .into_iter()
                .flat_map(|(keys, a)| keys.0.iter().map(move |k| (*k, a.clone())))
                .collect(),
        )
    }

    /// Numbers the keys of one action: the n-th key whose action `number` takes gets
    /// `number(action, n)` (from 1), so one action of the file stands for a row of them
    /// (`choose`: its n-th key picks option n).
    pub fn numbered(mut self, number: impl Fn(&A, usize) -> Option<A>) -> Self {
        let mut n = 0;
        for (_, a) in &mut self.0 {
            if let Some(b) = number(a, n + 1) {
                *a = b;
                n += 1;
            }
        }
        self
    }

    /// Keeps only the keys `keep` accepts.
    pub fn retain(mut self, keep: impl Fn(&KeySpec) -> bool) -> Self {
        self.0.retain(|(k, _)| keep(k));
        self
    }

    /// The action bound to `key`. While `typing`, a plain character is text, never an action.
    pub fn action(&self, key: KeySpec, typing: bool) -> Option<&A> {
        self.0
            .iter()
            .find(|(k, _)| *k == key && !(typing && k.is_plain_char()))
            .map(|(_, a)| a)
    }

    /// The keys bound to `action`, in the file's order.
    pub fn keys_for<'s>(&'s self, action: &'s A) -> impl Iterator<Item = KeySpec> + 's {
        self.0
            .iter()
            .filter(move |(_, a)| a == action)
            .map(|(k, _)| *k)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(KeySpec, A)> {
        self.0.iter()
    }
}

/// Declares a table of actions and their keys (`[picker.keys]`, `[monitor.keys.list]`, …): the
/// struct, its default keys, and `actions()`, each action with its name in the file.
macro_rules! key_table {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: [$($key:literal),*],)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $crate::config::keys::Keys,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $crate::config::keys::Keys::of(&[$($key),*]),)* }
            }
        }

        impl $name {
            /// Every action with its name in the file, in the file's order.
            pub fn actions(&self) -> Vec<(&'static str, &$crate::config::keys::Keys)> {
                vec![$((stringify!($field), &self.$field)),*]
            }
        }
    };
}
pub(crate) use key_table;

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KeySpec {
        KeySpec::parse(s).unwrap()
    }

    fn ev(code: KeyCode, m: KeyModifiers) -> KeySpec {
        KeySpec::from_event(KeyEvent::new(code, m))
    }

    #[test]
    fn specs_parse_and_print_back() {
        for s in [
            "j",
            "J",
            "/",
            "-",
            "ctrl-n",
            "alt-x",
            "ctrl-alt-k",
            "enter",
            "esc",
            "backtab",
            "space",
            "pagedown",
            "f5",
            "ctrl--",
        ] {
            assert_eq!(k(s).to_string(), s, "{s}");
        }
        assert_eq!(k("Ctrl-N"), k("ctrl-n"));
        assert_eq!(k("shift-tab"), k("backtab"));
        assert_eq!(k("shift-j"), k("J"));
        assert_eq!(k("return"), k("enter"));
    }

    #[test]
    fn bad_specs_say_what_a_key_can_be() {
        for s in ["", "ctrl-", "enterr", "f13", "shift-enter", "jk"] {
            let err = KeySpec::parse(s).unwrap_err().to_string();
            assert!(err.contains(&format!("`{s}`")), "{s}: {err}");
        }
        assert!(
            KeySpec::parse("enterr")
                .unwrap_err()
                .to_string()
                .contains("ctrl-")
        );
    }

    #[test]
    fn events_match_their_specs() {
        assert_eq!(ev(KeyCode::Char('n'), KeyModifiers::CONTROL), k("ctrl-n"));
        assert_eq!(ev(KeyCode::Char('J'), KeyModifiers::SHIFT), k("J"));
        assert_eq!(ev(KeyCode::Tab, KeyModifiers::SHIFT), k("shift-tab"));
        assert_eq!(ev(KeyCode::BackTab, KeyModifiers::SHIFT), k("backtab"));
        assert_eq!(ev(KeyCode::Enter, KeyModifiers::NONE), k("enter"));
        assert_ne!(ev(KeyCode::Char('n'), KeyModifiers::NONE), k("ctrl-n"));
        assert!(k("q").is_plain_char() && !k("ctrl-q").is_plain_char() && !k("up").is_plain_char());
    }

    #[test]
    fn a_key_in_two_actions_is_a_conflict_and_bindings_find_it() {
        let (a, b, c) = (
            Keys::of(&["j", "down"]),
            Keys::of(&["k"]),
            Keys::of(&["x", "down"]),
        );
        assert_eq!(conflict(&[("a", &a), ("b", &b)]), None);
        assert_eq!(
            conflict(&[("a", &a), ("b", &b), ("c", &c)]),
            Some((k("down"), "a", "c"))
        );
        let bound = Bindings::new([(&a, 1), (&b, 2)]);
        assert_eq!(bound.action(k("down"), false), Some(&1));
        assert_eq!(bound.action(k("j"), true), None, "typing: j is text");
        assert_eq!(bound.action(k("down"), true), Some(&1));
        assert_eq!(bound.keys_for(&1).collect::<Vec<_>>(), [k("j"), k("down")]);
        let arrows = bound.retain(|s| !s.is_plain_char());
        assert_eq!(arrows.iter().count(), 1);
    }
}
