use super::*;
use crate::model::request::Ask;

const NOW: i64 = 1_000_000_000;

fn msg(role: Role, created: i64, completed: Option<i64>) -> MessageFacts {
    MessageFacts {
        id: "msg_1".into(),
        role,
        created_at: Some(created),
        completed_at: completed,
        finish: None,
        error: None,
        error_message: None,
        part_count: 1,
        updated_at: Some(created),
    }
}

/// A session mid-turn: an assistant message started 1 s ago, generating text.
fn generating() -> SessionFacts {
    SessionFacts {
        id: "ses_a".into(),
        message_count: 2,
        last_message: Some(msg(Role::Assistant, NOW - 1_000, None)),
        round_started_at: Some(NOW - 2_000),
        last_activity_at: Some(NOW - 100),
        ..Default::default()
    }
}

/// A session whose turn finished a minute ago.
fn done() -> SessionFacts {
    let mut m = msg(Role::Assistant, NOW - 70_000, Some(NOW - 60_000));
    m.finish = Some("stop".into());
    SessionFacts {
        last_message: Some(m),
        last_activity_at: Some(NOW - 60_000),
        ..generating()
    }
}

fn tool(name: &str, started_ago: i64, has_metadata: bool) -> ToolFacts {
    ToolFacts {
        tool: name.into(),
        title: None,
        status: ToolStatus::Running,
        started_at: Some(NOW - started_ago),
        has_metadata,
        child_session: None,
        input_summary: None,
        ..ToolFacts::default()
    }
}

fn alive() -> Liveness {
    Liveness {
        has_process: true,
        cpu_percent: Some(5.0),
        ..Default::default()
    }
}

fn with_plugin(status: &str) -> Liveness {
    Liveness {
        plugin: Some(LiveState {
            status: Some(status.into()),
            ..Default::default()
        }),
        ..alive()
    }
}

fn last_mut(s: &mut SessionFacts) -> &mut MessageFacts {
    match s.last_message.as_mut() {
        Some(m) => m,
        None => panic!("fixture has a message"),
    }
}

fn st(s: &SessionFacts, live: &Liveness) -> (State, String) {
    let r = infer(s, &[], live, NOW);
    (r.state, r.detail)
}

fn is(state: State, detail: &str) -> (State, String) {
    (state, detail.to_string())
}

// --- rule 2, 3, 4: new and finished sessions ---

#[test]
fn session_without_messages_is_new() {
    let s = SessionFacts {
        id: "ses_a".into(),
        ..Default::default()
    };
    assert_eq!(st(&s, &alive()), is(State::Idle, "new"));
}

#[test]
fn completed_turn_is_idle() {
    assert_eq!(st(&done(), &alive()), is(State::Idle, "idle"));
}

#[test]
fn latest_user_message_is_thinking() {
    let mut s = generating();
    s.last_message = Some(msg(Role::User, NOW - 500, None));
    s.round_started_at = Some(NOW - 500);
    let r = infer(&s, &[], &alive(), NOW);
    assert_eq!((r.state, r.detail.as_str()), (State::Working, "thinking"));
    assert!(r.is_transitional());
}

#[test]
fn assistant_with_parts_in_progress_is_generating() {
    assert_eq!(
        st(&generating(), &alive()),
        is(State::Working, "generating")
    );
}

#[test]
fn compacting_is_working_even_after_a_completed_message() {
    let mut s = done();
    s.compacting_at = Some(NOW - 1_000);
    s.last_activity_at = Some(NOW - 500);
    assert_eq!(st(&s, &alive()), is(State::Working, "compacting"));
}

#[test]
fn provider_error_is_error_with_its_message() {
    let mut s = done();
    last_mut(&mut s).error = Some("APIError".into());
    last_mut(&mut s).error_message = Some("model not found".into());
    assert_eq!(st(&s, &alive()), is(State::Error, "error: model not found"));
    last_mut(&mut s).error_message = None;
    assert_eq!(st(&s, &alive()), is(State::Error, "error: APIError"));
}

#[test]
fn user_abort_is_idle_aborted_not_an_error() {
    let mut s = done();
    last_mut(&mut s).error = Some("MessageAbortedError".into());
    assert_eq!(st(&s, &alive()), is(State::Idle, "aborted"));
}

