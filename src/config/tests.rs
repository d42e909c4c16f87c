use super::*;
use crate::config::keys::Keys;

fn p() -> &'static Path {
    Path::new("/home/u/.config/otop/config.toml")
}

#[test]
fn the_default_file_is_the_defaults() {
    assert_eq!(parse(DEFAULT_FILE, p()).unwrap(), Config::default());
}

#[test]
fn the_default_file_documents_every_key() {
    for (section, keys) in keys() {
        assert!(DEFAULT_FILE.contains(&format!("[{section}]")), "{section}");
        for k in keys {
            assert!(
                DEFAULT_FILE.contains(&format!("{k} ="))
                    || DEFAULT_FILE.contains(&format!(".{k}]")),
                "{section}.{k}"
            );
        }
    }
}

#[test]
fn an_empty_file_and_a_partial_file_keep_the_other_defaults() {
    assert_eq!(parse("", p()).unwrap(), Config::default());
    let c = parse("[monitor]\ninterval = 5\n[status.symbols]\nwaiting = \"W\"\nerror = \"E\"\nworking = \"K\"\nidle = \"I\"\nstalled = \"S\"\n", p()).unwrap();
    assert_eq!(c.monitor.interval, 5.0);
    assert_eq!(c.monitor.sort, Column::Status);
    assert_eq!(c.status.symbols.as_array(), ["W", "E", "K", "I", "S"]);
}

/// Parsing `text` fails with an error that starts with the file and `at` (`3: `monitor.x``)
/// and says each of `says`.
fn refused(text: &str, at: &str, says: &[&str]) {
    let err = parse(text, p()).unwrap_err().to_string();
    let prefix = format!("/home/u/.config/otop/config.toml:{at}");
    assert!(err.starts_with(&prefix), "{err}");
    for s in says {
        assert!(err.contains(s), "{s}: {err}");
    }
}

#[test]
fn an_unknown_key_names_the_file_line_and_key() {
    let text = "[monitor]\ninterval = 2\nrefresh = 3\n";
    refused(text, "3: `monitor.refresh`", &["unknown field"]);
}

#[test]
fn a_wrong_type_names_the_file_line_and_value() {
    refused("[monitor]\n\ninterval = \"fast\"\n", "3:", &["\"fast\""]);
    refused("[monitor]\nsort = \"colour\"\n", "2:", &["unknown variant"]);
}

#[test]
fn errors_name_the_dotted_key_wherever_the_value_is() {
    let at = |text: &str| {
        parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string()
            .split(": ")
            .take(2)
            .collect::<Vec<_>>()
            .join(": ")
    };
    assert_eq!(at("[status]\nplain = 3\n"), "c.toml:2: `status.plain`");
    assert_eq!(
        at("[status.symbols]\nwaiting = 1\n"),
        "c.toml:2: `status.symbols.waiting`"
    );
    assert_eq!(
        at("[picker.keys]\ndown = [\n  \"down\",\n  \"ctrl-\",\n]\n"),
        "c.toml:2: `picker.keys.down`"
    );
    assert_eq!(at("[pickr]\nvim_keys = true\n"), "c.toml:1: `pickr`");
    assert_eq!(at("theme = \"dark\"\n"), "c.toml:1: `theme`");
}

#[test]
fn picker_keys_take_one_key_or_a_list() {
    let c = parse(
        "[picker.keys]\njump = \"tab\"\ndown = [\"ctrl-j\", \"J\"]\n",
        p(),
    )
    .unwrap();
    assert_eq!(c.picker.keys.jump, Keys::of(&["tab"]));
    assert_eq!(c.picker.keys.down, Keys::of(&["ctrl-j", "J"]));
    assert_eq!(
        c.picker.keys.up,
        PickerKeys::default().up,
        "others keep defaults"
    );
}

#[test]
fn bad_picker_keys_name_the_file_line_and_key() {
    let leap = "[picker.keys]\nup = \"k\"\nleap = \"enter\"\n";
    refused(
        leap,
        "3: `picker.keys.leap`",
        &["unknown field", "filter_clear"],
    );
    let entr = "[picker.keys]\n\njump = [\"entr\"]\n";
    refused(entr, "3: `picker.keys.jump`", &["unknown key `entr`"]);
    refused(
        "[picker.keys]\njump = 1\n",
        "2: `picker.keys.jump`",
        &["a key"],
    );
}

