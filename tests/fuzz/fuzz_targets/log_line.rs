//! `otop::testkit::fuzz::log_line`: see there what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otop::testkit::fuzz::log_line(data));
