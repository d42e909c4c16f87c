//! Untrusted text end to end: a database whose every text field is hostile, read by [`Db`],
//! drawn by the monitor (list, detail pane and history, todo panel, help) and the picker on a
//! `TestBackend`. No cell may hold anything a terminal would act on.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use crate::collect::{Detail, Snapshot};
use crate::model::infer::{self, Liveness};
use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::state::{MatchRule, State, Status};
use crate::monitor::draw as view;
use crate::monitor::state::action;
use crate::monitor::state::{App, DetailTab, Effect, Panel};
use crate::source::db::Db;
use crate::source::db::types::{Tokens, ToolStatus};
use crate::source::process::types::{Kind, ProcessInfo};
use crate::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec, ToolSpec};
use crate::tui::theme::Theme;

const T: i64 = 1_760_000_000_000;

/// Every trick at once: CSI clear screen, OSC 52 clipboard write, OSC 8 link, OSC 0 title,
/// 8-bit CSI/OSC, C0 (NUL, BEL, BS, CR, LF), bidi override, zero-width chars, tmux formats.
pub(crate) const HOSTILE: &str = "\u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\
    \u{1b}]0;pwned-title\u{7}\u{9b}31m\u{9d}0;pwned-c1\u{9c}\u{202e}txt.exe\u{202c}\u{200b}\u{feff}\u{2066}\
    #(touch /tmp/gotcha)#[fg=red]#{pane_id}\u{0}\u{8}\r\n\tend";

/// C0, DEL, C1, bidi and zero-width chars: listed here, not taken from the sanitiser.
pub(crate) fn drives_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Builds the hostile database and reads its one session back, with its history.
fn hostile_db(dir: &std::path::Path) -> (Row, Vec<crate::source::db::types::HistoryItem>) {
    let path = dir.join("opencode.db");
    let mut fx = Fixture::create(&path, Schema::Current).unwrap();
    let h = HOSTILE.to_string();
    let sid = fx
        .session(SessionSpec {
            id: "ses_hostile".into(),
            title: h.clone(),
            directory: format!("/src/{h}"),
            created: T - 60_000,
            model: Some((h.clone(), h.clone())),
            agent: Some(h.clone()),
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, T - 50_000).unwrap();
    let done = fx
        .assistant_message(
            &sid,
            T - 40_000,
            AssistantSpec {
                completed: Some(T - 39_000),
                finish: Some(h.clone()),
                error: Some((h.clone(), h.clone())),
                model: (h.clone(), h.clone()),
                agent: h.clone(),
                tokens: Tokens {
                    input: 10,
                    output: 5,
                    ..Tokens::default()
                },
                ..AssistantSpec::default()
            },
        )
        .unwrap();
    fx.text_part(&done, T - 39_500, &format!("{h}\n{h}"))
        .unwrap();
    fx.user_message(&sid, T - 30_000).unwrap();
    let live = fx
        .assistant_message(
            &sid,
            T - 20_000,
            AssistantSpec {
                model: (h.clone(), h.clone()),
                ..AssistantSpec::default()
            },
        )
        .unwrap();
    fx.text_part(&live, T - 19_000, &h).unwrap();
    fx.tool_part(
        &live,
        T - 18_000,
        ToolSpec {
            tool: h.clone(),
            status: ToolStatus::Running,
            title: Some(h.clone()),
            input: json!({"command": h, "description": h}),
            ..ToolSpec::default()
        },
    )
    .unwrap();
    for (i, status) in ["in_progress", "pending", "completed"].iter().enumerate() {
        fx.todo(&sid, i as i64, &h, status, &h).unwrap();
    }

    let mut db = Db::open(&path).unwrap();
    let facts = db.session_facts(std::slice::from_ref(&sid)).unwrap();
    let session = facts
        .into_iter()
        .next()
        .expect("the hostile session reads back");
    assert_eq!(session.title.as_deref(), Some(HOSTILE), "stored exactly");
    let history = db.history(&sid, 50).unwrap();
    let status = infer::infer(&session, &[], &Liveness::default(), T);
    let row = Row {
        process: Some(ProcessRow {
            info: ProcessInfo {
                pid: 4242,
                name: h.clone(),
                argv: vec!["opencode".into(), h.clone()],
                cwd: Some(format!("/src/{h}")),
                tty: Some(format!("/dev/pts/{h}")),
                started_at: T - 90_000,
                ..ProcessInfo::default()
            },
            kind: Kind::Tui,
            cpu_percent: Some(1.0),
            owner: None,
            plugin: false,
        }),
        session: Some(session),
        status,
        matched: Some(MatchRule::Flag),
        tmux: Some(TmuxLocation {
            socket: format!("/tmp/{h}"),
            pane_id: "%1".into(),
            target: format!("{h}:1.0"),
            session: h.clone(),
            window: 1,
            window_name: h.clone(),
            host: None,
        }),
        unseen: false,
        certain: false,
        host: None,
    };
    (row, history)
}

fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    let a = action::from_key(app, KeyEvent::new(code, KeyModifiers::NONE))?;
    app.apply(a)
}