#[test]
fn a_key_bound_to_two_actions_is_refused() {
    let err = parse("[picker.keys]\njump = [\"enter\", \"j\"]\n", p())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("picker.keys: \"j\" is bound to both `down` and `jump`"),
        "{err}"
    );
    assert_eq!(PickerKeys::default().conflict(), None);
}

#[test]
fn monitor_keys_are_per_place_and_checked_in_each() {
    let c = parse(
        "[monitor.keys.move]\ndown = [\"n\", \"down\"]\n[monitor.keys.list]\njump = \"J\"\n",
        p(),
    )
    .unwrap();
    assert_eq!(c.monitor.keys.moving.down, Keys::of(&["n", "down"]));
    assert_eq!(c.monitor.keys.list.jump, Keys::of(&["J"]));
    assert_eq!(
        c.monitor.keys.detail,
        Default::default(),
        "others keep defaults"
    );
    assert_eq!(MonitorKeys::default().conflict(), None);
    // `q` quits the list and closes the detail view: two places, no conflict. A `move` key is
    // in the list, the detail view and panels alike.
    let err = parse("[monitor.keys.detail]\njump = \"j\"\n", p())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("monitor.keys: \"j\" is bound to both `detail.jump` and `move.down`"),
        "{err}"
    );
    let err = parse("[monitor.keys.filter]\ndone = [\"enter\", \"esc\"]\n", p())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`filter.done` and `filter.clear`"), "{err}");
    refused(
        "[monitor.keys.list]\njump = \"o\"\nleap = \"tab\"\n",
        "3: `monitor.keys.list.leap`",
        &["unknown field", "sort_next"],
    );
    refused(
        "[monitor.keys]\nlist = { help = \"f13\" }\n",
        "2: `monitor.keys.list.help`",
        &["unknown key `f13`"],
    );
}

#[test]
fn columns_are_checked() {
    let c = parse("[monitor]\ncolumns = [\"model\", \"status\"]\n", p()).unwrap();
    assert_eq!(c.monitor.columns, [Column::Model, Column::Status]);
    assert!(parse("[monitor]\ncolumns = []\n", p()).is_ok());
    let err = parse("[monitor]\ncolumns = [\"title\"]\n", p())
        .unwrap_err()
        .to_string();
    assert!(err.contains("title is always the first column"), "{err}");
    let err = parse("[monitor]\ncolumns = [\"cpu\", \"cpu\"]\n", p())
        .unwrap_err()
        .to_string();
    assert!(err.contains("listed twice"), "{err}");
    // HOST comes with hosts; the file names neither it nor the monitor's old names.
    for name in ["host", "time", "tokens"] {
        let err = parse(&format!("[monitor]\ncolumns = [\"{name}\"]\n"), p()).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{name}: {err}");
    }
    let err = parse("[monitor]\ncolumns = [\"price\"]\n", p())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(":2: `monitor.columns`") && err.contains("unknown variant"),
        "{err}"
    );
}

#[test]
fn an_interval_out_of_range_is_refused() {
    let err = parse("[monitor]\ninterval = 0\n", p())
        .unwrap_err()
        .to_string();
    assert!(err.contains("monitor.interval"), "{err}");
}

#[test]
fn a_missing_file_is_the_defaults_unless_named() {
    let missing = Path::new("/nonexistent/otop.toml");
    assert_eq!(load(Some(missing), false).unwrap(), Config::default());
    assert!(
        load(Some(missing), true)
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/otop.toml")
    );
}

