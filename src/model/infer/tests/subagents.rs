//! Subagent sessions and how they colour their parent's status.

use super::*;

fn parent_with_task() -> SessionFacts {
    let mut s = generating();
    let mut t = tool("task", 30_000, true);
    t.child_session = Some("ses_child".into());
    s.tools = vec![t];
    s
}

fn child() -> SessionFacts {
    SessionFacts {
        id: "ses_child".into(),
        parent_id: Some("ses_a".into()),
        ..generating()
    }
}

#[test]
fn working_child_keeps_parent_working_as_subagent() {
    let r = infer(&parent_with_task(), &[child()], &alive(), NOW);
    assert_eq!((r.state, r.detail.as_str()), (State::Working, "subagent"));
}

#[test]
fn waiting_child_makes_parent_wait() {
    let mut c = child();
    c.tools = vec![tool("bash", 10_000, false)];
    c.tools[0].input_summary = Some("git push".into());
    let r = infer(&parent_with_task(), &[c], &alive(), NOW);
    assert_eq!(
        (r.state, r.detail.as_str()),
        (State::Waiting, "subagent: permission: bash git push")
    );
}

#[test]
fn grandchild_question_reaches_the_top() {
    let mut g = child();
    g.id = "ses_grand".into();
    g.parent_id = Some("ses_child".into());
    g.tools = vec![tool("question", 1_000, true)];
    let r = infer(&parent_with_task(), &[child(), g], &alive(), NOW);
    assert_eq!(r.state, State::Waiting);
}

#[test]
fn child_waiting_for_the_model_keeps_the_parent_working() {
    let mut c = child();
    let m = last_mut(&mut c);
    m.part_count = 0;
    m.created_at = Some(NOW - MODEL_WAIT_MS * 2);
    let r = infer(&parent_with_task(), &[c], &alive(), NOW);
    assert_eq!((r.state, r.detail.as_str()), (State::Working, "subagent"));
}

#[test]
fn subagent_running_a_long_tool_keeps_a_silent_parent_working() {
    let mut p = parent_with_task();
    p.last_activity_at = Some(NOW - STALL_MS * 2);
    let mut c = child();
    c.tools = vec![tool("bash", STALL_MS, true)];
    c.last_activity_at = Some(NOW - STALL_MS);
    let r = infer(&p, &[c], &cpu(Some(0.0)), NOW);
    assert_eq!(r.state, State::Working);
}

#[test]
fn stale_child_from_an_old_round_is_ignored() {
    // A child left mid-turn by an old crash, not linked to a running task part.
    let mut c = child();
    c.tools = vec![tool("question", 3_600_000, true)];
    c.last_activity_at = Some(NOW - 3_600_000);
    let r = infer(&generating(), &[c], &alive(), NOW);
    assert_eq!((r.state, r.detail.as_str()), (State::Working, "generating"));
}

#[test]
fn finished_child_does_not_hold_the_parent() {
    let mut c = done();
    c.id = "ses_child".into();
    c.parent_id = Some("ses_a".into());
    let r = infer(&parent_with_task(), &[c], &alive(), NOW);
    assert_eq!((r.state, r.detail.as_str()), (State::Working, "tool:task"));
}

#[test]
fn finished_parent_ignores_children() {
    let r = infer(&done(), &[child()], &alive(), NOW);
    assert_eq!(r.state, State::Idle);
}

#[test]
fn a_parent_waiting_on_its_subagent_carries_the_subagents_request() {
    let mut c = child();
    c.tools = vec![tool("bash", 10_000, false)];
    c.tools[0].part_id = "prt_child".into();
    let r = infer(&parent_with_task(), &[c], &alive(), NOW);
    let req = r.request.expect("the child's request");
    assert_eq!(
        (req.id.as_str(), req.session_id.as_str()),
        ("prt_child", "ses_child")
    );
}
