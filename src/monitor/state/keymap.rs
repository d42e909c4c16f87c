//! The monitor's keys: `[monitor.keys]` of the configuration file, turned into one lookup from
//! a key to an [`Action`] for each place a key can act in.

use crate::config::MonitorKeys;
use crate::config::key_tables::KeyName;
use crate::config::keys::{Bindings, KeySpec, Keys};
use crate::interact::answer::AnswerKey;
use crate::interact::drive::DriveKey;
use crate::monitor::state::action::Action;
use crate::monitor::state::{App, View};

/// Where a key acts: what is on screen decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    List,
    Detail,
    /// The fleet view: every session's day.
    Fleet,
    /// A panel (help, todos, MCP servers) over the list or the detail view.
    Panel,
    /// The filter prompt, where plain characters type.
    Filter,
    /// The prompt of a typed answer or a message, where plain characters type.
    Answer,
    /// The y/n line before interrupting or ending.
    Confirm,
}

impl Place {
    /// The prompt comes before a panel, and a panel before the view under it.
    pub fn of(app: &App) -> Place {
        if app.confirming.is_some() {
            Place::Confirm
        } else if app.answering.is_some() || app.messaging.is_some() {
            Place::Answer
        } else if app.editing_filter {
            Place::Filter
        } else if app.panel.is_some() {
            Place::Panel
        } else {
            match app.view {
                View::List => Place::List,
                View::Detail => Place::Detail,
                View::Fleet => Place::Fleet,
            }
        }
    }
}

impl crate::interact::keymap::Place for Place {
    fn typing(self) -> bool {
        matches!(self, Place::Filter | Place::Answer)
    }
}

/// The monitor's keys: one table of [`Action`]s for each [`Place`].
pub type Keymap = crate::interact::keymap::Keymap<Place, Action>;

impl Keymap {
    pub fn new(keys: &MonitorKeys) -> Keymap {
        let bind = |actions: Vec<(KeyName, &Keys)>| {
            Bindings::new(
                actions
                    .into_iter()
                    .filter_map(|((_, name), keys)| Some((keys, named(name)?))),
            )
            .numbered(|a, n| {
                matches!(a, Action::Answer(AnswerKey::Choose(_)))
                    .then_some(Action::Answer(AnswerKey::Choose(n)))
            })
        };
        let p = keys.places();
        Keymap::of(vec![
            (Place::List, bind(p.list)),
            (Place::Detail, bind(p.detail)),
            (Place::Fleet, bind(p.fleet)),
            (Place::Panel, bind(p.panel)),
            (Place::Filter, bind(p.filter)),
            (Place::Answer, bind(p.answer)),
            (Place::Confirm, bind(p.confirm)),
        ])
    }

    /// Every bound action once, with its keys in every place, in the file's order: what the
    /// help lists (the numbered `choose` keys as one).
    pub fn help(&self) -> Vec<(Action, Vec<KeySpec>)> {
        let mut out: Vec<(Action, Vec<KeySpec>)> = Vec::new();
        let one = |a: &Action| match a {
            Action::Answer(AnswerKey::Choose(_)) => Action::Answer(AnswerKey::Choose(0)),
            a => a.clone(),
        };
        for (key, action) in self.all() {
            let action = &one(action);
            match out.iter_mut().find(|(a, _)| a == action) {
                Some((_, keys)) if keys.contains(key) => {}
                Some((_, keys)) => keys.push(*key),
                None => out.push((action.clone(), vec![*key])),
            }
        }
        out
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&MonitorKeys::default())
    }
}

