//! The tables of keys in the configuration file: each action with its default keys, so that a
//! key bound to two actions in one place is refused when the file is read. What an action does
//! is for the picker (`pick/keymap.rs`) to say.

use super::keys::{self, KeySpec, key_table};

key_table! {
    /// The picker's actions and their keys (`[picker.keys]`).
    PickerKeys {
        up: ["k", "up", "ctrl-p"],
        down: ["j", "down", "ctrl-n"],
        jump: ["enter"],
        quit: ["q", "ctrl-c"],
        filter: ["/"],
        filter_clear: ["esc"],
        backspace: ["backspace"],
    }
}

impl PickerKeys {
    /// A key bound to two actions, as `(key, first action, second action)`.
    pub fn conflict(&self) -> Option<(KeySpec, &'static str, &'static str)> {
        keys::conflict(&self.actions())
    }
}
