//! Driving the session a view is about: a message (typed in a prompt line of its own), an
//! interrupt of its turn or the end of its process (each after a one-line y/n confirmation).
//! The act goes to the row as shown when the key was pressed; [`crate::drive::act`] reads the
//! world again before acting and refuses what no longer fits.

use std::time::Duration;

use crate::drive::{self, Act, Order, Signal};
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::state::State;
use crate::model::text::cut;

/// A key that drives the row a view is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriveKey {
    Send,
    Interrupt,
    End,
}

impl DriveKey {
    /// What the key says in a hint.
    pub fn label(self) -> &'static str {
        match self {
            DriveKey::Send => "send",
            DriveKey::Interrupt => "interrupt",
            DriveKey::End => "end",
        }
    }

    /// What a help says the key does.
    pub fn describe(self) -> &'static str {
        match self {
            DriveKey::Send => "send the session a message (its next prompt)",
            DriveKey::Interrupt => "interrupt the session's running turn (asks y/n)",
            DriveKey::End => "end the session's opencode process (asks y/n)",
        }
    }
}

/// A message being written for the session of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    row: Row,
}

impl Message {
    /// Enter: the order to send, or why not.
    pub fn finish(self) -> Pressed {
        checked(Order {
            row: self.row,
            act: Act::Send(self.text),
        })
    }
}

/// An act waiting for its y/n.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub order: Order,
}

impl Confirm {
    /// `interrupt "Fix flaky CI"? y/n`, with the keys that answer it.
    pub fn question(&self, yes: &str, no: &str) -> String {
        format!(
            "{} {:?}? {yes}/{no}",
            self.order.act.verb(),
            cut(&clean(&self.order.row.title()), 40)
        )
    }
}

/// What a drive key comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Pressed {
    /// Act now (the effect reads the world again first).
    Act(Order),
    /// The prompt line of a message opens.
    Message(Message),
    /// The y/n line opens.
    Confirm(Confirm),
    /// Refused at once: the line says why.
    Refused(String),
}

/// `key` pressed on `row`: what fits the row as shown, else why not. An end waits `grace`
/// (`[drive] end_grace`, [`crate::config::drive::Drive::end_grace`]) before SIGKILL.
pub fn press(row: &Row, key: DriveKey, grace: Duration) -> Pressed {
    let order = |act| Order {
        row: row.clone(),
        act,
    };
    match key {
        DriveKey::Send => match drive::fits(row, &Act::Send("x".into())) {
            Ok(()) => Pressed::Message(Message {
                text: String::new(),
                row: row.clone(),
            }),
            Err(why) => Pressed::Refused(why.to_string()),
        },
        DriveKey::Interrupt => confirm(order(Act::Interrupt)),
        DriveKey::End => confirm(order(drive::end_act(Signal::Term, grace))),
    }
}

fn confirm(order: Order) -> Pressed {
    match drive::fits(&order.row, &order.act) {
        Ok(()) => Pressed::Confirm(Confirm { order }),
        Err(why) => Pressed::Refused(why.to_string()),
    }
}

fn checked(order: Order) -> Pressed {
    match drive::fits(&order.row, &order.act) {
        Ok(()) => Pressed::Act(order),
        Err(why) => Pressed::Refused(why.to_string()),
    }
}

/// What the footer offers for a row: a message to an idle (or done) session, an interrupt of
/// a working one.
pub fn offer(row: &Row) -> Option<DriveKey> {
    row.session.as_ref()?;
    match row.status.state {
        State::Idle => Some(DriveKey::Send),
        State::Working => Some(DriveKey::Interrupt),
        _ => None,
    }
}

/// The line a view shows while an act is on its way.
pub fn acting(order: &Order) -> String {
    format!("{} {}…", order.act.describe(), drive::describe(&order.row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::Status;
    use crate::source::db::types::SessionFacts;

    const GRACE: Duration = Duration::from_secs(5);

    fn row(state: State) -> Row {
        let mut r = Row::bare(Status::new(state, "x"));
        r.session = Some(SessionFacts {
            id: "ses_1".into(),
            title: Some("Fix flaky CI".into()),
            ..SessionFacts::default()
        });
        r
    }

    #[test]
    fn each_key_on_each_state() {
        assert!(matches!(
            press(&row(State::Idle), DriveKey::Send, GRACE),
            Pressed::Message(_)
        ));
        let Pressed::Refused(why) = press(&row(State::Waiting), DriveKey::Send, GRACE) else {
            panic!("a waiting session takes no message")
        };
        assert!(why.contains("answer it first"), "{why}");
        let Pressed::Confirm(c) = press(&row(State::Working), DriveKey::Interrupt, GRACE) else {
            panic!("a working session is interrupted after y/n")
        };
        assert_eq!(c.question("y", "n"), "interrupt \"Fix flaky CI\"? y/n");
        assert!(matches!(
            press(&row(State::Idle), DriveKey::Interrupt, GRACE),
            Pressed::Refused(_)
        ));
        // No process on the bare row: nothing to end.
        assert!(matches!(
            press(&row(State::Idle), DriveKey::End, GRACE),
            Pressed::Refused(_)
        ));
        assert_eq!(offer(&row(State::Idle)), Some(DriveKey::Send));
        assert_eq!(offer(&row(State::Working)), Some(DriveKey::Interrupt));
        assert_eq!(offer(&row(State::Waiting)), None);
    }

    /// The views' end takes the grace they were given (the file's), not one of its own.
    #[test]
    fn an_end_takes_the_grace_given() {
        let r = Row::tui(7, "ses_1", Status::new(State::Working, "generating"));
        let Pressed::Confirm(c) = press(&r, DriveKey::End, Duration::from_millis(12_500)) else {
            panic!("an end asks y/n")
        };
        assert_eq!(
            c.order.act,
            Act::End {
                signal: Signal::Term,
                grace_ms: 12_500
            }
        );
    }

    #[test]
    fn an_empty_message_is_refused_on_enter() {
        let Pressed::Message(m) = press(&row(State::Idle), DriveKey::Send, GRACE) else {
            panic!("a prompt")
        };
        assert!(matches!(m.finish(), Pressed::Refused(_)));
    }
}
