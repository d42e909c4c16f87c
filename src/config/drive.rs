//! `[drive]`: how otop acts on a session, where the command line does not say (`otop end
//! --grace` does; the monitor's and the picker's `end` keys take the file's).

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The grace `end` takes, in seconds.
pub const GRACE_SECS: std::ops::RangeInclusive<f64> = 0.0..=3600.0;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Drive {
    /// Seconds `end` waits after its first signal (SIGTERM) before SIGKILL.
    pub end_grace: f64,
}

impl Default for Drive {
    fn default() -> Self {
        Drive { end_grace: 5.0 }
    }
}

impl Drive {
    /// The grace of an `end` from the views (and of `otop end` without `--grace`).
    pub fn end_grace(&self) -> Duration {
        // parse() checked it; the default stands in for a hand-built Config.
        grace(self.end_grace).unwrap_or(Duration::from_secs(5))
    }

    pub(super) fn check(&self) -> Result<()> {
        grace(self.end_grace)
            .map(|_| ())
            .map_err(|e| Error::Invalid(format!("drive.end_grace: {e}")))
    }
}

/// A grace of `secs` seconds; NaN, infinities and anything outside [`GRACE_SECS`] are refused
/// here, so no `Duration` conversion can panic later.
pub fn grace(secs: f64) -> Result<Duration> {
    super::seconds(secs, GRACE_SECS, "grace")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The file's grace is the views' (and `otop end`'s default); a wrong one names the key.
    #[test]
    fn the_end_grace_is_set_in_the_file() {
        let c = crate::config::parse("[drive]\nend_grace = 12.5\n", Path::new("c.toml"))
            .expect("parses");
        assert_eq!(c.drive.end_grace(), Duration::from_millis(12_500));
        assert_eq!(
            crate::config::Config::default().drive.end_grace(),
            Duration::from_secs(5)
        );
        for bad in ["-1", "3601", "nan", "inf"] {
            let text = format!("[drive]\nend_grace = {bad}\n");
            let e = crate::config::parse(&text, Path::new("c.toml"))
                .expect_err(bad)
                .to_string();
            assert_eq!(
                e,
                "c.toml: drive.end_grace: the grace must be between 0 and 3600 seconds"
            );
        }
        let e = crate::config::parse("[drive]\nend_grace = \"5\"\n", Path::new("c.toml"))
            .expect_err("a string")
            .to_string();
        assert!(e.starts_with("c.toml:2: `drive.end_grace`"), "{e}");
        assert_eq!(grace(0.0).ok(), Some(Duration::ZERO));
    }
}
