//! The picker's keys: `[picker.keys]` of the configuration file, bound through the one keymap
//! mechanism ([`crate::interact::keymap`]) in each of the picker's modes.

use super::state::{Action, Mode};
use crate::config;
use crate::config::keys::{Bindings, KeySpec};
use crate::interact::answer::AnswerKey;
use crate::interact::drive::DriveKey;

impl crate::interact::keymap::Place for Mode {
    /// Once a filter or an answer is being typed, a plain character types.
    fn typing(self) -> bool {
        matches!(self, Mode::Filter | Mode::Answer)
    }
}

/// The picker's keys: the same table in each [`Mode`].
pub type Keymap = crate::interact::keymap::Keymap<Mode, Action>;

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
            (&k.allow_once, Action::Answer(AnswerKey::AllowOnce)),
            (&k.allow_always, Action::Answer(AnswerKey::AllowAlways)),
            (&k.reject, Action::Answer(AnswerKey::Reject)),
            (&k.choose, Action::Answer(AnswerKey::Choose(0))),
            (&k.answer, Action::Answer(AnswerKey::Type)),
            (&k.message, Action::Drive(DriveKey::Send)),
            (&k.interrupt, Action::Drive(DriveKey::Interrupt)),
            (&k.end, Action::Drive(DriveKey::End)),
        ];
        let letter = |s: &KeySpec| {
            s.is_plain_char()
                && matches!(s.code, crossterm::event::KeyCode::Char(c) if c.is_alphabetic())
        };
        let bindings = Bindings::new(actions)
            .retain(|s| picker.vim_keys || !letter(s))
            .numbered(|a, n| {
                matches!(a, Action::Answer(AnswerKey::Choose(_)))
                    .then_some(Action::Answer(AnswerKey::Choose(n)))
            });
        let mut places: Vec<_> = [Mode::Navigate, Mode::Filter, Mode::Answer]
            .map(|m| (m, bindings.clone()))
            .into();
        // The y/n line: its `yes` key acts (whatever `vim_keys` says), any other drops it.
        places.push((Mode::Confirm, Bindings::new([(&k.yes, Action::Yes)])));
        Keymap::of(places)
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&config::Picker::default())
    }
}
