//! Answering the session a view is about: its permission (once, always, reject), its question
//! (an option, or a typed answer in a prompt of its own). The answer goes to the request the
//! row showed when the key was pressed; [`crate::reply::give`] refuses it if that request is
//! no longer pending by then.

use crate::model::request::Answer;
use crate::model::sanitize::clean;
use crate::monitor::state::action::Action;
use crate::monitor::state::{App, Effect};
use crate::reply::Order;

/// A typed answer being written, for the request it will go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Answering {
    pub text: String,
    /// The order, with an empty answer until it is sent.
    order: Order,
}

impl App {
    /// An answer action: the order to send, a prompt to open, or a note saying why not.
    pub(super) fn answer(&mut self, action: Action) -> Option<Effect> {
        let answer = match action {
            Action::AllowOnce => Answer::Once,
            Action::AllowAlways => Answer::Always,
            Action::Reject => Answer::Reject,
            Action::Choose(n) => Answer::Option(n),
            Action::AnswerStart => Answer::Text(String::new()),
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
            Action::AnswerDone => {
                let mut a = self.answering.take()?;
                a.order.answer = Answer::Text(a.text);
                return self.send(a.order);
            }
            _ => return None,
        };
        let row = self.the_row()?;
        let Some(request) = row.status.request.as_deref() else {
            self.post("this session waits for no answer", true);
            return None;
        };
        let order = Order::to_shown(row, answer.clone())?;
        if answer == Answer::Text(String::new()) {
            match request.check(&Answer::Text("x".into())) {
                Ok(()) => {
                    self.answering = Some(Answering {
                        text: String::new(),
                        order,
                    })
                }
                Err(why) => self.post(why, true),
            }
            return None;
        }
        self.send(order)
    }

    fn send(&mut self, order: Order) -> Option<Effect> {
        let request = order.row.status.request.as_deref()?;
        if let Err(why) = request.check(&order.answer) {
            self.post(why, true);
            return None;
        }
        self.post(
            format!(
                "answering {}: {}…",
                clean(&request.summary()),
                order.answer.describe()
            ),
            false,
        );
        Some(Effect::Answer(Box::new(order)))
    }
}
