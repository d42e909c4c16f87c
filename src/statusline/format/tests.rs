use super::*;

fn counts(w: usize, e: usize, k: usize, i: usize, s: usize) -> Counts {
    Counts {
        waiting: w,
        error: e,
        working: k,
        idle: i,
        stalled: s,
        done: 0,
        ..Counts::default()
    }
}

#[test]
fn done_sessions_have_a_segment_of_their_own_before_idle() {
    let c = Counts {
        done: 2,
        ..counts(0, 0, 1, 1, 0)
    };
    assert_eq!(render(DEFAULT_FORMAT, &c, &plain()).unwrap(), "●1 ✓2 ○1");
    assert_eq!(
        render("{?done:{fg:done}{sym:done}{done}}{total}", &c, &tmux()).unwrap(),
        "#[fg=blue]✓24"
    );
}

fn tmux() -> Style {
    Style::default()
}

fn plain() -> Style {
    Style {
        plain: true,
        ..Style::default()
    }
}

#[test]
fn default_format_lists_non_zero_states_most_urgent_first() {
    let out = render(DEFAULT_FORMAT, &counts(1, 0, 2, 3, 0), &tmux()).unwrap();
    assert_eq!(
        out,
        "#[fg=magenta,bold]◆1 #[fg=green]●2 #[fg=default]○3#[default]"
    );
}

#[test]
fn every_state_mix_shows_exactly_its_non_zero_counts() {
    for mask in 0..32u32 {
        let n = |bit: u32| usize::from(mask & (1 << bit) != 0) * (bit as usize + 1);
        let c = counts(n(0), n(1), n(2), n(3), n(4));
        let out = render(DEFAULT_FORMAT, &c, &plain()).unwrap();
        for (k, state) in State::ALL.iter().enumerate() {
            let seg = format!("{}{}", Style::default().symbols[k], c.get(*state));
            assert_eq!(
                out.contains(&seg),
                c.get(*state) > 0,
                "mask {mask}: {out:?}"
            );
        }
        assert!(
            !out.contains("#["),
            "plain output has no tmux styles: {out:?}"
        );
    }
}

#[test]
fn plain_style_drops_tmux_styles() {
    let out = render(DEFAULT_FORMAT, &counts(0, 1, 0, 0, 0), &plain()).unwrap();
    assert_eq!(out, "✗1");
}

#[test]
fn custom_format_with_conditionals_and_braces() {
    let f = "oc {{{total}}}{?waiting: ! {waiting} waiting}{?none:quiet}";
    assert_eq!(
        render(f, &counts(2, 0, 1, 0, 0), &plain()).unwrap(),
        "oc {3} ! 2 waiting"
    );
    assert_eq!(
        render(f, &counts(0, 0, 0, 0, 0), &plain()).unwrap(),
        "oc {0}quiet"
    );
}

#[test]
fn hostile_titles_reach_tmux_literally() {
    let mut c = counts(1, 0, 0, 0, 0);
    for (title, want) in [
        ("#(rm -rf ~)", "##(rm -rf ~)"),
        ("#[fg=red]x", "##[fg=red]x"),
        ("#{pane_id}", "##{pane_id}"),
        ("\u{1b}]52;c;eA==\u{7}#(id)", "##(id)"),
    ] {
        c.top_title = Some(title.to_string());
        assert_eq!(render("{title}", &c, &tmux()).unwrap(), want);
    }
}

#[test]
fn bad_formats_are_errors_not_panics() {
    let c = counts(0, 0, 0, 0, 0);
    assert_eq!(
        render("{waiting", &c, &tmux()),
        Err(FormatError::Unclosed(0))
    );
    assert_eq!(
        render("{bogus}", &c, &tmux()),
        Err(FormatError::Unknown("bogus".into()))
    );
    assert!(render("{?nope:x}", &c, &tmux()).is_err());
    assert!(render("}", &c, &tmux()).is_ok());
}

#[test]
fn deep_nesting_is_linear_and_needs_no_stack() {
    let n = 100_000;
    let f = format!("{}x{}", "{?any:".repeat(n), "}".repeat(n));
    let t = std::time::Instant::now();
    assert_eq!(render(&f, &counts(1, 0, 0, 0, 0), &plain()).unwrap(), "x");
    assert_eq!(render(&f, &counts(0, 0, 0, 0, 0), &plain()).unwrap(), "");
    let unclosed = format!("{}x", "{?any:".repeat(n));
    assert_eq!(
        render(&unclosed, &counts(1, 0, 0, 0, 0), &plain()),
        Err(FormatError::Unclosed(0))
    );
    let mixed = format!("{}{{waiting}}{}", "{?any:{{".repeat(n), "}}}".repeat(n));
    let out = render(&mixed, &counts(2, 0, 0, 0, 0), &plain()).unwrap();
    assert_eq!(
        out.len(),
        2 * n + 1,
        "{{ and }} stay literal at every level"
    );
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn nested_conditionals_show_only_their_true_branches() {
    let c = counts(1, 0, 3, 0, 0);
    let f = "{?waiting:w{waiting}{?error:E}{?working:[{working}{?any:!}]}}.{?idle:no}";
    assert_eq!(render(f, &c, &plain()).unwrap(), "w1[3!].");
}

#[test]
fn a_host_is_counted_on_its_own() {
    let mut c = counts(1, 0, 2, 0, 0);
    c.per_host.insert("box".into(), counts(1, 0, 0, 0, 0));
    c.per_host.insert("local".into(), counts(0, 0, 2, 0, 0));
    c.unreachable = 1;
    let t = "{?waiting@box:box {waiting@box}◆ }{total@local} here{?waiting@nowhere:!}{?unreachable: {unreachable} down}";
    assert_eq!(render(t, &c, &plain()).unwrap(), "box 1◆ 2 here 1 down");
    assert!(render("{nonsense@box}", &c, &plain()).is_err());
}

#[test]
fn waited_shows_todays_wait_and_only_a_template_that_says_it_reads_it() {
    let c = Counts {
        waited_ms: 725_000,
        ..counts(1, 0, 0, 0, 0)
    };
    let out = render("{?waited:waited {waited}}", &c, &plain()).unwrap();
    assert_eq!(out, "waited 12m05s");
    let none = counts(1, 0, 0, 0, 0);
    assert_eq!(
        render("{?waited:waited {waited}}|{waited}", &none, &plain()).unwrap(),
        "|0s"
    );
    assert!(uses_waited("{?waited:{waited}}"));
    assert!(uses_waited("{waited@box}"));
    assert!(!uses_waited(DEFAULT_FORMAT));
}
