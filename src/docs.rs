//! Shell completions and the man page, generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::app::{write_out, ExitStatus};
use crate::cli::{Cli, Shell};

/// Print the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<ExitStatus, String> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::PowerShell => Target::PowerShell,
        Shell::Elvish => Target::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(target, &mut Cli::command(), "npmrc-guard", &mut buf);
    emit(out, &buf)
}

/// Print the man page of the tool, or of one of its commands, in roff.
pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<ExitStatus, String> {
    emit(out, &man_page(command)?)
}

/// The man page `npmrc-guard(1)`, or `npmrc-guard-COMMAND(1)` for a command.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    let mut top = Cli::command();
    // Built, so the global options show on every command's page.
    top.build();
    let cmd = match command {
        None => top,
        Some(name) => {
            let sub = top
                .find_subcommand(name)
                .filter(|s| !s.is_hide_set())
                .ok_or_else(|| format!("no command called {name:?}"))?
                .clone();
            let name = sub.get_name().to_string();
            sub.name(format!("npmrc-guard-{name}"))
                .bin_name(format!("npmrc-guard {name}"))
                .version(crate::cli::VERSION)
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    Ok(buf)
}

fn emit(out: &mut dyn Write, bytes: &[u8]) -> Result<ExitStatus, String> {
    write_out(out, |w| w.write_all(bytes)).map(|()| ExitStatus::Clean)
}