#[test]
fn rejected_permission_leaves_tool_calls_and_is_idle_after_the_step_gap() {
    let mut s = done();
    last_mut(&mut s).finish = Some("tool-calls".into());
    last_mut(&mut s).completed_at = Some(NOW - STEP_GAP_MS);
    assert_eq!(st(&s, &alive()), is(State::Idle, "idle"));
}

#[test]
fn tool_calls_step_just_completed_is_still_working() {
    // opencode writes the next step's message right after; a refresh in between is mid-turn.
    let mut s = done();
    last_mut(&mut s).finish = Some("tool-calls".into());
    last_mut(&mut s).completed_at = Some(NOW - STEP_GAP_MS + 1);
    assert_eq!(st(&s, &alive()).0, State::Working);
}

// --- rule 5: no process ---

#[test]
fn mid_turn_without_process_is_stalled() {
    let live = Liveness::default();
    assert_eq!(
        st(&generating(), &live),
        is(State::Stalled, "stalled: no process")
    );
}

#[test]
fn finished_turn_without_process_is_idle() {
    assert_eq!(st(&done(), &Liveness::default()), is(State::Idle, "idle"));
}

#[test]
fn open_question_without_process_is_stalled_not_waiting() {
    let mut s = generating();
    s.tools = vec![tool("question", 60_000, true)];
    assert_eq!(st(&s, &Liveness::default()).0, State::Stalled);
}

// --- rule 6: waiting ---

#[test]
fn running_question_part_is_asking() {
    let mut s = generating();
    s.tools = vec![tool("question", 100, true)];
    assert_eq!(st(&s, &alive()), is(State::Waiting, "asking"));
    s.tools[0].input_summary = Some("Which database?".into());
    assert_eq!(
        st(&s, &alive()),
        is(State::Waiting, "asking: Which database?")
    );
}

#[test]
fn running_tool_without_metadata_past_grace_is_permission() {
    let mut s = generating();
    s.tools = vec![tool("bash", PERMISSION_GRACE_MS + 1, false)];
    assert_eq!(st(&s, &alive()), is(State::Waiting, "permission: bash"));
    s.tools[0].input_summary = Some("rm -rf build".into());
    assert_eq!(
        st(&s, &alive()),
        is(State::Waiting, "permission: bash rm -rf build")
    );
}

#[test]
fn running_tool_without_metadata_within_grace_is_working() {
    let mut s = generating();
    s.tools = vec![tool("bash", PERMISSION_GRACE_MS, false)];
    assert_eq!(st(&s, &alive()), is(State::Working, "tool:bash"));
}

#[test]
fn pending_tool_part_is_not_a_permission() {
    let mut s = generating();
    let mut t = tool("write", 60_000, false);
    t.status = ToolStatus::Pending;
    s.tools = vec![t];
    assert_eq!(st(&s, &alive()), is(State::Working, "generating"));
}

#[test]
fn question_beats_permission_heuristic() {
    let mut s = generating();
    s.tools = vec![tool("bash", 60_000, false), tool("question", 60_000, false)];
    assert_eq!(st(&s, &alive()), is(State::Waiting, "asking"));
}

#[test]
fn stale_running_part_from_an_old_turn_is_not_a_permission() {
    // A crash left a bash part running; the user has since sent a new prompt.
    let mut s = generating();
    s.tools = vec![tool("bash", 3_600_000, false)];
    s.last_message = Some(msg(Role::User, NOW - 500, None));
    s.round_started_at = Some(NOW - 500);
    assert_eq!(st(&s, &alive()), is(State::Working, "thinking"));
}

// --- rule 7: retrying ---

