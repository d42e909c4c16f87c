use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::request::Answer;
use crate::model::row::TmuxLocation;
use crate::model::state::{State, Status};
use crate::pick::keymap::Keymap;
use crate::source::db::types::SessionFacts;

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
            host: None,
        }),
        unseen: false,
        certain: false,
        host: None,
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
    p.keymap = Keymap::new(&crate::config::Picker {
        vim_keys: false,
        ..crate::config::Picker::default()
    });
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

fn keymap(toml: &str) -> Keymap {
    let c = crate::config::parse(toml, std::path::Path::new("c.toml")).unwrap();
    Keymap::new(&c.picker)
}

#[test]
fn configured_keys_become_actions_before_they_touch_state() {
    let mut p = fleet();
    p.keymap = keymap("[picker.keys]\ndown = \"ctrl-j\"\njump = [\"tab\"]\nquit = \"x\"\n");
    let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
    assert_eq!(p.key_to_action(ctrl_j), Action::Down);
    assert_eq!(p.selected, 0, "mapping a key changes nothing");
    press(&mut p, ctrl_j);
    assert_eq!(p.selected, 1);
    // j is no longer down: it starts the filter.
    assert_eq!(p.key_to_action(key('j')), Action::Type('j'));
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(p.key_to_action(enter), Action::Ignore);
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(press(&mut p, tab), Outcome::Pick(1));
    assert_eq!(press(&mut p, key('x')), Outcome::Cancel);
}

#[test]
fn bound_characters_type_once_a_filter_is_open() {
    let mut p = fleet();
    assert_eq!(p.key_to_action(key('q')), Action::Cancel);
    press(&mut p, key('/'));
    for c in "q/jk".chars() {
        assert_eq!(p.key_to_action(key(c)), Action::Type(c), "{c}");
    }
    // Keys with ctrl or a name act whatever the mode.
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(p.key_to_action(ctrl_c), Action::Cancel);
    let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(p.key_to_action(ctrl_n), Action::Down);
    let other_ctrl = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(p.key_to_action(other_ctrl), Action::Ignore);
}

#[test]
fn hints_name_the_configured_keys() {
    let k = keymap("[picker.keys]\njump = [\"tab\", \"enter\"]\nup = [\"ctrl-k\"]\n");
    assert_eq!(
        k.key_for(Mode::Navigate, &Action::Accept).as_deref(),
        Some("tab")
    );
    assert_eq!(
        k.key_for(Mode::Navigate, &Action::Up).as_deref(),
        Some("ctrl-k")
    );
    assert_eq!(
        Keymap::default()
            .key_for(Mode::Navigate, &Action::Down)
            .as_deref(),
        Some("j")
    );
    let no_vim = Keymap::new(&crate::config::Picker {
        vim_keys: false,
        ..crate::config::Picker::default()
    });
    assert_eq!(
        no_vim.key_for(Mode::Navigate, &Action::Down).as_deref(),
        Some("down")
    );
    assert_eq!(
        no_vim
            .key_for(Mode::Navigate, &Action::StartFilter)
            .as_deref(),
        Some("/")
    );
}

/// The answer an outcome gives to which session, if it gives one.
fn answered(o: Outcome) -> Option<(String, Answer)> {
    match o {
        Outcome::Answer(order) => Some((order.row.session_id()?.to_string(), order.answer)),
        _ => None,
    }
}

fn alt(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
}

/// The fleet with a question on its waiting row.
fn asking() -> Picker {
    let mut a = row("ses_a", "Fix the parser", State::Waiting, "work:1");
    let q = crate::model::request::question(&["Red", "Blue"], true);
    a.status = a.status.with_request(Some(q));
    Picker::new(vec![
        a,
        row("ses_b", "Write docs", State::Working, "docs:2"),
    ])
}

#[test]
fn alt_keys_answer_the_selected_session_even_while_filtering() {
    let mut p = asking();
    assert_eq!(
        answered(press(&mut p, alt('2'))),
        Some(("ses_a".into(), Answer::Option(2)))
    );
    // Typing a filter does not take the alt keys.
    press(&mut p, key('p'));
    assert_eq!(
        answered(press(&mut p, alt('1'))),
        Some(("ses_a".into(), Answer::Option(1)))
    );
    // An answer the question does not take: a message, nothing sent.
    assert_eq!(press(&mut p, alt('a')), Outcome::Continue);
    assert!(p.message.as_deref().is_some_and(|m| m.contains("--option")));
    assert_eq!(press(&mut p, alt('3')), Outcome::Continue);
}

