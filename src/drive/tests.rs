use super::*;
use crate::model::state::Status;

fn row(state: State, detail: &str) -> Row {
    Row::tui(42, "ses_1", Status::new(state, detail))
}

fn act_on(order: &Order, now: Vec<Row>) -> Result<String, Error> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let env = Env {
        xdg_state_home: Some(tmp.path().display().to_string()),
        ..Env::default()
    };
    local(order, now.clone(), &env, &mut || now.clone())
}

fn refused(order: &Order, now: Vec<Row>) -> String {
    act_on(order, now).expect_err("refused").to_string()
}

#[test]
fn a_message_to_a_session_waiting_for_an_answer_is_refused() {
    let shown = row(State::Idle, "idle");
    let order = Order {
        row: shown,
        act: Act::Send("now run the tests".into()),
    };
    let why = refused(
        &order,
        vec![row(State::Waiting, "permission: bash sleep 5")],
    );
    assert!(why.contains("waits for an answer"), "{why}");
    assert!(why.contains("answer it first"), "{why}");
    let why = refused(&order, vec![]);
    assert!(why.contains("ses_1 is no longer running"), "{why}");
}

#[test]
fn an_interrupt_needs_a_running_turn() {
    let order = Order {
        row: row(State::Working, "generating"),
        act: Act::Interrupt,
    };
    let why = refused(&order, vec![row(State::Idle, "idle")]);
    assert!(why.contains("is not working (idle: idle)"), "{why}");
}

/// Without the plugin, a process whose version otop cannot tell is refused, naming the proven
/// versions, before any key; the refusal is not an act, so nothing is logged.
#[test]
fn the_pane_is_refused_on_unproven_versions() {
    let order = Order {
        row: row(State::Idle, "idle"),
        act: Act::Send("hello".into()),
    };
    let why = refused(&order, vec![row(State::Idle, "idle")]);
    assert!(why.contains("proven on opencode 1.18.33 only"), "{why}");
    let order = Order {
        row: row(State::Working, "generating"),
        act: Act::Interrupt,
    };
    let why = refused(&order, vec![row(State::Working, "generating")]);
    assert!(
        why.contains("interrupting through its pane is proven"),
        "{why}"
    );
}

#[test]
fn a_demo_row_is_described_not_acted_on() {
    let mut source = crate::collect::demo::DemoSource::default();
    let snap = source.collect(&Focus::default(), now_ms());
    let in_state = |state: State| {
        snap.rows
            .iter()
            .find(|r| r.status.state == state && r.session.is_some() && r.process.is_some())
            .cloned()
            .expect("a demo row in that state")
    };
    for (state, act) in [
        (State::Idle, Act::Send("now run the tests".into())),
        (State::Working, Act::Interrupt),
        (
            State::Working,
            Act::End {
                signal: Signal::Term,
                grace_ms: 5000,
            },
        ),
    ] {
        let verb = act.verb();
        let order = Order {
            row: in_state(state),
            act,
        };
        let said = super::act(&order, &mut source, &Env::default()).expect("said");
        assert!(said.starts_with("demo: would "), "{said}");
        assert!(said.contains(verb), "{said}");
        assert!(said.contains("nothing is sent"), "{said}");
    }
    // What would not fit the row is refused there too.
    let order = Order {
        row: in_state(State::Idle),
        act: Act::Interrupt,
    };
    let why = super::act(&order, &mut source, &Env::default()).expect_err("refused");
    assert!(why.to_string().contains("no turn to interrupt"), "{why}");
}