/// A provider that answers nothing for minutes (a busy local model server queueing the
/// request): no evidence of retries, so working, with how long it has waited; stalled only by
/// rule 9 (silence with idle CPU), never `error`.
#[test]
fn assistant_without_parts_is_waiting_for_the_model_not_retrying() {
    let mut s = generating();
    let m = last_mut(&mut s);
    m.part_count = 0;
    m.created_at = Some(NOW - MODEL_WAIT_MS);
    s.last_activity_at = Some(NOW - MODEL_WAIT_MS);
    assert_eq!(st(&s, &alive()), is(State::Working, "thinking"));
    for (waited, detail) in [
        (MODEL_WAIT_MS + 1, "waiting for the model (10s)"),
        (130_000, "waiting for the model (2m10s)"),
        (STALL_MS - 1, "waiting for the model (4m59s)"),
    ] {
        last_mut(&mut s).created_at = Some(NOW - waited);
        s.last_activity_at = Some(NOW - waited);
        assert_eq!(st(&s, &cpu(Some(0.0))), is(State::Working, detail));
    }
    s.last_activity_at = Some(NOW - STALL_MS);
    last_mut(&mut s).created_at = Some(NOW - STALL_MS);
    assert_eq!(
        st(&s, &cpu(Some(0.0))),
        is(State::Stalled, "stalled: no activity")
    );
    assert_eq!(
        st(&s, &cpu(Some(50.0))),
        is(State::Working, "waiting for the model (5m00s)")
    );
    let s2 = Status::new(State::Working, "waiting for the model (5m00s)");
    assert!(s2.is_transitional(), "drawn as thinking, not steady work");
}

#[test]
fn assistant_without_parts_with_a_stream_error_is_retrying() {
    let mut s = generating();
    let m = last_mut(&mut s);
    m.part_count = 0;
    m.created_at = Some(NOW - 130_000);
    s.last_activity_at = Some(NOW - 130_000);
    let live = Liveness {
        stream_errors: Some(errors_at(NOW - 1_000)),
        ..alive()
    };
    assert_eq!(
        st(&s, &live),
        is(State::Error, "retrying (attempt 1): boom")
    );
    assert_eq!(
        st(&s, &with_plugin("retry")).0,
        State::Error,
        "the plugin's retry"
    );
}

#[test]
fn times_at_the_ends_of_the_range_do_not_overflow() {
    for t in [i64::MIN, i64::MAX] {
        let mut s = generating();
        let m = last_mut(&mut s);
        m.part_count = 0;
        m.created_at = Some(t);
        s.last_activity_at = Some(t);
        s.round_started_at = Some(t);
        s.tools = vec![ToolFacts {
            started_at: Some(t),
            ..tool("bash", 0, false)
        }];
        let _ = st(&s, &cpu(Some(0.0)));
        let _ = infer(&s, &[], &alive(), i64::MIN);
    }
}

#[test]
fn stream_error_in_this_round_is_retrying() {
    let mut s = generating();
    s.last_activity_at = Some(NOW - 3_000);
    let live = Liveness {
        stream_errors: Some(errors_at(NOW - 1_000)),
        ..alive()
    };
    assert_eq!(
        st(&s, &live),
        is(State::Error, "retrying (attempt 1): boom")
    );
}

#[test]
fn stream_error_from_an_earlier_round_is_ignored() {
    let s = generating();
    let live = Liveness {
        stream_errors: Some(errors_at(NOW - 60_000)),
        ..alive()
    };
    assert_eq!(st(&s, &live), is(State::Working, "generating"));
}

#[test]
fn stream_error_followed_by_writes_has_recovered() {
    let mut s = generating();
    s.last_activity_at = Some(NOW - 100);
    let live = Liveness {
        stream_errors: Some(errors_at(NOW - 100 - STREAM_ERROR_SLACK_MS - 1)),
        ..alive()
    };
    assert_eq!(st(&s, &live), is(State::Working, "generating"));
}

#[test]
fn stream_error_after_completion_is_ignored() {
    let live = Liveness {
        stream_errors: Some(errors_at(NOW - 100)),
        ..alive()
    };
    assert_eq!(st(&done(), &live), is(State::Idle, "idle"));
}

// --- rule 8: running tools ---

#[test]
fn running_tool_with_metadata_is_working_on_it() {
    let mut s = generating();
    s.tools = vec![tool("read", 3_000, true), tool("bash", 1_000, true)];
    assert_eq!(st(&s, &alive()), is(State::Working, "tool:bash"));
}

#[test]
fn task_tool_without_child_facts_is_tool_task() {
    let mut s = generating();
    s.tools = vec![tool("task", 60_000, true)];
    assert_eq!(st(&s, &alive()), is(State::Working, "tool:task"));
}

// --- rule 9: stalled ---

fn silent(ms: i64) -> SessionFacts {
    let mut s = generating();
    s.last_activity_at = Some(NOW - ms);
    s
}

