//! The monitor's drive keys, through the one rule in [`crate::interact::drive`]: a message
//! opens its prompt (the typed answer's keys), an interrupt or an end its y/n line; the order
//! goes to the collector thread as an effect, a refusal is a note.

use crate::interact::drive::{self, Pressed};
use crate::monitor::state::action::Action;
use crate::monitor::state::{App, Effect};

impl App {
    /// A drive key, or the y/n line's answer.
    pub(super) fn drive(&mut self, action: Action) -> Option<Effect> {
        let pressed = match action {
            Action::Drive(key) => drive::press(self.the_row()?, key, self.end_grace),
            Action::ConfirmYes => Pressed::Act(self.confirming.take()?.order),
            Action::ConfirmNo => {
                self.confirming = None;
                return None;
            }
            _ => return None,
        };
        self.pressed(pressed)
    }

    /// The message prompt's keys (those of a typed answer).
    pub(super) fn message(&mut self, action: Action) -> Option<Effect> {
        let m = self.messaging.as_mut()?;
        match action {
            Action::AnswerInput(c) => m.text.push(c),
            Action::AnswerBackspace => {
                m.text.pop();
            }
            Action::AnswerCancel => self.messaging = None,
            Action::AnswerDone => {
                let pressed = self.messaging.take()?.finish();
                return self.pressed(pressed);
            }
            _ => {}
        }
        None
    }

    fn pressed(&mut self, pressed: Pressed) -> Option<Effect> {
        match pressed {
            Pressed::Act(order) => {
                self.post(drive::acting(&order), false);
                return Some(Effect::Drive(Box::new(order)));
            }
            Pressed::Message(m) => self.messaging = Some(m),
            Pressed::Confirm(c) => self.confirming = Some(c),
            Pressed::Refused(why) => self.post(why, true),
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{Focus, Source};
    use crate::interact::drive::DriveKey;
    use crate::model::state::State;

    /// The demo's fleet, with the selection on the first row in `state`.
    fn app_on(state: State) -> App {
        let mut app = App::new(0, crate::tui::theme::Theme::default());
        let snap = crate::collect::demo::DemoSource::default().collect(&Focus::default(), 0);
        app.ingest(snap);
        while app.the_row().is_some_and(|r| r.status.state != state) {
            let before = app.selected;
            app.apply(Action::Down);
            assert_ne!(app.selected, before, "no {state:?} row in the demo");
        }
        app
    }

    #[test]
    fn interrupt_asks_then_acts_and_n_drops_it() {
        let mut app = app_on(State::Working);
        assert_eq!(app.apply(Action::Drive(DriveKey::Interrupt)), None);
        assert!(app.confirming.is_some(), "the y/n line opens");
        assert_eq!(app.apply(Action::ConfirmNo), None);
        assert!(app.confirming.is_none());
        app.apply(Action::Drive(DriveKey::End));
        let Some(Effect::Drive(order)) = app.apply(Action::ConfirmYes) else {
            panic!("y acts")
        };
        assert_eq!(order.act.verb(), "end");
    }

    #[test]
    fn a_message_is_typed_then_sent() {
        let mut app = app_on(State::Idle);
        app.apply(Action::Drive(DriveKey::Send));
        assert!(app.messaging.is_some(), "the prompt opens");
        for c in "go on".chars() {
            app.apply(Action::AnswerInput(c));
        }
        let Some(Effect::Drive(order)) = app.apply(Action::AnswerDone) else {
            panic!("enter sends")
        };
        assert_eq!(order.act, crate::drive::Act::Send("go on".into()));
        // A session waiting for an answer takes no message: said at once.
        let mut app = app_on(State::Waiting);
        assert_eq!(app.apply(Action::Drive(DriveKey::Send)), None);
        assert!(app.messaging.is_none());
        assert!(
            app.note
                .as_ref()
                .is_some_and(|n| n.text.contains("answer it first"))
        );
    }
}
