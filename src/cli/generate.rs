//! `otop completions <shell>`: generated from the clap definition, so they never drift from the
//! real flags (`otop man` is `man.rs`).

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "otop", &mut out);
    out
}

pub fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    crate::stdout::write_bytes(bytes)?;
    Ok(ExitCode::SUCCESS)
}
