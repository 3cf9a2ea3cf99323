use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use npmrc_guard::app::{self, Io};
use npmrc_guard::cli::{Cli, ColorChoice};

fn main() -> ExitCode {
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
