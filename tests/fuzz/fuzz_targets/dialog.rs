//! `otop::testkit::fuzz::dialog`: see there what it asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otop::testkit::fuzz::dialog(data));
