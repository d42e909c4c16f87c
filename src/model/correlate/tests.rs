use super::*;

const T0: i64 = 1_700_000_000_000;
const MIN: i64 = 60_000;

/// A top-level session of /proj, last updated (and last messaged) at `last`, with `since`
/// messages after the process started.
fn cand(id: &str, last: i64, since: u64) -> Candidate {
    Candidate {
        id: id.into(),
        directory: Some("/proj".into()),
        created_at: Some(last - 10 * MIN),
        updated_at: Some(last),
        messages_since: since,
        last_message_at: Some(last),
        ..Default::default()
    }
}

fn proc(pid: u32, started_at: i64, candidates: Vec<Candidate>) -> Evidence {
    Evidence {
        pid,
        started_at,
        cwd: Some("/proj".into()),
        candidates,
        ..Default::default()
    }
}

fn got(m: &HashMap<u32, Matched>, pid: u32) -> Option<(&str, MatchRule)> {
    m.get(&pid).map(|m| (m.session_id.as_str(), m.rule))
}

// --- certain evidence ---

#[test]
fn flag_plugin_and_log_match_with_their_rule() {
    let mut a = proc(1, T0, vec![]);
    a.flag_session = Some("ses_f".into());
    let mut b = proc(2, T0, vec![]);
    b.plugin_session = Some("ses_p".into());
    let mut c = proc(3, T0, vec![]);
    c.log_session = Some("ses_l".into());
    let m = correlate(&[a, b, c]);
    assert_eq!(got(&m, 1), Some(("ses_f", MatchRule::Flag)));
    assert_eq!(got(&m, 2), Some(("ses_p", MatchRule::Plugin)));
    assert_eq!(got(&m, 3), Some(("ses_l", MatchRule::Log)));
}

#[test]
fn plugin_beats_the_flag_of_a_tui_that_switched_session() {
    let mut a = proc(1, T0, vec![]);
    a.flag_session = Some("ses_start".into());
    a.plugin_session = Some("ses_now".into());
    assert_eq!(
        got(&correlate(&[a]), 1),
        Some(("ses_now", MatchRule::Plugin))
    );
}

#[test]
fn flag_beats_log_in_one_process() {
    let mut a = proc(1, T0, vec![]);
    a.flag_session = Some("ses_f".into());
    a.log_session = Some("ses_l".into());
    assert_eq!(got(&correlate(&[a]), 1), Some(("ses_f", MatchRule::Flag)));
}

#[test]
fn same_session_claimed_twice_goes_to_the_more_certain_rule() {
    let mut old = proc(1, T0, vec![]);
    old.flag_session = Some("ses_x".into());
    let mut new = proc(2, T0 + MIN, vec![]);
    new.log_session = Some("ses_x".into());
    let m = correlate(&[new, old]);
    assert_eq!(got(&m, 1), Some(("ses_x", MatchRule::Flag)));
    assert_eq!(got(&m, 2), None);
}

#[test]
fn live_plugin_beats_another_processes_stale_flag() {
    // P1 was started with `-s ses_x` and has switched away; P2's plugin shows ses_x now.
    let mut p1 = proc(1, T0 + MIN, vec![]);
    p1.flag_session = Some("ses_x".into());
    let mut p2 = proc(2, T0, vec![]);
    p2.plugin_session = Some("ses_x".into());
    let m = correlate(&[p1, p2]);
    assert_eq!(got(&m, 2), Some(("ses_x", MatchRule::Plugin)));
    assert_eq!(got(&m, 1), None);
}

#[test]
fn certain_evidence_naming_a_subagent_is_skipped() {
    let mut child = cand("ses_child", T0 + MIN, 3);
    child.parent_id = Some("ses_top".into());
    let mut p = proc(1, T0, vec![child]);
    p.plugin_session = Some("ses_child".into());
    p.log_session = Some("ses_top".into());
    assert_eq!(got(&correlate(&[p]), 1), Some(("ses_top", MatchRule::Log)));
}

#[test]
fn same_session_same_rule_goes_to_the_newer_process() {
    let mut old = proc(1, T0, vec![cand("ses_other", T0 + 2 * MIN, 3)]);
    old.flag_session = Some("ses_x".into());
    let mut new = proc(2, T0 + MIN, vec![]);
    new.flag_session = Some("ses_x".into());
    let m = correlate(&[old, new]);
    assert_eq!(got(&m, 2), Some(("ses_x", MatchRule::Flag)));
    // The loser still guesses from its own activity.
    assert_eq!(got(&m, 1), Some(("ses_other", MatchRule::Activity)));
}

