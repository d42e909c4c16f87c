use super::*;

const S: i64 = 1_000;

fn st(state: State) -> Status {
    let detail = match state {
        State::Waiting => "permission: bash rm",
        State::Error => "error: boom",
        State::Working => "generating",
        State::Idle => "idle",
        State::Stalled => "stalled",
    };
    Status::new(state, detail)
}

/// A tracker with the default rules, and a way to feed it one session's state at a time.
struct T {
    tracker: Tracker,
}

impl T {
    fn new() -> T {
        T {
            tracker: Tracker::new(Rules::default()),
        }
    }

    fn at(&mut self, now: i64, state: State) -> Outcome {
        self.with(now, st(state), false, false)
    }

    fn with(&mut self, now: i64, status: Status, certain: bool, in_front: bool) -> Outcome {
        let seen = Seen {
            session: "ses_a",
            status: &status,
            certain,
            in_front,
            first_look: false,
        };
        self.tracker.observe(&[seen], now)
    }
}

fn kinds(o: &Outcome) -> Vec<Kind> {
    o.tell.iter().map(|t| t.kind).collect()
}

#[test]
fn a_state_must_hold_before_it_is_told_once() {
    let mut t = T::new();
    assert!(t.at(0, State::Working).tell.is_empty());
    assert!(t.at(2 * S, State::Waiting).tell.is_empty(), "not held yet");
    assert_eq!(t.tracker.next_deadline(), Some(5 * S));
    assert!(t.at(4 * S, State::Waiting).tell.is_empty());
    assert_eq!(kinds(&t.at(5 * S, State::Waiting)), [Kind::Waiting]);
    assert!(t.at(7 * S, State::Waiting).tell.is_empty(), "once");
    assert_eq!(t.tracker.next_deadline(), None);
}

#[test]
fn a_short_turn_is_done_once_idle_holds() {
    let mut t = T::new();
    t.at(0, State::Idle);
    t.at(10 * S, State::Working);
    t.at(11 * S, State::Idle);
    assert_eq!(kinds(&t.at(14 * S, State::Idle)), [Kind::Done]);
    assert!(t.at(20 * S, State::Idle).tell.is_empty(), "once");
}

#[test]
fn a_new_request_after_a_short_answer_is_news_once_looked_at() {
    let mut t = T::new();
    t.at(0, State::Waiting);
    t.with(S, st(State::Waiting), false, true);
    t.at(2 * S, State::Working);
    t.at(3 * S, State::Waiting);
    assert_eq!(kinds(&t.at(6 * S, State::Waiting)), [Kind::Waiting]);
}

#[test]
fn a_state_that_does_not_hold_is_never_told() {
    let mut t = T::new();
    t.at(0, State::Working);
    // A refresh between two steps of a turn shows idle for a moment.
    t.at(2 * S, State::Idle);
    t.at(4 * S, State::Working);
    for now in [6, 8, 10, 30] {
        assert!(t.at(now * S, State::Working).tell.is_empty());
    }
}

#[test]
fn nothing_is_told_for_what_the_first_refresh_finds() {
    let mut t = T::new();
    assert!(t.at(0, State::Waiting).tell.is_empty());
    assert!(t.at(10 * S, State::Waiting).tell.is_empty());
    let mut t = T::new();
    assert!(t.at(0, State::Error).tell.is_empty());
    assert!(t.at(10 * S, State::Error).tell.is_empty());
}

#[test]
fn a_session_first_seen_later_is_told_when_it_waits_but_not_done() {
    let mut t = T::new();
    t.tracker.observe(&[], 0);
    // Still starting up: the first refreshes may not have found every session yet.
    t.at(2 * S, State::Waiting);
    assert!(t.at(6 * S, State::Waiting).tell.is_empty());
    let mut t = T::new();
    t.tracker.observe(&[], 0);
    t.at(10 * S, State::Waiting);
    assert_eq!(kinds(&t.at(13 * S, State::Waiting)), [Kind::Waiting]);
    let mut t = T::new();
    t.tracker.observe(&[], 0);
    t.at(10 * S, State::Idle);
    assert!(
        t.at(19 * S, State::Idle).tell.is_empty(),
        "a new idle session is no news"
    );
}

