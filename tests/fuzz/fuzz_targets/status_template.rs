//! `otop status --format` templates, arbitrary: rendered or refused, never a panic or a stack
//! overflow, in time linear in the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otop::statusline::format::{Counts, Style, render};

fuzz_target!(|data: &[u8]| {
    let template = String::from_utf8_lossy(data);
    let counts = Counts {
        waiting: 1,
        error: 0,
        working: 3,
        idle: 2,
        stalled: 0,
        top_title: Some("t;#{x}".into()),
    };
    for plain in [false, true] {
        let style = Style {
            plain,
            ..Style::default()
        };
        let _ = render(&template, &counts, &style);
    }
});
