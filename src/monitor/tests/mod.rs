//! Views rendered on a `TestBackend` from the demo fleet at a fixed time, snapshotted with
//! insta; keys driven through `key → Action → App::apply`, without a terminal or sleeping.

mod answer;
mod columns;
mod day;
mod hostile;
mod unseen;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use crate::collect::Focus;
use crate::collect::demo;
use crate::model::facts::{McpFile, McpPanel, McpServer, Unusable};
use crate::monitor::draw as view;
use crate::monitor::state::action::{self, Action};
use crate::monitor::state::columns::Column;
use crate::monitor::state::list;
use crate::monitor::state::{App, DetailTab, Effect, Panel, View};
use crate::tui::theme::Theme;

/// 2025-10-09 08:53:20 UTC: every demo session is in a known phase.
const T: i64 = 1_760_000_000_000;

fn app(w: u16, h: u16) -> App {
    let mut app = App::new(T, Theme::default());
    app.apply(Action::Resize(w, h));
    app.ingest(demo::snapshot(&Focus::default(), T));
    app
}

/// Renders `app` at its size; the text of the screen.
fn screen(app: &App) -> String {
    let backend = TestBackend::new(app.size.width, app.size.height);
    let mut term = Terminal::new(backend).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    term.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    let action = action::from_key(app, key)?;
    app.apply(action)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn selected_title(app: &App) -> String {
    app.selected_row().map(|r| r.title()).unwrap_or_default()
}

/// Moves the selection to the first row whose title contains `needle`.
fn select(app: &mut App, needle: &str) {
    press(app, KeyCode::Char('g'));
    for _ in 0..app.shown.len() {
        if selected_title(app).contains(needle) {
            return;
        }
        press(app, KeyCode::Char('j'));
    }
    panic!("no row titled {needle}");
}

/// Opens the detail view and feeds it the snapshot its focus asks for.
fn open_detail(app: &mut App) {
    press(app, KeyCode::Enter);
    let focus = app.focus();
    app.ingest(demo::snapshot(&focus, T));
}

#[test]
fn list_wide() {
    let mut app = app(160, 30);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('p'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn list_narrow() {
    insta::assert_snapshot!(screen(&app(80, 24)));
}

#[test]
fn list_tiny() {
    insta::assert_snapshot!(screen(&app(40, 10)));
}

#[test]
fn any_size_renders_without_panic() {
    for (w, h) in [(1, 1), (2, 3), (10, 2), (40, 10), (300, 5), (5, 100)] {
        let mut a = app(w, h);
        screen(&a);
        for code in [
            KeyCode::Char('?'),
            KeyCode::Esc,
            KeyCode::Char('t'),
            KeyCode::Esc,
        ] {
            press(&mut a, code);
            screen(&a);
        }
        open_detail(&mut a);
        screen(&a);
        press(&mut a, KeyCode::Tab);
        screen(&a);
    }
}

#[test]
fn detail_pane() {
    let mut app = app(100, 24);
    select(&mut app, "Refactor");
    open_detail(&mut app);
    assert_eq!(app.tab, DetailTab::Pane);
    assert_eq!(app.detail_len(), app.detail_lines(100).len());
    assert!(app.detail_len() > 1, "the pane, not a note");
    let s = screen(&app);
    assert!(
        !s.contains("pwned"),
        "hostile escape payload reached the screen"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn detail_history() {
    let mut app = app(100, 30);
    select(&mut app, "Refactor");
    open_detail(&mut app);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, DetailTab::History);
    // Counted again for the new tab, and again for a narrower screen.
    let count = |app: &App| app.detail_lines(app.size.width).len();
    assert_eq!(app.detail_len(), count(&app));
    insta::assert_snapshot!(screen(&app));
    app.apply(Action::Resize(60, 20));
    assert_eq!(app.detail_len(), count(&app));
}

#[test]
fn todo_panel() {
    let mut app = app(100, 24);
    select(&mut app, "CJK");
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.panel, Some(Panel::Todos));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn mcp_panel() {
    let mut app = app(100, 24);
    select(&mut app, "Refactor");
    let effect = press(&mut app, KeyCode::Char('m'));
    assert_eq!(
        effect,
        Some(Effect::LoadMcp(Some("/home/dev/src/api".into())))
    );
    app.set_mcp(McpPanel {
        files: vec![
            McpFile {
                path: "/home/dev/.config/opencode/opencode.json".into(),
                servers: Ok(vec![
                    McpServer {
                        name: "docs".into(),
                        kind: "remote".into(),
                        target: "https://mcp.example.com/sse".into(),
                        enabled: false,
                    },
                    McpServer {
                        name: "github".into(),
                        kind: "local".into(),
                        target: "npx -y @modelcontextprotocol/server-github".into(),
                        enabled: true,
                    },
                ]),
            },
            McpFile {
                path: "/home/dev/src/api/opencode.jsonc".into(),
                servers: Err(Unusable::Invalid("expected `,` at line 3 column 5".into())),
            },
        ],
    });
    insta::assert_snapshot!(screen(&app));
}

/// The screen's line that has `what` on it, from where its keys start.
fn help_line(screen: &str, what: &str) -> String {
    let line = screen.lines().find(|l| l.contains(what));
    let line = line.unwrap_or_else(|| panic!("help lacks {what}"));
    line.split('│').nth(1).unwrap_or(line).to_string()
}

#[test]
fn help_overlay() {
    let mut app = app(100, 48);
    press(&mut app, KeyCode::Char('?'));
    let s = screen(&app);
    // Every action a key is bound to by default, with all its keys.
    let bound = app.keymap.help();
    assert!(bound.len() >= 26, "{bound:?}");
    for (action, keys) in bound {
        let what = action
            .describe()
            .unwrap_or_else(|| panic!("{action:?}: no help"));
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert!(help_line(&s, what).starts_with(&keys.join(" ")), "{what}");
    }
    insta::assert_snapshot!(s);
}

#[test]
fn the_files_keys_act_and_show_in_the_help_and_hints() {
    let config = crate::config::parse(
        "[monitor.keys.move]\ndown = [\"n\", \"down\"]\n[monitor.keys.list]\njump = \"J\"\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap();
    // Wide enough for the answer keys of a waiting row and the footer's hints.
    let mut app = app(200, 30);
    app.keymap = crate::monitor::state::keymap::Keymap::new(&config.monitor.keys);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.selected, 1);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected, 1, "j no longer moves");
    assert!(
        screen(&app).contains("J jump"),
        "the footer names the new key"
    );
    press(&mut app, KeyCode::Char('?'));
    let s = screen(&app);
    // The list's jump is J; the detail view's is still o.
    let jump = help_line(&s, "jump to the session's tmux pane");
    assert!(jump.starts_with("J o "), "{jump}");
    assert!(help_line(&s, "down (scrolls").starts_with("n down "));
}

#[test]
fn filter_in_progress() {
    let mut app = app(120, 20);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "work");
    assert!(app.editing_filter);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn database_error_is_shown() {
    let mut app = app(100, 16);
    let mut snap = demo::snapshot(&Focus::default(), T);
    snap.db_error = Some(crate::source::db::DbError::Unreadable {
        path: "~/.local/share/opencode/opencode.db".into(),
        reason: "unable to open database file".into(),
    });
    snap.totals = None;
    app.ingest(snap);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn moving_and_paging() {
    let mut app = app(80, 14);
    assert_eq!(app.selected, 0);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 2);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.selected, 1);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.selected, app.shown.len() - 1);
    assert!(app.offset > 0, "the last row is scrolled into view");
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!((app.selected, app.offset), (0, 0));
    press(&mut app, KeyCode::PageDown);
    assert!(app.selected > 1);
}

#[test]
fn sort_cycles_and_flips() {
    let mut app = app(120, 30);
    assert_eq!((app.sort, app.descending), (Column::Status, false));
    press(&mut app, KeyCode::Char('>'));
    assert_eq!(app.sort, Column::Waited);
    press(&mut app, KeyCode::Char('>'));
    assert_eq!(app.sort, Column::Session);
    press(&mut app, KeyCode::Char('<'));
    press(&mut app, KeyCode::Char('<'));
    press(&mut app, KeyCode::Char('<'));
    assert_eq!(app.sort, Column::Title);
    let first = selected_title(&app);
    press(&mut app, KeyCode::Char('g'));
    let top_asc = selected_title(&app);
    press(&mut app, KeyCode::Char('s'));
    assert!(app.descending);
    // The selection follows its row; the top row is now the other end.
    press(&mut app, KeyCode::Char('g'));
    assert_ne!(selected_title(&app), top_asc);
    assert!(!first.is_empty());
    for _ in 0..Column::ALL.len() {
        press(&mut app, KeyCode::Char('>'));
    }
    assert_eq!(app.sort, Column::Title);
}

#[test]
fn filter_typing_and_clearing() {
    let mut app = app(120, 30);
    let all = app.shown.len();
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "billing");
    assert_eq!(app.shown.len(), 1);
    assert!(selected_title(&app).contains("billing"));
    // While typing, letters are text, not commands.
    typed(&mut app, "qzx");
    assert_eq!((app.filter.as_str(), app.shown.len()), ("billingqzx", 0));
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    assert!(!app.editing_filter);
    assert_eq!(app.filter, "billing");
    press(&mut app, KeyCode::Esc);
    assert_eq!((app.filter.as_str(), app.shown.len()), ("", all));
    // Matches session ids, tmux locations and status too; lower case matches either case.
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "scratch:0");
    assert_eq!(app.shown.len(), 1);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "'asking");
    assert_eq!(app.shown.len(), 1, "a leading ' asks for the text as it is");
    // The one filter of the monitor and the picker: fuzzy, a host's name included.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "flkyci");
    assert_eq!(selected_title(&app), "Fix flaky CI on macOS");
    assert_eq!(app.shown.len(), 1);
}

