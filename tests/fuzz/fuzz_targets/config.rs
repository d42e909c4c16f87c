//! `config::parse` on arbitrary text: an error or a configuration, never a panic, and every
//! interval it accepts is one a `Duration` can hold.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = otop::config::parse(&text, Path::new("/fuzz/config.toml")) {
        assert!(otop::config::interval(c.monitor.interval).is_ok());
    }
});
