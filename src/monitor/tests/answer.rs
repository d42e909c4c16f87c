//! Answering from the monitor: keys become orders for the request the row shows, a typed
//! answer has a prompt of its own, and the collector thread gives the answer and collects again.

use super::*;
use crate::model::request::Answer;

fn order(effect: Option<Effect>) -> crate::model::request::Order {
    match effect {
        Some(Effect::Answer(order)) => *order,
        other => panic!("no answer: {other:?}"),
    }
}

#[test]
fn permission_keys_answer_the_request_the_row_shows() {
    let mut app = app(160, 30);
    select(&mut app, "CJK");
    let shown = app.selected_row().and_then(|r| r.status.request.clone());
    let o = order(press(&mut app, KeyCode::Char('A')));
    assert_eq!(o.answer, Answer::Once);
    assert_eq!(o.request, shown.map(|r| r.id));
    assert_eq!(
        order(press(&mut app, KeyCode::Char('!'))).answer,
        Answer::Always
    );
    assert_eq!(
        order(press(&mut app, KeyCode::Char('R'))).answer,
        Answer::Reject
    );
    // The footer names the command and the keys.
    let s = screen(&app);
    assert!(s.contains("answering edit src/width.rs: reject…"), "{s}");
    // A question's keys do not fit a permission: a note, nothing sent.
    assert_eq!(press(&mut app, KeyCode::Char('2')), None);
    assert!(app.note.as_ref().is_some_and(|n| n.error));
}

#[test]
fn a_session_that_waits_for_nothing_gets_a_note() {
    let mut app = app(160, 30);
    select(&mut app, "Refactor auth");
    assert_eq!(press(&mut app, KeyCode::Char('A')), None);
    let note = app.note.clone().expect("a note");
    assert!(
        note.error && note.text.contains("waits for no answer"),
        "{note:?}"
    );
}

#[test]
fn question_keys_choose_an_option_or_type_an_answer() {
    let mut app = app(160, 30);
    select(&mut app, "Fix flaky CI");
    assert!(screen(&app).contains("1 ubuntu-24.04  2 ubuntu-22.04  T type"));
    assert_eq!(
        order(press(&mut app, KeyCode::Char('2'))).answer,
        Answer::Option(2)
    );
    // Option 3 does not exist: refused before anything is sent.
    assert_eq!(press(&mut app, KeyCode::Char('3')), None);
    press(&mut app, KeyCode::Char('T'));
    typed(&mut app, "use 24.04, q and j type");
    press(&mut app, KeyCode::Backspace);
    assert!(screen(&app).contains("answer: use 24.04, q and j typ█"));
    let o = order(press(&mut app, KeyCode::Enter));
    assert_eq!(o.answer, Answer::Text("use 24.04, q and j typ".into()));
    assert!(app.answering.is_none());
    // Esc drops a typed answer.
    press(&mut app, KeyCode::Char('T'));
    typed(&mut app, "never mind");
    assert_eq!(press(&mut app, KeyCode::Esc), None);
    assert!(app.answering.is_none() && app.view == View::List);
}

#[test]
fn the_collector_thread_answers_then_collects_again() {
    use crate::collect::{Snapshot, Source};
    use crate::monitor::event::{Event, Request, spawn_collector};
    use std::sync::mpsc;
    use std::time::Duration;

    struct Answers(Vec<String>);
    impl Source for Answers {
        fn collect(&mut self, _: &Focus, now: i64) -> Snapshot {
            Snapshot {
                taken_at: now,
                ..Snapshot::default()
            }
        }
        fn answer(
            &mut self,
            order: &crate::model::request::Order,
            _: i64,
        ) -> crate::error::Result<String> {
            self.0.push(order.answer.describe());
            Ok(format!("answered {}", self.0.len()))
        }
    }
    let mut app = app(160, 30);
    select(&mut app, "CJK");
    let o = order(press(&mut app, KeyCode::Char('A')));
    let (req_tx, req_rx) = mpsc::channel();
    let (ev_tx, ev_rx) = mpsc::channel();
    let handle = spawn_collector(
        Box::new(Answers(Vec::new())),
        crate::effects::Effects::none(),
        Duration::from_secs(3600),
        req_rx,
        ev_tx,
    );
    let next = || ev_rx.recv_timeout(Duration::from_secs(5)).ok();
    assert!(matches!(next(), Some(Event::Snapshot(_))));
    req_tx.send(Request::Answer(Box::new(o))).unwrap();
    assert!(matches!(next(), Some(Event::Acted(Ok(s))) if s == "answered 1"));
    assert!(
        matches!(next(), Some(Event::Snapshot(_))),
        "the row updates at once"
    );
    drop(req_tx);
    handle.join().unwrap();
}