#[test]
fn toggles_show_more_rows() {
    let mut app = app(120, 30);
    let primary = app.shown.len();
    press(&mut app, KeyCode::Char('a'));
    let with_all = app.shown.len();
    assert_eq!(with_all, primary + 2, "subagent and opencode run");
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.shown.len(), with_all + 2, "two helpers");
    // The subagent sits right under its parent.
    let titles: Vec<String> = app
        .shown
        .iter()
        .map(|s| app.snapshot.rows[s.index].title())
        .collect();
    let parent = titles.iter().position(|t| t.contains("Refactor")).unwrap();
    assert!(
        titles[parent + 1..]
            .iter()
            .take(2)
            .any(|t| t.contains("subagent"))
    );
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.shown.len(), primary);
}

#[test]
fn selection_survives_a_resorted_snapshot() {
    let mut app = app(120, 30);
    select(&mut app, "billing");
    let key = app.selected_row().and_then(list::row_key);
    // Ten seconds later every status moved; the rows also arrive in another order.
    let mut snap = demo::snapshot(&Focus::default(), T + 10_000);
    snap.rows.reverse();
    app.ingest(snap);
    assert_eq!(app.selected_row().and_then(list::row_key), key);
    press(&mut app, KeyCode::Char('>'));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.selected_row().and_then(list::row_key), key);
    // When the row vanishes the selection stays in place instead of jumping to the top.
    let before = app.selected;
    let mut snap = demo::snapshot(&Focus::default(), T + 10_000);
    snap.rows.retain(|r| r.title() != "Migrate billing schema");
    app.ingest(snap);
    assert_eq!(app.selected, before.min(app.shown.len() - 1));
}