#[test]
fn monitor_colours_take_names_indices_and_hex() {
    use crate::config::colour::Colour;
    use ratatui::style::Color;
    let c = parse(
        "[monitor.colours]\nwaiting = \"light-magenta\"\nidle = 244\nstalled = \"colour240\"\nselection = \"#203040\"\n",
        p(),
    )
    .unwrap();
    let own = c.monitor.colours;
    assert_eq!(own.waiting, Some(Colour(Color::LightMagenta)));
    assert_eq!(own.idle, Some(Colour(Color::Indexed(244))));
    assert_eq!(own.stalled, Some(Colour(Color::Indexed(240))));
    assert_eq!(own.selection, Some(Colour(Color::Rgb(0x20, 0x30, 0x40))));
    assert_eq!(own.working, None, "unset keys stay the theme's");
}

#[test]
fn bad_monitor_colours_name_the_file_line_and_key() {
    let text = "[monitor.colours]\nworking = \"green\"\nbusy = \"red\"\n";
    refused(
        text,
        "3: `monitor.colours.busy`",
        &["unknown field", "thinking"],
    );
    refused(
        "[monitor.colours]\n\nerror = \"purpl\"\n",
        "3: `monitor.colours.error`",
        &["unknown colour \"purpl\"", "#rrggbb"],
    );
    refused(
        "[monitor.colours]\nidle = 300\n",
        "2: `monitor.colours.idle`",
        &["300 is not 0-255"],
    );
    refused(
        "[monitor]\ncolours = { title = true }\n",
        "2: `monitor.colours.title`",
        &["a colour name"],
    );
}

#[test]
fn per_state_tables_may_name_only_some_states() {
    let c = parse(
        "[status.symbols]\nwaiting = \"W\"\n[status.colours]\nerror = \"blue\"\n",
        p(),
    )
    .unwrap();
    let d = Config::default().status;
    assert_eq!(c.status.symbols.waiting, "W");
    assert_eq!(c.status.symbols.idle, d.symbols.idle);
    assert_eq!(c.status.colours.error, "blue");
    assert_eq!(c.status.colours.waiting, d.colours.waiting);
    let err = parse("[status.symbols]\nwaitin = \"W\"\n", p())
        .unwrap_err()
        .to_string();
    assert!(err.contains("waitin"), "{err}");
}

#[test]
fn no_file_is_the_defaults_whatever_the_directories_are() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for base in [file.as_path(), Path::new("/dev/null")] {
        let path = base.join("otop").join("config.toml");
        assert_eq!(load(Some(&path), false).unwrap(), Config::default());
        // Named on the command line, a file that is not there is the user's mistake.
        assert!(load(Some(&path), true).is_err());
    }
}

#[test]
fn a_config_that_is_not_a_regular_file_is_refused_at_once() {
    for special in ["/dev/zero", "/dev/null"] {
        let err = load(Some(Path::new(special)), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("config.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let err = load(Some(&fifo), false).unwrap_err().to_string();
    assert!(err.contains("FIFO"), "{err}");
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat(2 << 20)).unwrap();
    let err = load(Some(&big), false).unwrap_err().to_string();
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn intervals_that_are_not_finite_or_sane_are_refused() {
    for bad in ["nan", "inf", "-inf", "1e30", "0", "-2"] {
        let err = parse(&format!("[monitor]\ninterval = {bad}\n"), p())
            .unwrap_err()
            .to_string();
        assert!(err.contains("interval"), "{bad}: {err}");
    }
}

#[test]
fn notify_takes_its_channels_and_refuses_what_cannot_work() {
    use crate::config::notify::TmuxAlert;
    use crate::model::transition::Kind;
    let c = parse(
        "[notify]\non = [\"waiting\"]\nhold_secs = 0.5\ndesktop = false\ntmux = [\"bell\"]\ncommand = [\"notify-me\", \"--urgent\"]\n",
        p(),
    )
    .unwrap();
    assert_eq!(c.notify.on, [Kind::Waiting]);
    assert_eq!(c.notify.tmux, [TmuxAlert::Bell]);
    assert!(c.notify.any());
    assert!(!parse("[notify]\non = []\n", p()).unwrap().notify.any());
    refused(
        "[notify]\non = [\"idle\"]\n",
        "2: `notify.on`",
        &["unknown variant"],
    );
    refused("[notify]\nhold_secs = -1\n", "", &["notify.hold_secs"]);
    refused("[notify]\ncommand = [\"\"]\n", "", &["notify.command"]);
}