#[test]
fn certain_match_beats_another_processes_guess() {
    let mut a = proc(1, T0, vec![cand("ses_x", T0 + 5 * MIN, 4)]);
    a.started_at = T0 - MIN; // older: would pick first in pass 2
    let mut b = proc(2, T0, vec![cand("ses_x", T0 + 5 * MIN, 4)]);
    b.log_session = Some("ses_x".into());
    let m = correlate(&[a, b]);
    assert_eq!(got(&m, 2), Some(("ses_x", MatchRule::Log)));
    assert_eq!(got(&m, 1), None);
}

// --- activity ---

#[test]
fn activity_picks_the_most_recently_active_session() {
    let a = proc(
        1,
        T0,
        vec![
            cand("ses_old", T0 + MIN, 9),
            cand("ses_new", T0 + 2 * MIN, 1),
            cand("ses_none", T0 + 3 * MIN, 0),
        ],
    );
    assert_eq!(
        got(&correlate(&[a]), 1),
        Some(("ses_new", MatchRule::Activity))
    );
}

#[test]
fn activity_tie_goes_to_more_messages() {
    let a = proc(
        1,
        T0,
        vec![cand("ses_a", T0 + MIN, 1), cand("ses_b", T0 + MIN, 5)],
    );
    assert_eq!(
        got(&correlate(&[a]), 1),
        Some(("ses_b", MatchRule::Activity))
    );
}

#[test]
fn two_processes_in_one_directory_get_different_sessions() {
    // P1 worked on S1 before P2 started (it counts more of S1's messages); both active since.
    let p1 = proc(
        1,
        T0,
        vec![
            cand("ses_1", T0 + 5 * MIN, 8),
            cand("ses_2", T0 + 6 * MIN, 3),
        ],
    );
    let p2 = proc(
        2,
        T0 + 2 * MIN,
        vec![
            cand("ses_1", T0 + 5 * MIN, 2),
            cand("ses_2", T0 + 6 * MIN, 3),
        ],
    );
    let m = correlate(&[p2, p1]);
    assert_eq!(got(&m, 1), Some(("ses_1", MatchRule::Activity)));
    assert_eq!(got(&m, 2), Some(("ses_2", MatchRule::Activity)));
}

#[test]
fn older_process_gets_first_pick_of_its_earlier_activity() {
    // Both sessions had messages before P2 started: P1, the older, picks first.
    let p1 = proc(
        1,
        T0,
        vec![
            cand("ses_1", T0 + 5 * MIN, 8),
            cand("ses_2", T0 + 6 * MIN, 8),
        ],
    );
    let p2 = proc(
        2,
        T0 + 2 * MIN,
        vec![
            cand("ses_1", T0 + 5 * MIN, 1),
            cand("ses_2", T0 + 6 * MIN, 1),
        ],
    );
    let m = correlate(&[p2, p1]);
    assert_eq!(got(&m, 1), Some(("ses_2", MatchRule::Activity)));
    assert_eq!(got(&m, 2), Some(("ses_1", MatchRule::Activity)));
}

#[test]
fn fresh_tui_beside_a_busy_one_gets_nothing() {
    // P1 has been working on S1; P2 just started and has typed nothing.
    let p1 = proc(1, T0, vec![cand("ses_1", T0 + 5 * MIN, 8)]);
    let p2 = proc(2, T0 + 2 * MIN, vec![cand("ses_1", T0 + 5 * MIN, 2)]);
    let m = correlate(&[p1, p2]);
    assert_eq!(got(&m, 1), Some(("ses_1", MatchRule::Activity)));
    assert_eq!(got(&m, 2), None);
}

#[test]
fn new_tui_that_typed_keeps_its_session_from_an_idle_older_one() {
    // P1 started earlier and typed nothing; P2 started later and created S2.
    let p1 = proc(
        1,
        T0,
        vec![
            cand("ses_2", T0 + 5 * MIN, 2),
            cand("ses_old", T0 - 60 * MIN, 0),
        ],
    );
    let p2 = proc(2, T0 + 2 * MIN, vec![cand("ses_2", T0 + 5 * MIN, 2)]);
    let m = correlate(&[p1, p2]);
    assert_eq!(got(&m, 2), Some(("ses_2", MatchRule::Activity)));
    assert_eq!(got(&m, 1), None);
}

// --- directory fallback ---

#[test]
fn fresh_tui_does_not_take_an_old_session_of_its_directory() {
    let p = proc(1, T0, vec![cand("ses_old", T0 - 30 * MIN, 0)]);
    assert_eq!(got(&correlate(&[p]), 1), None);
}

#[test]
fn directory_takes_a_session_touched_since_start() {
    let p = proc(
        1,
        T0,
        vec![
            cand("ses_old", T0 - 30 * MIN, 0),
            cand("ses_renamed", T0 + MIN, 0),
        ],
    );
    assert_eq!(
        got(&correlate(&[p]), 1),
        Some(("ses_renamed", MatchRule::Directory))
    );
}