#[test]
fn detail_keys_and_focus() {
    let mut app = app(100, 30);
    assert_eq!(app.focus(), Focus::default());
    select(&mut app, "Refactor");
    open_detail(&mut app);
    assert_eq!(app.view, View::Detail);
    let focus = app.focus();
    assert!(
        focus
            .session_id
            .as_deref()
            .is_some_and(|s| s.starts_with("ses_"))
    );
    assert_eq!(focus.pane.as_ref().map(|p| p.pane_id.as_str()), Some("%3"));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.scroll, 2);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.scroll + 1, app.detail_len(), "G stops at the last line");
    assert!(matches!(
        press(&mut app, KeyCode::Char('o')),
        Some(Effect::Jump(_))
    ));
    assert!(
        matches!(press(&mut app, KeyCode::Char('y')), Some(Effect::Copy(id)) if id.starts_with("ses_"))
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::List);
    assert_eq!(app.focus(), Focus::default());
}

#[test]
fn quit_copy_jump_and_mouse() {
    let mut app = app(120, 30);
    assert_eq!(press(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(action::from_key(&app, ctrl_c), Some(Action::Quit));
    assert_eq!(press(&mut app, KeyCode::Char('r')), Some(Effect::Refresh));
    select(&mut app, "release notes");
    assert_eq!(
        press(&mut app, KeyCode::Tab),
        None,
        "not in tmux: a note, no jump"
    );
    assert!(app.live_note().is_some_and(|n| n.error));
    // Rows start below the 2-line header and 2-line column header; each takes two lines.
    app.apply(Action::Click {
        column: 5,
        row: 4 + 2 * 2 + 1,
    });
    assert_eq!(app.selected, 2);
    app.apply(Action::ScrollDown);
    assert_eq!(app.selected, 3);
}

#[test]
fn no_color_keeps_selection_visible() {
    let mut app = app(80, 12);
    app.theme = Theme {
        color: false,
        ..Theme::default()
    };
    let backend = TestBackend::new(80, 12);
    let mut term = Terminal::new(backend).unwrap();
    term.draw(|f| view::draw(f, &app)).unwrap();
    let buf = term.backend().buffer();
    let mut colours = buf
        .content()
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset);
    assert!(colours.next().is_none(), "NO_COLOR drew a colour");
    let sel = buf.cell((0, 4)).map(|c| c.modifier);
    assert!(sel.is_some_and(|m| m.contains(ratatui::style::Modifier::REVERSED)));
}

#[test]
fn detail_pages_by_body_height() {
    let mut app = app(100, 14);
    select(&mut app, "Refactor");
    open_detail(&mut app);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::PageDown);
    // 14 lines - 4 header - 3 strip - 1 tabs - 1 footer = 5 body lines.
    assert_eq!(app.scroll, 5);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.scroll, 0);
}