fn cpu(c: Option<f32>) -> Liveness {
    Liveness {
        cpu_percent: c,
        ..alive()
    }
}

#[test]
fn silent_idle_cpu_mid_turn_is_stalled() {
    let s = silent(STALL_MS);
    assert_eq!(
        st(&s, &cpu(Some(0.2))),
        is(State::Stalled, "stalled: no activity")
    );
}

#[test]
fn just_under_stall_time_is_working() {
    let s = silent(STALL_MS - 1);
    assert_eq!(st(&s, &cpu(Some(0.2))).0, State::Working);
}

#[test]
fn busy_cpu_or_unknown_cpu_is_never_stalled() {
    let s = silent(STALL_MS * 3);
    assert_eq!(st(&s, &cpu(Some(STALL_CPU_PERCENT))).0, State::Working);
    assert_eq!(st(&s, &cpu(None)).0, State::Working);
}

#[test]
fn long_running_tool_is_not_stalled() {
    // `bash sleep 600`: no DB writes, opencode's own CPU near zero, but the tool runs.
    let mut s = silent(STALL_MS * 2);
    s.tools = vec![tool("bash", STALL_MS * 2, true)];
    assert_eq!(st(&s, &cpu(Some(0.0))), is(State::Working, "tool:bash"));
}

#[test]
fn long_open_question_is_waiting_not_stalled() {
    let mut s = silent(STALL_MS * 10);
    s.tools = vec![tool("question", STALL_MS * 10, false)];
    assert_eq!(st(&s, &cpu(Some(0.0))).0, State::Waiting);
}

// --- rule 1: plugin ---

#[test]
fn plugin_permission_names_the_pattern() {
    let mut live = with_plugin("busy");
    if let Some(p) = live.plugin.as_mut() {
        p.permission = Some("bash rm -rf build".into());
    }
    assert_eq!(
        st(&generating(), &live),
        is(State::Waiting, "permission: bash rm -rf build")
    );
}

#[test]
fn plugin_question_names_the_header() {
    let mut live = with_plugin("busy");
    if let Some(p) = live.plugin.as_mut() {
        p.question = Some("Pick a colour".into());
    }
    assert_eq!(
        st(&done(), &live),
        is(State::Waiting, "asking: Pick a colour")
    );
}

#[test]
fn plugin_retry_shows_attempt_countdown_and_message() {
    let mut live = with_plugin("retry");
    if let Some(p) = live.plugin.as_mut() {
        p.retry_attempt = Some(3);
        p.retry_next = Some(NOW + 3_500);
        p.retry_message = Some("rate limited".into());
    }
    assert_eq!(
        st(&generating(), &live),
        is(
            State::Error,
            "retrying (attempt 3, next in 4 s): rate limited"
        )
    );
    if let Some(p) = live.plugin.as_mut() {
        p.retry_next = Some(NOW - 2_000);
    }
    assert_eq!(
        st(&generating(), &live),
        is(
            State::Error,
            "retrying (attempt 3, next in 0 s): rate limited"
        )
    );
}

#[test]
fn plugin_busy_beats_the_db_waiting_rules() {
    // The plugin reports permissions and questions itself: a slow-to-write tool is just
    // running, and a running question part is one just answered whose completion the
    // database has not caught up with.
    for (name, has_metadata) in [("webfetch", false), ("question", true)] {
        let mut s = generating();
        s.tools = vec![tool(name, 30_000, has_metadata)];
        assert_eq!(
            st(&s, &with_plugin("busy")),
            is(State::Working, &format!("tool:{name}"))
        );
        assert_eq!(st(&s, &alive()).0, State::Waiting, "{name} without plugin");
    }
}

#[test]
fn plugin_busy_before_the_prompt_is_written_is_thinking() {
    assert_eq!(
        st(&done(), &with_plugin("busy")),
        is(State::Working, "thinking")
    );
}

#[test]
fn plugin_idle_beats_a_mid_turn_leftover() {
    assert_eq!(
        st(&generating(), &with_plugin("idle")),
        is(State::Idle, "idle")
    );
}

#[test]
fn plugin_idle_still_reports_errors_and_aborts() {
    let mut s = done();
    last_mut(&mut s).error = Some("APIError".into());
    assert_eq!(st(&s, &with_plugin("idle")).0, State::Error);
    last_mut(&mut s).error = Some("MessageAbortedError".into());
    assert_eq!(st(&s, &with_plugin("idle")), is(State::Idle, "aborted"));
}

