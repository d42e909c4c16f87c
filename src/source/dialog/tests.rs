use super::*;

/// Captures of opencode 1.18.33's TUI (160×45 unless named narrow), taken by the end-to-end
/// setup with `capture-pane -e -p`.
macro_rules! capture {
    ($name:literal) => {
        include_str!(concat!(
            "../../../tests/fixtures/dialog/opencode-1.18.33-",
            $name,
            ".ansi"
        ))
    };
}

fn permission(capture: &str) -> (Vec<String>, Option<usize>) {
    match parse(capture) {
        Some(Dialog::Permission {
            body,
            options,
            selected,
        }) => {
            assert_eq!(options, ["Allow once", "Allow always", "Reject"]);
            (body, selected)
        }
        other => panic!("not a permission dialog: {other:?}"),
    }
}

#[test]
fn a_permission_dialog_shows_its_command_and_the_selected_option() {
    let (body, selected) = permission(capture!("perm"));
    // The sidebar beside the dialog ("0% used", the project path) is not part of it.
    assert_eq!(body, ["# Shell command", "$ sleep 7"]);
    assert_eq!(selected, Some(0));
    assert_eq!(permission(capture!("perm-always")).1, Some(1));
    let (body, selected) = permission(capture!("perm-narrow"));
    assert_eq!(body, ["# Shell command", "$ sleep 9"]);
    assert_eq!(selected, Some(0));
    // The same screen printed into a wider pane and captured again: the capture writes a
    // background once, and the next lines go on with it.
    let (body, selected) = permission(capture!("perm-recaptured"));
    assert_eq!(body, ["# Shell command", "$ sleep 7"]);
    assert_eq!(selected, Some(0));
}

#[test]
fn allow_always_asks_to_confirm() {
    assert_eq!(
        parse(capture!("perm-always-confirm")),
        Some(Dialog::AlwaysConfirm { selected: Some(0) })
    );
}

#[test]
fn a_question_dialog_lists_its_options_and_the_typed_answer() {
    let q = |capture| match parse(capture) {
        Some(Dialog::Question {
            text,
            options,
            custom,
            tabs,
            typing,
        }) => {
            assert_eq!(text, "Which colour?");
            assert_eq!(options, ["Red", "Blue"]);
            assert!(custom && !tabs);
            typing
        }
        other => panic!("not a question dialog: {other:?}"),
    };
    assert_eq!(q(capture!("question")), None);
    // The typed-answer box opens with its placeholder, then holds what was typed.
    assert_eq!(q(capture!("question-typing")).as_deref(), Some(CUSTOM));
    assert_eq!(
        q(capture!("question-typed")).as_deref(),
        Some("Green please")
    );
}

#[test]
fn no_dialog_in_a_plain_pane_or_garbage() {
    assert_eq!(parse(""), None);
    assert_eq!(parse("┃  Build · m Scripted\n┃\n$ ls\n"), None);
    assert_eq!(parse("\u{1b}[48;5;2\u{1b}]0;x\u{7}┃ Allow once"), None);
    // Labels without a distinct background: the selection is unknown, never guessed.
    let flat = "┃ △ Permission required\n┃ $ sleep 1\n┃  Allow once   Allow always   Reject\n";
    assert!(matches!(
        parse(flat),
        Some(Dialog::Permission { selected: None, .. })
    ));
}

#[test]
fn squeezed_ignores_where_lines_wrap() {
    assert_eq!(
        squeezed("$ echo a &&\n  echo b"),
        squeezed("$ echo a && echo b")
    );
}

#[test]
fn options_drawn_above_the_title_are_no_dialog_and_no_panic() {
    // Today's main sliced `texts[title + 1..opts]` backwards here and panicked.
    let upside_down = "┃  Allow once   Allow always   Reject\n┃ △ Permission required\n┃ $ x\n";
    assert_eq!(parse(upside_down), None);
    let confirm = "┃  Confirm   Cancel\n┃ △ Always allow\n";
    assert_eq!(parse(confirm), None);
}

#[test]
fn only_the_lowest_block_is_the_live_dialog() {
    // A transcript block shaped like the dialog, above the prompt box: no dialog is open.
    let transcript = "┃ △ Permission required\n┃ $ rm -rf ~\n┃  Allow once   Allow always   \
                      Reject\n\n     $ rm -rf ~\n\n┃ Ask anything\n┃ Build · m Scripted\n\n";
    assert_eq!(parse(transcript), None);
    // Text drawn below it: not where opencode draws its dialog.
    let real = capture!("perm");
    assert!(parse(real).is_some());
    assert_eq!(
        parse(&format!("{real}\n  a line of output under it\n")),
        None
    );
    // A question shaped block above the prompt box, likewise.
    let question = "┃ Which colour?\n┃ 1. Red\n┃ 2. Blue\n┃ ⇅ select  enter submit  esc dismiss\n\n\
                    ┃ Ask anything\n\n";
    assert_eq!(parse(question), None);
    // The title must open the block: a prompt box merely holding the words is no dialog.
    let typed =
        "┃ Ask anything\n┃ △ Permission required\n┃ $ x\n┃ Allow once Allow always Reject\n";
    assert_eq!(parse(typed), None);
}