#[test]
fn a_typed_answer_has_its_own_prompt() {
    let mut p = asking();
    press(&mut p, alt('t'));
    assert_eq!(p.mode, Mode::Answer);
    for c in "qj green".chars() {
        assert_eq!(press(&mut p, key(c)), Outcome::Continue, "{c} types");
    }
    press(
        &mut p,
        KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
    );
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        answered(press(&mut p, enter)),
        Some(("ses_a".into(), Answer::Text("qj gree".into())))
    );
    assert_eq!(p.mode, Mode::Navigate);
    // A session that waits for nothing.
    press(&mut p, key('j'));
    assert_eq!(press(&mut p, alt('a')), Outcome::Continue);
    assert_eq!(
        p.message.as_deref(),
        Some("this session waits for no answer")
    );
}

#[test]
fn new_rows_keep_the_selection_on_its_session() {
    let mut p = fleet();
    press(&mut p, key('j'));
    let mut rows = p.rows().to_vec();
    rows.reverse();
    p.replace_rows(rows);
    assert_eq!(p.selected_row().and_then(Row::session_id), Some("ses_b"));
}

/// A session done since you last looked reads `✓ done` and comes first among idle ones.
#[test]
fn a_done_unseen_session_is_marked_and_first_among_idle_ones() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut rows = vec![
        row("ses_c", "Refactor jump", State::Idle, "work:3"),
        row("ses_d", "Release notes", State::Idle, "work:4"),
        row("ses_b", "Write docs", State::Working, "docs:2"),
    ];
    rows[1].unseen = true;
    crate::model::select::sort_by_urgency(&mut rows);
    let p = Picker::new(rows);
    assert_eq!(titles(&p), ["Write docs", "Release notes", "Refactor jump"]);
    let mut term = Terminal::new(TestBackend::new(60, 10)).unwrap();
    term.draw(|f| crate::pick::view::draw(f, &p, &crate::tui::theme::Theme::default()))
        .unwrap();
    let screen = term.backend().to_string();
    let line = screen
        .lines()
        .find(|l| l.contains("Release notes"))
        .unwrap();
    assert!(line.contains("✓ done"), "{screen}");
    let line = screen
        .lines()
        .find(|l| l.contains("Refactor jump"))
        .unwrap();
    assert!(line.contains("○ idle"), "{screen}");
}

fn plain(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// alt-i on a working session opens the y/n line: `y` interrupts, any other key drops it;
/// alt-s on an idle one opens the message prompt, enter sends what was typed.
#[test]
fn drive_keys_confirm_or_prompt() {
    let mut p = Picker::new(vec![
        row("ses_w", "Working", State::Working, "a:1"),
        row("ses_i", "Idle", State::Idle, "a:2"),
    ]);
    let a = p.key_to_action(alt('i'));
    assert_eq!(p.apply(a), Outcome::Continue);
    assert_eq!(p.mode, Mode::Confirm);
    let n = p.key_to_action(plain('n'));
    assert_eq!(p.apply(n), Outcome::Continue);
    assert_eq!(p.mode, Mode::Navigate);
    let a = p.key_to_action(alt('i'));
    p.apply(a);
    let y = p.key_to_action(plain('y'));
    let Outcome::Drive(order) = p.apply(y) else {
        panic!("y interrupts")
    };
    assert_eq!(order.act, crate::drive::Act::Interrupt);
    p.apply(Action::Down);
    let a = p.key_to_action(alt('s'));
    p.apply(a);
    assert_eq!(p.mode, Mode::Answer);
    for c in "go".chars() {
        let a = p.key_to_action(plain(c));
        p.apply(a);
    }
    let enter = p.key_to_action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let Outcome::Drive(order) = p.apply(enter) else {
        panic!("enter sends")
    };
    assert_eq!(order.act, crate::drive::Act::Send("go".into()));
}
