//! Answering the session a view is about: its permission (once, always, reject) or its question
//! (an option, or a typed answer in a prompt of its own). The answer goes to the request the row
//! showed when the key was pressed; [`crate::reply::give`] refuses it if that request is no
//! longer pending by then.

use crate::model::request::Answer;
use crate::model::request::Order;
use crate::model::row::Row;
use crate::model::sanitize::clean;

/// What a view says when the row waits on no request.
const NOTHING_ASKED: &str = "this session waits for no answer";

/// A key that answers the request of the row a view is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerKey {
    AllowOnce,
    AllowAlways,
    Reject,
    /// The question's n-th option (from 1; 0 before a keymap numbers them).
    Choose(usize),
    /// Open the prompt of a typed answer.
    Type,
}

impl AnswerKey {
    /// What the key says in a hint.
    pub fn label(self) -> &'static str {
        match self {
            AnswerKey::AllowOnce => "allow once",
            AnswerKey::AllowAlways => "always",
            AnswerKey::Reject => "reject",
            AnswerKey::Choose(_) => "choose",
            AnswerKey::Type => "type",
        }
    }

    /// What a help says the key does.
    pub fn describe(self) -> &'static str {
        match self {
            AnswerKey::AllowOnce => "permission: allow once",
            AnswerKey::AllowAlways => "permission: allow always (until opencode restarts)",
            AnswerKey::Reject => "permission: reject",
            AnswerKey::Choose(_) => "question: choose an option (the n-th key, option n)",
            AnswerKey::Type => "question: type an answer",
        }
    }

    fn answer(self) -> Answer {
        match self {
            AnswerKey::AllowOnce => Answer::Once,
            AnswerKey::AllowAlways => Answer::Always,
            AnswerKey::Reject => Answer::Reject,
            AnswerKey::Choose(n) => Answer::Option(n),
            AnswerKey::Type => Answer::Text(String::new()),
        }
    }
}

/// A typed answer being written, for the request the row showed when its key was pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    pub text: String,
    /// The order, with an empty answer until it is sent.
    order: Order,
}

impl Typing {
    /// Enter: the order with the typed text, or why the request does not take it.
    pub fn finish(mut self) -> Pressed {
        self.order.answer = Answer::Text(self.text);
        checked(self.order)
    }
}

/// What an answer key comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Pressed {
    /// Give this answer (the effect reads the world again first).
    Send(Order),
    /// A prompt for a typed answer opens.
    Typing(Typing),
    /// Refused at once: the line says why.
    Refused(String),
}

/// `key` pressed on `row`: refused with a reason unless the row's request takes that answer; a
/// typed answer opens its prompt first.
pub fn press(row: &Row, key: AnswerKey) -> Pressed {
    let Some(request) = row.status.request.as_deref() else {
        return Pressed::Refused(NOTHING_ASKED.into());
    };
    let Some(order) = Order::to_shown(row, key.answer()) else {
        return Pressed::Refused(NOTHING_ASKED.into());
    };
    if key == AnswerKey::Type {
        return match request.check(&Answer::Text("x".into())) {
            Ok(()) => Pressed::Typing(Typing {
                text: String::new(),
                order,
            }),
            Err(why) => Pressed::Refused(why.to_string()),
        };
    }
    checked(order)
}

fn checked(order: Order) -> Pressed {
    let Some(request) = order.row.status.request.as_deref() else {
        return Pressed::Refused(NOTHING_ASKED.into());
    };
    match request.check(&order.answer) {
        Ok(()) => Pressed::Send(order),
        Err(why) => Pressed::Refused(why.to_string()),
    }
}

/// The line a view shows while an answer is on its way.
pub fn sending(order: &Order) -> String {
    let asked = order
        .row
        .status
        .request
        .as_deref()
        .map(|r| clean(&r.summary()).into_owned())
        .unwrap_or_default();
    format!("answering {asked}: {}…", order.answer.describe())
}
