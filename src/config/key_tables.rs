//! The tables of keys in the configuration file, `[picker.keys]` and `[monitor.keys.*]`: each
//! action with its default keys, and where each acts, so that a key bound to two actions in one
//! place is refused when the file is read. What an action does is for the picker
//! (`pick/keymap.rs`) and the monitor (`monitor/state/keymap.rs`) to say.

use serde::Deserialize;

use super::keys::{self, KeySpec, Keys, key_table};

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
        allow_once: ["alt-a"],
        allow_always: ["alt-!"],
        reject: ["alt-r"],
        choose: ["alt-1", "alt-2", "alt-3", "alt-4", "alt-5", "alt-6", "alt-7", "alt-8", "alt-9"],
        answer: ["alt-t"],
        message: ["alt-s"],
        interrupt: ["alt-i"],
        end: ["alt-e"],
        yes: ["y"],
    }
}

impl PickerKeys {
    /// A key bound to two actions, as `(key, first action, second action)`.
    pub fn conflict(&self) -> Option<(KeySpec, &'static str, &'static str)> {
        keys::conflict(&self.actions())
    }
}

key_table! {
    /// `[monitor.keys.move]`: moving through the list; scrolling the detail view and panels.
    MoveKeys {
        up: ["k", "up"],
        down: ["j", "down"],
        page_up: ["pageup"],
        page_down: ["pagedown", "space"],
        top: ["g", "home"],
        bottom: ["G", "end"],
    }
}

key_table! {
    /// `[monitor.keys.list]`: the list of sessions.
    ListKeys {
        quit: ["q", "ctrl-c"],
        detail: ["enter"],
        jump: ["o", "tab"],
        filter: ["/"],
        filter_clear: ["esc"],
        sort_next: [">", "."],
        sort_prev: ["<", ","],
        sort_flip: ["s"],
        all: ["a"],
        procs: ["p"],
        todos: ["t"],
        mcp: ["m"],
        copy_id: ["y"],
        refresh: ["r"],
        help: ["?", "f1"],
        fleet: ["f"],
        allow_once: ["A"],
        allow_always: ["!"],
        reject: ["R"],
        choose: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        answer: ["T"],
        message: ["S"],
        interrupt: ["I"],
        end: ["K"],
    }
}

key_table! {
    /// `[monitor.keys.detail]`: the detail view of one session.
    DetailKeys {
        back: ["esc", "q", "backspace"],
        tab: ["tab", "backtab"],
        jump: ["o"],
        copy_id: ["y"],
        refresh: ["r"],
        todos: ["t"],
        mcp: ["m"],
        help: ["?"],
        quit: ["ctrl-c"],
        allow_once: ["A"],
        allow_always: ["!"],
        reject: ["R"],
        choose: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        answer: ["T"],
        message: ["S"],
        interrupt: ["I"],
        end: ["K"],
    }
}

key_table! {
    /// `[monitor.keys.fleet]`: the fleet view, every session's day on one time axis.
    FleetKeys {
        fleet: ["f", "esc", "q"],
        detail: ["enter"],
        filter: ["/"],
        sort_next: [">", "."],
        sort_prev: ["<", ","],
        sort_flip: ["s"],
        jump: ["o", "tab"],
        copy_id: ["y"],
        refresh: ["r"],
        help: ["?", "f1"],
        quit: ["ctrl-c"],
    }
}

key_table! {
    /// `[monitor.keys.panel]`: a panel (help, todos, MCP servers) over the list or detail view.
    PanelKeys {
        close: ["esc", "q", "enter"],
        todos: ["t"],
        mcp: ["m"],
        help: ["?"],
        quit: ["ctrl-c"],
    }
}

key_table! {
    /// `[monitor.keys.filter]`: the filter prompt, where plain characters type.
    FilterKeys {
        done: ["enter"],
        clear: ["esc"],
        backspace: ["backspace"],
        up: ["up"],
        down: ["down"],
        quit: ["ctrl-c"],
    }
}

key_table! {
    /// `[monitor.keys.answer]`: the prompt of a typed answer, where plain characters type.
    AnswerKeys {
        send: ["enter"],
        cancel: ["esc"],
        erase: ["backspace"],
        quit: ["ctrl-c"],
    }
}

key_table! {
    /// `[monitor.keys.confirm]`: the y/n line before interrupting a turn or ending a process.
    ConfirmKeys {
        yes: ["y"],
        no: ["n", "esc"],
        quit: ["ctrl-c"],
    }
}

/// `[monitor.keys]`: a table for each place a key acts in, and `move` for three of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitorKeys {
    #[serde(rename = "move")]
    pub moving: MoveKeys,
    pub list: ListKeys,
    pub detail: DetailKeys,
    pub fleet: FleetKeys,
    pub panel: PanelKeys,
    pub filter: FilterKeys,
    pub answer: AnswerKeys,
    pub confirm: ConfirmKeys,
}

/// An action as `[monitor.keys]` names it: its table and its name (`("list", "jump")`).
pub type KeyName = (&'static str, &'static str);

/// The actions that act in each place the monitor reads keys in, with their keys.
pub struct MonitorPlaces<'a> {
    pub list: Vec<(KeyName, &'a Keys)>,
    pub detail: Vec<(KeyName, &'a Keys)>,
    pub fleet: Vec<(KeyName, &'a Keys)>,
    pub panel: Vec<(KeyName, &'a Keys)>,
    pub filter: Vec<(KeyName, &'a Keys)>,
    pub answer: Vec<(KeyName, &'a Keys)>,
    pub confirm: Vec<(KeyName, &'a Keys)>,
}

impl MonitorKeys {
    /// A view's own table acts there; `move` acts in the list, the detail and fleet views and
    /// panels.
    pub fn places(&self) -> MonitorPlaces<'_> {
        fn named<'a>(
            table: &'static str,
            actions: Vec<(&'static str, &'a Keys)>,
        ) -> impl Iterator<Item = (KeyName, &'a Keys)> {
            actions.into_iter().map(move |(name, k)| ((table, name), k))
        }
        let with_move = |table, actions| {
            named(table, actions)
                .chain(named("move", self.moving.actions()))
                .collect()
        };
        MonitorPlaces {
            list: with_move("list", self.list.actions()),
            detail: with_move("detail", self.detail.actions()),
            fleet: with_move("fleet", self.fleet.actions()),
            panel: with_move("panel", self.panel.actions()),
            filter: named("filter", self.filter.actions()).collect(),
            answer: named("answer", self.answer.actions()).collect(),
            confirm: named("confirm", self.confirm.actions()).collect(),
        }
    }

    /// A key bound to two actions that act in the same place.
    pub fn conflict(&self) -> Option<(KeySpec, KeyName, KeyName)> {
        let p = self.places();
        [
            p.list, p.detail, p.fleet, p.panel, p.filter, p.answer, p.confirm,
        ]
        .iter()
        .find_map(|actions| keys::conflict(actions))
    }
}