#[test]
fn the_files_colours_reach_the_drawn_rows() {
    let config = crate::config::parse(
        "[monitor.colours]\nerror = \"#ff8000\"\nthinking = \"light-blue\"\nheader = 99\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap();
    let mut app = app(80, 24);
    app.theme.colours = config.monitor.colours;
    let backend = TestBackend::new(80, 24);
    let mut term = Terminal::new(backend).unwrap();
    term.draw(|f| view::draw(f, &app)).unwrap();
    let buf = term.backend().buffer();
    // The first cell of `word` on the line that starts with `title`.
    let cell = |title: &str, word: &str| {
        let y = (0..buf.area.height)
            .find(|&y| {
                let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
                line.starts_with(title)
            })
            .unwrap_or_else(|| panic!("no row {title}"));
        let line: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let x = (0..line.len())
            .find(|&x| line[x..].concat().starts_with(word))
            .unwrap_or_else(|| panic!("no {word} in row {title}"));
        buf[(x as u16, y)].clone()
    };
    assert_eq!(
        cell("Migrate billing schema", "error").fg,
        Color::Rgb(0xff, 0x80, 0x00)
    );
    assert_eq!(
        cell("Refactor auth middleware", "thinking").fg,
        Color::LightBlue
    );
    assert_eq!(
        cell("TITLE", "STATUS").bg,
        Color::Cyan,
        "the sort column's own"
    );
    assert_eq!(cell("TITLE", "CTX").bg, Color::Indexed(99));
    // Unset keys keep the dark theme's colours.
    assert_eq!(cell("Fix flaky CI", "asking").fg, Color::Magenta);
}

/// The picker and the monitor cut a title of wide characters (CJK, emoji) by one rule: given the
/// same room, they show the same text, never half a character.
#[test]
fn picker_and_monitor_cut_wide_titles_alike() {
    use crate::pick::state::Picker;
    // A ZWJ sequence and a flag: one glyph two columns wide, drawn from several code points.
    const TITLE: &str = "CJK 対応 👩‍💻 🇯🇵 日本語のタイトル表示 🎌";
    let mut snap = demo::snapshot(&Focus::default(), T);
    snap.rows.retain(|r| r.title().starts_with("CJK"));
    for r in &mut snap.rows {
        r.tmux = None; // no location on the picker's right: the title's room is known
        if let Some(s) = r.session.as_mut() {
            s.title = Some(TITLE.into());
        }
    }
    for room in 9..=30 {
        let mut mon = App::new(T, Theme::default());
        mon.columns = Vec::new(); // TITLE alone: it takes the whole width
        mon.apply(Action::Resize(room, 30));
        mon.ingest(snap.clone());
        let rows = snap.rows.clone();
        let picker = Picker::new(rows);
        // The picker's line: " ", 12 columns of state and status (`permission` is the widest),
        // " ", title, " ".
        let backend = TestBackend::new(room + 15, 6);
        let mut term = Terminal::new(backend).unwrap();
        term.draw(|f| crate::pick::view::draw(f, &picker, &Theme::default()))
            .unwrap();
        let picked = term.backend().to_string();
        let shown = |screen: &str| -> String {
            let line = screen
                .lines()
                .find(|l| l.contains("CJK"))
                .unwrap()
                .to_string();
            let from = line.find("CJK").unwrap();
            let rest = &line[from..];
            rest[..rest.find('"').unwrap_or(rest.len())]
                .trim_end()
                .to_string()
        };
        let (a, b) = (shown(&screen(&mon)), shown(&picked));
        assert_eq!(a, b, "room {room}");
        assert!(crate::tui::text::width(&a) <= usize::from(room), "{a}");
    }
}
