//! The picker's keys: `[picker.keys]` of the configuration file, turned into a lookup from a
//! key to an [`Action`].

use super::state::{Action, Mode};
use crate::config;
use crate::config::keys::{Bindings, KeySpec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Bindings<Action>,
}

impl Keymap {
    /// The bindings of `[picker]`; without `vim_keys`, single letters are left out, so every
    /// letter starts the filter.
    pub fn new(picker: &config::Picker) -> Keymap {
        let k = &picker.keys;
        let actions = [
            (&k.up, Action::Up),
            (&k.down, Action::Down),
            (&k.jump, Action::Accept),
            (&k.quit, Action::Cancel),
            (&k.filter, Action::StartFilter),
            (&k.filter_clear, Action::Escape),
            (&k.backspace, Action::Backspace),
            (&k.allow_once, Action::AllowOnce),
            (&k.allow_always, Action::AllowAlways),
            (&k.reject, Action::Reject),
            (&k.choose, Action::Choose(0)),
            (&k.answer, Action::AnswerStart),
        ];
        let letter = |s: &KeySpec| {
            s.is_plain_char()
                && matches!(s.code, crossterm::event::KeyCode::Char(c) if c.is_alphabetic())
        };
        let bindings = Bindings::new(actions)
            .retain(|s| picker.vim_keys || !letter(s))
            .numbered(|a, n| matches!(a, Action::Choose(_)).then_some(Action::Choose(n)));
        Keymap { bindings }
    }

    /// The action bound to `key`. A plain character acts only while navigating: once a filter
    /// is being typed, it types.
    pub fn action(&self, key: KeySpec, mode: Mode) -> Option<Action> {
        self.bindings.action(key, mode != Mode::Navigate).cloned()
    }

    /// The first key bound to `action`, as the file writes it (for the hints on screen).
    pub fn key_for(&self, action: &Action) -> Option<String> {
        self.bindings.keys_for(action).next().map(|s| s.to_string())
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&config::Picker::default())
    }
}