/// Draws and returns every cell's symbol that drives a terminal, with where it is.
fn bad_cells(app: &App) -> Vec<(u16, u16, String)> {
    let mut term = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    let buf = term.backend().buffer();
    let mut bad = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if sym.chars().any(drives_terminal) {
                bad.push((x, y, sym.to_string()));
            }
        }
    }
    bad
}

fn screen(app: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    term.backend().to_string()
}

#[test]
fn hostile_database_text_cannot_drive_the_terminal_in_any_view() {
    let dir = tempfile::tempdir().unwrap();
    let (row, history) = hostile_db(dir.path());
    let mut app = App::new(T, Theme::default());
    app.apply(action::Action::Resize(160, 40));
    let snap = Snapshot {
        taken_at: T,
        rows: vec![row],
        warnings: vec![HOSTILE.into()],
        ..Snapshot::default()
    };
    app.ingest(snap.clone());
    let mut seen = Vec::new();
    let mut check = |app: &App, what: &str| {
        let bad = bad_cells(app);
        assert!(bad.is_empty(), "{what}: control chars on screen: {bad:?}");
        let s = screen(app);
        assert!(!s.contains("pwned"), "{what}: escape payload shown:\n{s}");
        seen.push(s);
    };
    check(&app, "list");

    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.panel, Some(Panel::Todos));
    check(&app, "todo panel");
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Enter);
    let focus = app.focus();
    assert_eq!(focus.session_id.as_deref(), Some("ses_hostile"));
    // A pane capture as tmux gives it (SGR colours), salted with everything else.
    let pane = format!("\u{1b}[32mok\u{1b}[0m {HOSTILE}\n{HOSTILE}\n\u{1b}P1$r\u{1b}\\\u{9b}2J");
    app.ingest(Snapshot {
        detail: Some(Detail {
            session_id: focus.session_id,
            history,
            pane_text: Some(pane),
        }),
        ..snap
    });
    assert_eq!(app.tab, DetailTab::Pane);
    check(&app, "detail pane");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, DetailTab::History);
    check(&app, "detail history");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('?'));
    check(&app, "help");

    // The text is still shown, only made inert: a user can read the title.
    assert!(seen[0].contains("txt.exe"), "{}", seen[0]);
    assert!(seen[0].contains("#(touch /tmp/"), "{}", seen[0]);
}

#[test]
fn hostile_database_error_is_shown_inert() {
    let mut app = App::new(T, Theme::default());
    app.apply(action::Action::Resize(220, 10));
    app.ingest(Snapshot {
        taken_at: T,
        db_error: Some(crate::source::db::DbError::Unreadable {
            path: format!("/data/{HOSTILE}/opencode.db").into(),
            reason: "not an SQLite database".into(),
        }),
        ..Snapshot::default()
    });
    assert!(bad_cells(&app).is_empty());
    let s = screen(&app);
    assert!(s.contains("not an SQLite database"), "{s}");
}

#[test]
fn the_picker_shows_hostile_rows_and_messages_inert() {
    use crate::pick::state::Picker;
    let dir = tempfile::tempdir().unwrap();
    let (row, _) = hostile_db(dir.path());
    let mut plain = row.clone();
    plain.status = Status::new(State::Waiting, HOSTILE);
    let mut picker = Picker::new(vec![row, plain]);
    picker.message = Some(format!("jump failed: {HOSTILE}"));
    picker.query = HOSTILE.into();
    for colour in [true, false] {
        let mut term = Terminal::new(TestBackend::new(120, 12)).unwrap();
        let theme = Theme {
            color: colour,
            ..Theme::default()
        };
        term.draw(|f| crate::pick::view::draw(f, &picker, &theme))
            .unwrap();
        let buf = term.backend().buffer();
        let bad: Vec<&str> = buf
            .content()
            .iter()
            .map(|c| c.symbol())
            .filter(|s| s.chars().any(drives_terminal))
            .collect();
        assert!(bad.is_empty(), "picker cells: {bad:?}");
        let s = term.backend().to_string();
        assert!(!s.contains("pwned"), "{s}");
        assert!(s.contains("jump failed"), "{s}");
    }
}

#[test]
fn the_status_line_title_cannot_run_or_style_anything_in_tmux() {
    use crate::statusline::format::{Counts, Style, render};
    let counts = Counts {
        waiting: 1,
        top_title: Some(HOSTILE.into()),
        ..Counts::default()
    };
    let tmux = render("{fg:waiting}{title}{reset}", &counts, &Style::default()).unwrap();
    assert!(!tmux.chars().any(drives_terminal), "{tmux:?}");
    assert!(
        tmux.contains("##(touch /tmp/gotcha)##[fg=red]##{pane_id}"),
        "{tmux:?}"
    );
    let plain = Style {
        plain: true,
        ..Style::default()
    };
    let text = render("{title}", &counts, &plain).unwrap();
    assert!(!text.chars().any(drives_terminal), "{text:?}");
}
