use super::*;
use crate::collect::{Focus, demo};

fn demo_snapshot() -> Snapshot {
    demo::snapshot(&Focus::default(), 1_764_000_000_000)
}

#[test]
fn decoding_gives_back_every_field_encoding_wrote() {
    let snap = demo_snapshot();
    assert!(snap.rows.len() > 3);
    let back = decode(&encode(&snap), "box").unwrap();
    assert_eq!(back.rows.len(), snap.rows.len());
    assert_eq!(back.taken_at, snap.taken_at);
    for (sent, got) in snap.rows.iter().zip(&back.rows) {
        assert_eq!(got.host.as_deref(), Some("box"));
        assert_eq!(
            got.tmux.as_ref().map(|t| t.host.as_deref()),
            sent.tmux.as_ref().map(|_| Some("box"))
        );
        let mut j = got.to_json();
        j["host"] = Value::Null;
        assert_eq!(j, sent.to_json());
    }
}

#[test]
fn a_newer_major_format_is_refused_and_a_newer_minor_read() {
    let line = encode(&demo_snapshot());
    let newer = line.replacen("\"otop_format\":\"1.0\"", "\"otop_format\":\"2.0\"", 1);
    let e = decode(&newer, "box").unwrap_err();
    assert!(matches!(e, WireError::Newer { major: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("upgrade otop here"), "{e}");
    let minor = line.replacen("\"otop_format\":\"1.0\"", "\"otop_format\":\"1.7\"", 1);
    assert!(decode(&minor, "box").is_ok());
    let older = line.replacen("\"otop_format\":\"1.0\"", "\"otop_format\":\"0.3\"", 1);
    assert!(
        decode(&older, "box")
            .unwrap_err()
            .to_string()
            .contains("upgrade otop there")
    );
}

#[test]
fn anything_else_is_not_the_format_and_odd_rows_are_skipped() {
    for junk in [
        "",
        "error: unrecognized subcommand 'serve'",
        "{}",
        "[1,2]",
        "\u{1b}]52;c;x\u{7}",
    ] {
        let e = decode(junk, "box").unwrap_err();
        assert!(matches!(e, WireError::NotWire(_)), "{junk:?}: {e:?}");
        assert!(!e.to_string().contains('\u{1b}'));
    }
    let line = r#"{"otop_format":"1.0","otop":"9","rows":[{"state":"nonsense"},{"state":"idle","pid":"x"},{"state":"waiting","pid":7,"host":"other"},{"state":"working","pid":42,"session":{"id":"ses_a","tools":[{"bad":1}]}}]}"#;
    // A field of the wrong type costs its row (`"pid":"x"`), an odd tool only itself.
    let s = decode(line, "box").unwrap();
    assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
    let r = &s.rows[0];
    assert_eq!(r.pid(), Some(42));
    assert_eq!(r.session_id(), Some("ses_a"));
    assert!(r.session.as_ref().unwrap().tools.is_empty());
}

/// A host's strings, lists and rows are cut to their bounds; a row too big is skipped, never
/// the host; a field otop does not read is skipped however big or deep; a line too long is
/// refused as a whole.
#[test]
fn everything_a_host_sends_is_bounded() {
    let long = "t".repeat(MAX_TEXT + 100);
    let row = serde_json::json!({"state": "idle", "pid": 7, "status": long,
        "argv": std::iter::once(long.as_str()).chain(std::iter::repeat_n("w", 100)).collect::<Vec<_>>(),
        "tmux": {"socket": long, "pane_id": "%1", "target": "a:0.0", "session": long,
                 "window": 0, "window_name": long},
        "session": {"id": long, "title": long, "last_output": long,
            "todos": vec![serde_json::json!({"content": "x", "status": "pending", "priority": "low"}); 100]}});
    let huge_row = serde_json::json!({"state": "idle", "pid": 8, "junk": "j".repeat(MAX_ROW)});
    let mut rows = vec![huge_row, row];
    rows.extend(std::iter::repeat_n(
        serde_json::json!({"state": "idle"}),
        MAX_ROWS + 10,
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let line = format!(
        r#"{{"otop_format":"1.0","otop":{:?},"unread":[{}{{}}],"deep":{deep},"rows":{},"warnings":{}}}"#,
        long,
        "{\"a\":[]},".repeat(100_000),
        serde_json::Value::from(rows),
        serde_json::json!(vec![long.as_str(); 50]),
    );
    // A field skipped is scanned, not built, however deep: no recursion to overflow.
    let s = decode(&line, "box").map_err(|e| e.to_string()).unwrap();
    assert_eq!(s.version.len(), MAX_TEXT);
    assert_eq!(
        s.rows.len(),
        MAX_ROWS - 1,
        "the huge row skipped, the rest cut"
    );
    let r = &s.rows[0];
    let p = r.process.as_ref().unwrap();
    assert_eq!((p.info.pid, p.info.argv.len()), (7, MAX_ITEMS));
    assert_eq!(p.info.argv[0].len(), MAX_TEXT);
    assert_eq!(r.status.detail.len(), MAX_TEXT);
    let t = r.tmux.as_ref().unwrap();
    assert_eq!(
        (t.socket.len(), t.session.len(), t.window_name.len()),
        (MAX_TEXT, MAX_TEXT, MAX_TEXT)
    );
    let f = r.session.as_ref().unwrap();
    assert_eq!(f.id.len(), MAX_TEXT);
    assert_eq!(f.title.as_ref().unwrap().len(), MAX_TEXT);
    assert_eq!(f.last_output.as_ref().unwrap().len(), MAX_TEXT);
    assert_eq!(f.todos.len(), MAX_ITEMS);
    assert_eq!(s.warnings.len(), MAX_WARNINGS);
    assert!(
        s.warnings
            .iter()
            .all(|w| w.len() <= MAX_TEXT + "box: ".len())
    );
    let over = format!("{}{}", line.trim_end_matches('}'), " ".repeat(MAX_LINE));
    assert!(matches!(decode(&over, "box"), Err(WireError::NotWire(_))));
}

/// An answer order is read back as it was sent, whatever its text holds; an order of a field
/// this otop does not know, or too long, is refused.
#[test]
fn an_answer_order_goes_through_as_data() {
    use crate::model::request::Answer;
    for answer in [
        Answer::Once,
        Answer::Always,
        Answer::Reject,
        Answer::Option(2),
        Answer::Text("-v please'; rm -rf ~ \n--option=2".into()),
    ] {
        let order = AnswerOrder {
            target: "-t%3".into(),
            request: Some("-R".into()),
            answer,
        };
        let line = order.to_line();
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(AnswerOrder::read(&line[..]).unwrap(), order);
    }
    let sent = br#"{"target":"ses_a","request":null,"answer":{"option":2}}"#;
    assert_eq!(
        AnswerOrder::read(&sent[..]).unwrap().answer,
        Answer::Option(2)
    );
    let newer = br#"{"target":"ses_a","request":null,"answer":"once","only_if":"x"}"#;
    assert!(AnswerOrder::read(&newer[..]).is_err());
    let long = format!(
        r#"{{"target":"ses_a","request":null,"answer":{{"text":"{}"}}}}"#,
        "x".repeat(MAX_ORDER)
    );
    assert!(AnswerOrder::read(long.as_bytes()).is_err());
}
