//! `otop`: for now only the monitor; the full CLI with subcommands is merged in later.

use std::process::ExitCode;

use clap::Parser;
use otop::collect::Source;
use otop::ui::{MonitorArgs, MonitorOptions, run_monitor};

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    monitor: MonitorArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source: Box<dyn Source> = if cli.monitor.demo {
        Box::new(otop::demo::DemoSource)
    } else {
        eprintln!("otop: the live collector is not wired into this build yet; try `otop --demo`");
        return ExitCode::from(2);
    };
    match run_monitor(source, MonitorOptions::from(&cli.monitor)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("otop: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