/// The action a name in `[monitor.keys]` stands for; a name means the same in every table.
fn named(name: &str) -> Option<Action> {
    Some(match name {
        "up" => Action::Up,
        "down" => Action::Down,
        "page_up" => Action::PageUp,
        "page_down" => Action::PageDown,
        "top" => Action::Top,
        "bottom" => Action::Bottom,
        "quit" => Action::Quit,
        "detail" => Action::OpenDetail,
        "back" => Action::CloseDetail,
        "tab" => Action::DetailTab,
        "close" => Action::ClosePanel,
        "jump" => Action::Jump,
        "filter" => Action::FilterStart,
        "filter_clear" | "clear" => Action::FilterClear,
        "done" => Action::FilterDone,
        "backspace" => Action::FilterBackspace,
        "sort_next" => Action::SortNext,
        "sort_prev" => Action::SortPrev,
        "sort_flip" => Action::SortFlip,
        "all" => Action::ToggleAll,
        "procs" => Action::ToggleProcs,
        "todos" => Action::ToggleTodos,
        "mcp" => Action::ToggleMcp,
        "copy_id" => Action::CopyId,
        "refresh" => Action::Refresh,
        "help" => Action::ToggleHelp,
        "fleet" => Action::ToggleFleet,
        "allow_once" => Action::Answer(AnswerKey::AllowOnce),
        "allow_always" => Action::Answer(AnswerKey::AllowAlways),
        "reject" => Action::Answer(AnswerKey::Reject),
        "choose" => Action::Answer(AnswerKey::Choose(0)),
        "answer" => Action::Answer(AnswerKey::Type),
        "send" => Action::AnswerDone,
        "cancel" => Action::AnswerCancel,
        "erase" => Action::AnswerBackspace,
        "message" => Action::Drive(DriveKey::Send),
        "interrupt" => Action::Drive(DriveKey::Interrupt),
        "end" => Action::Drive(DriveKey::End),
        "yes" => Action::ConfirmYes,
        "no" => Action::ConfirmNo,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KeySpec {
        KeySpec::parse(s).unwrap()
    }

    #[test]
    fn every_name_in_the_file_is_an_action_with_a_description() {
        let keys = MonitorKeys::default();
        let p = keys.places();
        for ((table, name), _) in [
            p.list, p.detail, p.fleet, p.panel, p.filter, p.answer, p.confirm,
        ]
        .concat()
        {
            let action = named(name).unwrap_or_else(|| panic!("{table}.{name} is no action"));
            assert!(action.describe().is_some(), "{table}.{name} has no help");
        }
    }

    #[test]
    fn keys_mean_what_their_place_says() {
        let m = Keymap::default();
        assert_eq!(m.action(Place::List, k("q")), Some(Action::Quit));
        assert_eq!(m.action(Place::Detail, k("q")), Some(Action::CloseDetail));
        assert_eq!(m.action(Place::Panel, k("q")), Some(Action::ClosePanel));
        assert_eq!(m.action(Place::Filter, k("q")), None, "q types");
        assert_eq!(m.action(Place::Filter, k("ctrl-c")), Some(Action::Quit));
        assert_eq!(m.action(Place::List, k("tab")), Some(Action::Jump));
        assert_eq!(m.action(Place::Detail, k("tab")), Some(Action::DetailTab));
        assert_eq!(m.action(Place::Panel, k("space")), Some(Action::PageDown));
        assert_eq!(m.action(Place::Filter, k("pagedown")), None);
        assert_eq!(
            m.action(Place::Detail, k("f1")),
            None,
            "f1 is the list's only"
        );
        assert_eq!(m.key_for(Place::List, &Action::Quit).as_deref(), Some("q"));
        assert_eq!(
            m.key_for(Place::Detail, &Action::Quit).as_deref(),
            Some("ctrl-c")
        );
    }

    #[test]
    fn the_help_joins_each_actions_keys_from_every_place() {
        let help = Keymap::default().help();
        let keys = |a: Action| -> Vec<String> {
            let (_, keys) = help.iter().find(|(b, _)| *b == a).unwrap();
            keys.iter().map(ToString::to_string).collect()
        };
        assert_eq!(keys(Action::Quit), ["q", "ctrl-c"]);
        assert_eq!(keys(Action::Jump), ["o", "tab"]);
        assert_eq!(keys(Action::Up), ["k", "up"]);
        assert_eq!(help.first().map(|(a, _)| a), Some(&Action::Quit));
    }
}
