//! `otop::testkit::fuzz::config`: see there what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otop::testkit::fuzz::config(data));
