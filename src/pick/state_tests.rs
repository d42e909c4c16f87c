use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::row::TmuxLocation;
use crate::model::state::{State, Status};
use crate::source::db_types::SessionFacts;

fn row(id: &str, title: &str, state: State, target: &str) -> Row {
    Row {
        process: None,
        session: Some(SessionFacts {
            id: id.into(),
            title: Some(title.into()),
            ..SessionFacts::default()
        }),
        status: Status::new(state, state.as_str()),
        matched: None,
        tmux: Some(TmuxLocation {
            socket: "/tmp/s".into(),
            pane_id: "%1".into(),
            target: format!("{target}.0"),
            session: target.split(':').next().unwrap_or("").into(),
            window: target
                .rsplit(':')
                .next()
                .and_then(|w| w.parse().ok())
                .unwrap_or(0),
            window_name: "w".into(),
        }),
    }
}

fn fleet() -> Picker {
    Picker::new(vec![
        row("ses_a", "Fix the parser", State::Waiting, "work:1"),
        row("ses_b", "Write docs", State::Working, "docs:2"),
        row("ses_c", "Refactor jump", State::Idle, "work:3"),
    ])
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn press(p: &mut Picker, k: KeyEvent) -> Outcome {
    let a = p.key_to_action(k);
    p.apply(a)
}

fn titles(p: &Picker) -> Vec<String> {
    p.visible()
        .filter_map(|r| r.session.as_ref()?.title.clone())
        .collect()
}

#[test]
fn j_k_and_arrows_move_and_enter_picks_the_selected_row() {
    let mut p = fleet();
    assert_eq!(press(&mut p, key('j')), Outcome::Continue);
    assert_eq!(
        press(&mut p, KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
        Outcome::Continue
    );
    assert_eq!(
        press(
            &mut p,
            KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)
        ),
        Outcome::Continue
    );
    assert_eq!(
        press(&mut p, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Outcome::Pick(1)
    );
    press(&mut p, key('k'));
    press(&mut p, key('k'));
    assert_eq!(p.selected, 0, "k stops at the top");
}

#[test]
fn typing_filters_fuzzily_and_a_single_match_is_taken_on_enter() {
    let mut p = fleet();
    for c in "refjmp".chars() {
        press(&mut p, key(c));
    }
    assert_eq!(titles(&p), vec!["Refactor jump"]);
    assert_eq!(
        press(&mut p, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Outcome::Pick(2)
    );
}

#[test]
fn letters_type_into_the_filter_once_it_is_open() {
    let mut p = fleet();
    press(&mut p, key('/'));
    press(&mut p, key('j'));
    press(&mut p, key('u'));
    assert_eq!(p.query, "ju");
    assert_eq!(titles(&p), vec!["Refactor jump"]);
}

#[test]
fn filter_matches_tmux_location_and_status() {
    let mut p = fleet();
    for c in "docs:2".chars() {
        press(&mut p, key(c));
    }
    assert_eq!(titles(&p), vec!["Write docs"]);
}

#[test]
fn without_vim_keys_letters_filter_at_once() {
    let mut p = fleet();
    p.vim_keys = false;
    press(&mut p, key('j'));
    press(&mut p, key('u'));
    assert_eq!(p.query, "ju");
    assert_eq!(titles(&p), vec!["Refactor jump"]);
}

#[test]
fn esc_clears_the_filter_then_cancels() {
    let mut p = fleet();
    press(&mut p, key('x'));
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(press(&mut p, esc), Outcome::Continue);
    assert_eq!(p.query, "");
    assert_eq!(p.visible_len(), 3);
    assert_eq!(press(&mut p, esc), Outcome::Cancel);
}

#[test]
fn nothing_matching_says_so_instead_of_jumping() {
    let mut p = fleet();
    for c in "zzzz".chars() {
        press(&mut p, key(c));
    }
    assert_eq!(p.visible_len(), 0);
    assert_eq!(
        press(&mut p, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Outcome::Continue
    );
    assert_eq!(p.message.as_deref(), Some("no session matches"));
}

#[test]
fn selection_follows_the_same_row_while_filtering() {
    let mut p = fleet();
    press(&mut p, key('j'));
    press(&mut p, key('/'));
    press(&mut p, key('o'));
    let selected = p
        .visible()
        .nth(p.selected)
        .and_then(|r| r.session_id().map(str::to_string));
    assert_eq!(selected.as_deref(), Some("ses_b"));
}
