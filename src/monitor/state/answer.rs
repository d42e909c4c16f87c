//! The monitor's answer keys, through the one rule in [`crate::interact::answer`]: the order
//! goes to the collector thread as an effect, a refusal is a note, a typed answer opens a prompt.

use crate::interact::answer::{self, Pressed};
use crate::monitor::state::action::Action;
use crate::monitor::state::{App, Effect};

impl App {
    /// An answer action: the order to send, a prompt to open or edit, or a note saying why not.
    pub(super) fn answer(&mut self, action: Action) -> Option<Effect> {
        if self.messaging.is_some() {
            return self.message(action);
        }
        let pressed = match action {
            Action::Answer(key) => answer::press(self.the_row()?, key),
            Action::AnswerInput(c) => {
                if let Some(a) = &mut self.answering {
                    a.text.push(c);
                }
                return None;
            }
            Action::AnswerBackspace => {
                if let Some(a) = &mut self.answering {
                    a.text.pop();
                }
                return None;
            }
            Action::AnswerCancel => {
                self.answering = None;
                return None;
            }
            Action::AnswerDone => self.answering.take()?.finish(),
            _ => return None,
        };
        match pressed {
            Pressed::Send(order) => {
                self.post(answer::sending(&order), false);
                Some(Effect::Answer(Box::new(order)))
            }
            Pressed::Typing(typing) => {
                self.answering = Some(typing);
                None
            }
            Pressed::Refused(why) => {
                self.post(why, true);
                None
            }
        }
    }
}