#[test]
fn plugin_without_status_falls_back_to_db() {
    let live = with_plugin("unknown");
    assert_eq!(st(&generating(), &live), is(State::Working, "generating"));
}

#[test]
fn urgency_orders_waiting_first() {
    let mut v = vec![
        State::Stalled,
        State::Idle,
        State::Working,
        State::Error,
        State::Waiting,
    ];
    v.sort();
    assert_eq!(v, State::ALL.to_vec());
}

mod subagents;

// --- the request a waiting session can be answered on ---

#[test]
fn a_waiting_part_is_the_request_it_is_answered_by() {
    let mut s = generating();
    let mut bash = tool("bash", PERMISSION_GRACE_MS + 1, false);
    bash.part_id = "prt_perm".into();
    bash.command = Some("sleep 5 &&\n  echo done".into());
    s.tools = vec![bash];
    let r = infer(&s, &[], &alive(), NOW).request.expect("a request");
    assert_eq!((r.id.as_str(), r.from_plugin), ("prt_perm", false));
    assert_eq!(r.session_id, "ses_a");
    assert_eq!(
        r.ask,
        Ask::Permission {
            tool: "bash".into(),
            what: "sleep 5 &&\n  echo done".into()
        }
    );
    // Working and idle sessions wait on nothing.
    s.tools[0].started_at = Some(NOW);
    assert_eq!(infer(&s, &[], &alive(), NOW).request, None);
    assert_eq!(infer(&done(), &[], &alive(), NOW).request, None);
}

#[test]
fn the_plugin_names_the_request_by_its_opencode_id() {
    let mut live = with_plugin("busy");
    if let Some(p) = live.plugin.as_mut() {
        p.question = Some("Colour".into());
        p.question_id = Some("que_1".into());
    }
    let r = infer(&done(), &[], &live, NOW).request.expect("a request");
    assert_eq!((r.id.as_str(), r.from_plugin), ("que_1", true));
    // A plugin from before answers: the database's running part stands in.
    let mut s = generating();
    let mut q = tool("question", 100, true);
    q.part_id = "prt_q".into();
    s.tools = vec![q];
    if let Some(p) = live.plugin.as_mut() {
        p.question_id = None;
    }
    let r = infer(&s, &[], &live, NOW).request.expect("a request");
    assert_eq!((r.id.as_str(), r.from_plugin), ("prt_q", false));
}

/// One `stream error` line at `t`, saying `boom`.
fn errors_at(t: i64) -> StreamErrors {
    let mut e = StreamErrors::default();
    e.add(t, Some("boom"));
    e
}

#[test]
fn retrying_counts_the_attempts_of_this_round_and_says_the_latest_error() {
    let mut s = generating();
    let m = last_mut(&mut s);
    m.part_count = 0;
    s.round_started_at = Some(NOW - 30_000);
    s.last_activity_at = Some(NOW - 30_000);
    let mut e = StreamErrors::default();
    e.add(NOW - 90_000, Some("an older round's"));
    e.add(NOW - 20_000, Some("first"));
    e.add(NOW - 2_000, None);
    e.add(NOW - 10_000, Some("second, logged by another run"));
    let live = Liveness {
        stream_errors: Some(e),
        ..alive()
    };
    assert_eq!(
        st(&s, &live),
        is(
            State::Error,
            "retrying (attempt 3): second, logged by another run"
        )
    );
}

/// What the plugin reported is opencode's own word (`"certain": true`): its retry and its
/// pending requests, not the DB rules a busy plugin leaves to otop.
#[test]
fn the_plugin_s_retry_and_requests_are_reported_its_busy_is_not() {
    let mut s = generating();
    last_mut(&mut s).part_count = 0;
    let retry = with_plugin("retry");
    let status = infer(&s, &[], &retry, NOW);
    let plugin = retry.plugin.as_ref().expect("plugin state");
    assert!(status.is_retrying(), "{status:?}");
    assert!(reported(plugin, &status));
    let busy = with_plugin("busy");
    let status = infer(&s, &[], &busy, NOW);
    assert!(
        !reported(busy.plugin.as_ref().expect("plugin state"), &status),
        "{status:?}"
    );
}