#[test]
fn a_finished_turn_is_done_and_marked_an_aborted_one_is_not() {
    let mut t = T::new();
    t.at(0, State::Working);
    t.at(S, State::Idle);
    let o = t.at(4 * S, State::Idle);
    assert_eq!(kinds(&o), [Kind::Done]);
    assert_eq!(o.mark, [("ses_a".to_string(), 4 * S)]);
    // A new turn clears the mark.
    t.at(10 * S, State::Working);
    assert_eq!(t.at(13 * S, State::Working).clear, ["ses_a"]);
    t.with(20 * S, Status::new(State::Idle, "aborted"), false, false);
    let o = t.with(23 * S, Status::new(State::Idle, "aborted"), false, false);
    assert!(o.tell.is_empty() && o.mark.is_empty(), "{o:?}");
}

#[test]
fn an_error_is_told_and_marked() {
    let mut t = T::new();
    t.at(0, State::Working);
    t.at(S, State::Error);
    let o = t.at(4 * S, State::Error);
    assert_eq!(kinds(&o), [Kind::Error]);
    assert_eq!(o.mark.len(), 1);
}

#[test]
fn a_permission_opencode_reported_is_told_at_once() {
    let mut t = T::new();
    t.at(0, State::Working);
    let o = t.with(S, st(State::Waiting), true, false);
    assert_eq!(kinds(&o), [Kind::Waiting]);
    assert!(o.mark.is_empty(), "waiting is no unseen mark");
}

#[test]
fn nothing_is_told_while_the_pane_is_in_front_and_looking_clears_the_mark() {
    let mut t = T::new();
    t.at(0, State::Working);
    t.with(S, st(State::Waiting), false, true);
    let o = t.with(4 * S, st(State::Waiting), false, true);
    assert!(o.tell.is_empty(), "{o:?}");
    assert_eq!(o.clear, ["ses_a"]);
    t.at(10 * S, State::Working);
    t.at(13 * S, State::Working);
    t.with(14 * S, st(State::Idle), false, true);
    let o = t.with(17 * S, st(State::Idle), false, true);
    assert!(o.tell.is_empty() && o.mark.is_empty(), "{o:?}");
}

#[test]
fn a_flapping_session_is_told_at_most_once_a_minute_unless_looked_at() {
    let mut t = T::new();
    t.at(0, State::Working);
    let mut told = 0;
    // Waiting and working in turn, each long enough to count, for two minutes.
    let mut now = S;
    while now < 120 * S {
        t.at(now, State::Waiting);
        told += t.at(now + 4 * S, State::Waiting).tell.len();
        t.at(now + 5 * S, State::Working);
        t.at(now + 9 * S, State::Working);
        now += 10 * S;
    }
    assert_eq!(told, 2, "once in each minute");
    // Having looked at it, the next request is news again.
    t.with(now, st(State::Working), false, true);
    t.at(now + S, State::Waiting);
    assert_eq!(kinds(&t.at(now + 5 * S, State::Waiting)), [Kind::Waiting]);
}

#[test]
fn a_session_that_vanishes_briefly_is_no_news_when_it_comes_back() {
    let mut t = T::new();
    t.at(0, State::Waiting);
    t.at(S, State::Working);
    t.tracker.observe(&[], 2 * S);
    assert_eq!(t.tracker.next_deadline(), None, "nothing to wake for");
    t.at(4 * S, State::Working);
    assert!(t.at(8 * S, State::Working).tell.is_empty());
}

/// A host that comes back brings its sessions as they were: a waiting one is not news, but
/// what changes after is.
#[test]
fn sessions_of_a_host_that_just_answered_are_found_not_told() {
    let mut tracker = Tracker::new(Rules::default());
    let other = st(State::Idle);
    let seen = |session, status, first_look| Seen {
        session,
        status,
        certain: false,
        in_front: false,
        first_look,
    };
    tracker.observe(&[seen("ses_here", &other, false)], 0);
    let waiting = st(State::Waiting);
    let late = 60 * S;
    for t in [late, late + 10 * S] {
        let first = t == late;
        let out = tracker.observe(&[seen("ses_far", &waiting, first)], t);
        assert!(out.tell.is_empty(), "{out:?}");
    }
    // The same, seen for the first time without the host just answering: told after the hold.
    tracker.observe(&[seen("ses_new", &waiting, false)], late);
    let out = tracker.observe(&[seen("ses_new", &waiting, false)], late + 10 * S);
    assert_eq!(out.tell.len(), 1, "{out:?}");
}
