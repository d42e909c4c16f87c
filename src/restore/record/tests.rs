use super::*;

const NOW: i64 = 1_800_000_000_000;

fn argv(s: &str) -> Vec<String> {
    s.split(' ').map(String::from).collect()
}

fn entry(id: &str, socket: &str, last_seen: i64) -> Entry {
    Entry {
        id: id.into(),
        kind: Kind::Tui,
        directory: "/p".into(),
        executable: "/bin/opencode".into(),
        args: Vec::new(),
        socket: socket.into(),
        session: "a".into(),
        window: 1,
        window_name: "w".into(),
        pane: 0,
        last_seen,
    }
}

#[test]
fn only_the_model_and_the_agent_are_kept() {
    assert_eq!(
        restart_args(&argv("opencode -m p/m --agent plan -s ses_x ~/proj")),
        argv("--model p/m --agent plan")
    );
    assert_eq!(
        restart_args(&argv("opencode --prompt -m --model=a/b --agent=build -c")),
        argv("--model a/b --agent build"),
        "a prompt's text is a prompt, never a flag"
    );
    assert!(restart_args(&argv("opencode -- -m x")).is_empty());
    assert!(restart_args(&argv("opencode")).is_empty());
}

/// A session that ended while its server lived on leaves; one whose server is gone stays a
/// week; one whose process runs (its pane unread this once) stays as it was.
#[test]
fn the_set_changes_as_the_issue_says() {
    let old = Record {
        sessions: vec![
            entry("ses_ended", "/live", NOW - 10),
            entry("ses_lost", "/dead", NOW - 10),
            entry("ses_ancient", "/dead", NOW - KEEP_MS - 1),
            entry("ses_unread", "/live", NOW - 10),
            entry("ses_seen", "/live", NOW - 10),
        ],
    };
    let seen = vec![
        entry("ses_seen", "/live", NOW),
        entry("ses_new", "/live", NOW),
    ];
    let running: BTreeSet<String> = ["ses_seen", "ses_new", "ses_unread"]
        .map(String::from)
        .into();
    let next = next(&old, &seen, &running, |s| s == "/live", NOW);
    let ids: Vec<&str> = next.sessions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["ses_lost", "ses_new", "ses_seen", "ses_unread"]);
    assert!(!same_set(&old, &next));
    // Seen again later, nothing else changed: the same set, whatever the times.
    let later = Record {
        sessions: next
            .sessions
            .iter()
            .map(|e| Entry {
                last_seen: NOW + 5000,
                ..e.clone()
            })
            .collect(),
    };
    assert!(same_set(&next, &later));
}

#[test]
fn the_file_round_trips_bounded() {
    let sessions: Vec<Entry> = (0..MAX_SESSIONS as i64 + 10)
        .map(|i| entry(&format!("ses_{i:04}"), "/s", NOW + i))
        .collect();
    let back = parse(&render(&Record { sessions }));
    assert_eq!(back.sessions.len(), MAX_SESSIONS);
    assert!(back.sessions.iter().all(|e| e.id.as_str() >= "ses_0010"));
    assert!(parse("{\"format\":2,\"sessions\":[]}").sessions.is_empty());
    assert!(parse("[1,2]").sessions.is_empty());
    let text = render(&Record {
        sessions: vec![entry("ses_a", "/s", NOW)],
    });
    assert_eq!(
        text,
        "{\"format\":1,\"sessions\":[{\"id\":\"ses_a\",\"kind\":\"tui\",\"directory\":\"/p\",\
         \"executable\":\"/bin/opencode\",\"args\":[],\"socket\":\"/s\",\"session\":\"a\",\
         \"window\":1,\"window_name\":\"w\",\"pane\":0,\"last_seen\":1800000000000}]}"
    );
}

/// The demo's rows are recorded like real ones: each TUI with a pane, its place and its model.
#[test]
fn rows_become_entries() {
    let snap = crate::collect::demo::snapshot(&crate::collect::Focus::default(), NOW);
    let seen = seen(&snap.rows, NOW);
    assert!(seen.len() >= 4, "{seen:?}");
    let api = seen.iter().find(|e| e.window_name == "api").unwrap();
    assert_eq!((api.session.as_str(), api.window), ("work", 1));
    assert_eq!(api.last_seen, NOW);
    assert!(seen.iter().all(|e| e.id.starts_with("ses_")));
}
