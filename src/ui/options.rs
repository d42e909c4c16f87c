//! Command-line options of the monitor, as a clap `Args` block the full CLI can flatten in.

use std::time::Duration;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    /// Show a simulated fleet of sessions instead of the real ones.
    #[arg(long, env = "OTOP_DEMO")]
    pub demo: bool,
    /// Seconds between refreshes.
    #[arg(long, value_name = "SECS", default_value = "2", env = "OTOP_INTERVAL",
          value_parser = parse_interval)]
    pub interval: Duration,
}

/// Seconds, fractions allowed, between 0.2 and 3600.
fn parse_interval(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("not a number of seconds: {s}"))?;
    if !(0.2..=3600.0).contains(&secs) {
        return Err("the interval must be between 0.2 and 3600 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// How the monitor runs, whatever the source.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub interval: Duration,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            interval: Duration::from_secs(2),
        }
    }
}

impl From<&MonitorArgs> for MonitorOptions {
    fn from(a: &MonitorArgs) -> Self {
        MonitorOptions {
            interval: a.interval,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_interval("0").is_err());
        assert!(parse_interval("abc").is_err());
    }
}
