//! Standard output for every command. Rust's `println!` panics when the reader has gone
//! (`otop sessions --json | head -c1`); writing through here turns a closed pipe into
//! [`Error::ClosedOutput`], which ends otop quietly, and any other failure into an error.

use std::io::Write;

use crate::error::{Error, Result};

/// Writes `args` to stdout and flushes.
pub fn write(args: std::fmt::Arguments<'_>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(from_io)
}

/// Writes `bytes` to stdout as they are.
pub fn write_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(from_io)
}

fn from_io(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::ClosedOutput
    } else {
        Error::Output(e)
    }
}

/// `print!` that returns an error instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!($($arg)*)) };
}

/// `println!` that returns an error instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*))) };
}
