use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use npmrc_guard::app::{self, Io};
use npmrc_guard::cli::{Cli, ColorChoice};

/// A panic is a bug, and its message could hold anything the code had in
/// hand, a secret included: say where it happened, not what it said, and
/// fail closed with exit 2 (a hook that blocks, a CI job that fails).
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "npmrc-guard: internal error{at} ({}). Its message is not shown because it \
             could hold a secret. Nothing was checked past this point; please report it.",
            npmrc_guard::cli::VERSION
        );
        std::process::exit(2);
    }));
}

fn main() -> ExitCode {
    quiet_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let choice = match cli.output.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    let mut out = anstream::AutoStream::new(io::stdout().lock(), choice);
    let mut err = anstream::AutoStream::new(io::stderr().lock(), choice);
    let status = app::run(
        cli,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    let _ = err.flush();
    ExitCode::from(status as u8)
}
