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
    let s = decode(line, "box").unwrap();
    assert_eq!(s.rows.len(), 2, "{:?}", s.rows);
    let r = &s.rows[1];
    assert_eq!(r.pid(), Some(42));
    assert_eq!(r.session_id(), Some("ses_a"));
    assert!(r.session.as_ref().unwrap().tools.is_empty());
}