#[test]
fn directory_allows_start_time_skew() {
    let p = proc(1, T0, vec![cand("ses_created", T0 - START_SLACK_MS, 0)]);
    assert_eq!(
        got(&correlate(&[p]), 1),
        Some(("ses_created", MatchRule::Directory))
    );
    let p = proc(1, T0, vec![cand("ses_created", T0 - START_SLACK_MS - 1, 0)]);
    assert_eq!(got(&correlate(&[p]), 1), None);
}

#[test]
fn continue_flag_takes_the_latest_old_session() {
    let mut p = proc(
        1,
        T0,
        vec![
            cand("ses_older", T0 - 90 * MIN, 0),
            cand("ses_latest", T0 - 30 * MIN, 0),
        ],
    );
    p.continues = true;
    assert_eq!(
        got(&correlate(&[p]), 1),
        Some(("ses_latest", MatchRule::Directory))
    );
}

#[test]
fn activity_beats_directory_across_processes() {
    // P1 (older) would take S by directory, but P2 has activity in it.
    let mut p1 = proc(1, T0, vec![cand("ses_s", T0 + 5 * MIN, 0)]);
    p1.continues = true;
    let p2 = proc(2, T0 + MIN, vec![cand("ses_s", T0 + 5 * MIN, 2)]);
    let m = correlate(&[p1, p2]);
    assert_eq!(got(&m, 2), Some(("ses_s", MatchRule::Activity)));
    assert_eq!(got(&m, 1), None);
}

// --- what is never matched ---

#[test]
fn subagent_candidates_are_ignored() {
    let mut child = cand("ses_child", T0 + 5 * MIN, 20);
    child.parent_id = Some("ses_parent".into());
    let p = proc(1, T0, vec![child, cand("ses_parent", T0 + MIN, 1)]);
    assert_eq!(
        got(&correlate(&[p]), 1),
        Some(("ses_parent", MatchRule::Activity))
    );
}

#[test]
fn process_without_cwd_only_matches_certainly() {
    let mut p = proc(1, T0, vec![cand("ses_s", T0 + MIN, 3)]);
    p.cwd = None;
    assert_eq!(got(&correlate(std::slice::from_ref(&p)), 1), None);
    p.log_session = Some("ses_l".into());
    assert_eq!(got(&correlate(&[p]), 1), Some(("ses_l", MatchRule::Log)));
}

#[test]
fn process_without_candidates_stays_unmatched() {
    assert!(correlate(&[proc(1, T0, vec![])]).is_empty());
}

// --- argv ---

fn argv(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn session_flag_table() {
    let cases = [
        ("opencode -s ses_a", Some("ses_a")),
        ("opencode --session ses_a", Some("ses_a")),
        ("opencode --session=ses_a", Some("ses_a")),
        ("opencode -s=ses_a", Some("ses_a")),
        ("opencode ~/proj -s ses_a", Some("ses_a")),
        ("opencode run -s ses_a fix the bug", Some("ses_a")),
        ("opencode -s ses_a -s ses_b", Some("ses_b")),
        ("opencode -s notanid", None),
        ("opencode -s", None),
        ("opencode", None),
        ("opencode run -- -s ses_a", None),
        ("opencode --sessionx ses_a", None),
        ("-s ses_a", None), // argv[0] is the program
    ];
    for (line, want) in cases {
        assert_eq!(session_flag(&argv(line)).as_deref(), want, "{line}");
    }
}

#[test]
fn continue_flag_table() {
    assert!(continue_flag(&argv("opencode -c")));
    assert!(continue_flag(&argv("opencode ~/proj --continue")));
    assert!(!continue_flag(&argv("opencode run -- -c")));
    assert!(!continue_flag(&argv("opencode ~/proj")));
}

// --- subagents ---

#[test]
fn children_attach_to_their_top_level_ancestors_process() {
    let mut matched = HashMap::new();
    matched.insert(7, matched_rule("ses_top", MatchRule::Plugin));
    let parents: HashMap<String, String> = [
        ("ses_child", "ses_top"),
        ("ses_grand", "ses_child"),
        ("ses_orphan", "ses_unknown"),
        ("ses_loop_a", "ses_loop_b"),
        ("ses_loop_b", "ses_loop_a"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let att = attach_children(&matched, &parents);
    assert_eq!(att.get("ses_child"), Some(&7));
    assert_eq!(att.get("ses_grand"), Some(&7));
    assert_eq!(att.len(), 2);
}

fn matched_rule(id: &str, rule: MatchRule) -> Matched {
    Matched {
        session_id: id.into(),
        rule,
    }
}
