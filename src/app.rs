//! Orchestration: inputs → parse → detect → report.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::cli::{CheckArgs, Cli, Command, HookArgs, ScanArgs};
use crate::detect::{self, Detected};
use crate::finding::Severity;
use crate::fix;
use crate::inputs::{self, Input};
use crate::report::{self, FixHint, Format, Report};
use crate::select::Selector;
use crate::{git, hook};

/// How a run ended (SPEC.md, "Exit status").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

/// Where a run writes: findings to `out`, diagnostics to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Io")
    }
}

pub fn run(cli: Cli, io: &mut Io<'_>) -> ExitStatus {
    let (format, quiet) = (cli.output.format, cli.output.quiet);
    let result = match cli.command {
        Command::Check(args) => check(&args, format, quiet, io),
        Command::Scan(args) => scan(&args, format, quiet, io),
        Command::Install(args) => hooks(&args, true, io),
        Command::Uninstall(args) => hooks(&args, false, io),
    };
    result.unwrap_or_else(|msg| {
        let _ = writeln!(io.err, "error: {msg}");
        ExitStatus::Error
    })
}

/// `-C DIR`: run as if started there.
fn enter(dir: Option<&PathBuf>) -> Result<(), String> {
    if let Some(dir) = dir {
        std::env::set_current_dir(dir).map_err(|e| {
            format!(
                "cannot change to {}: {}",
                dir.display(),
                inputs::describe(&e)
            )
        })?;
    }
    Ok(())
}

fn check(
    args: &CheckArgs,
    format: Format,
    quiet: bool,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from(".npmrc")]
    } else {
        args.files.clone()
    };
    let sel = Selector::new(&[], &args.exclude)?;
    let files = files.iter().filter(|p| {
        use std::os::unix::ffi::OsStrExt;
        let rel = p.as_os_str().as_bytes();
        let rel = rel.strip_prefix(b"./").unwrap_or(rel);
        !(args.force_exclude && sel.is_excluded(rel))
    });
    let inputs = files.map(|p| inputs::read_named(p));
    let (report, read_failed) = scan_inputs(inputs, io);
    Ok(finish(
        &report,
        read_failed,
        format,
        quiet,
        &FixHint::Files,
        io,
    ))
}

fn scan(
    args: &ScanArgs,
    format: Format,
    quiet: bool,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    enter(args.repo.as_ref())?;
    let sel = Selector::new(&args.globs.include, &args.globs.exclude)?;
    let repo = git::open()?;
    let (listing, hint) = if args.staged {
        (git::staged(&repo, &sel)?, FixHint::Staged)
    } else {
        (git::worktree(&repo, &sel)?, FixHint::Files)
    };
    for note in &listing.notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    let quiet = quiet || args.staged;
    let (report, read_failed) = scan_inputs(listing.inputs.into_iter(), io);
    Ok(finish(&report, read_failed, format, quiet, &hint, io))
}

fn hooks(args: &HookArgs, install: bool, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    enter(args.repo.as_ref())?;
    let outcome = if install {
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find this program's own path: {e}"))?;
        hook::install(args.hook, &exe)?
    } else {
        hook::uninstall(args.hook)?
    };
    let _ = writeln!(io.err, "{}", outcome.message);
    Ok(ExitStatus::Clean)
}

/// Detect in every input; unreadable ones are reported on `io.err` and make
/// the run fail, after the others were still scanned.
pub fn scan_inputs(inputs: impl Iterator<Item = Input>, io: &mut Io<'_>) -> (Report, bool) {
    let mut report = Report::default();
    let mut failed = false;
    for input in inputs {
        match input.content {
            Ok(bytes) => {
                report.files += 1;
                let found = scan_bytes(&input.path, &bytes);
                report.findings.extend(found.into_iter().map(|d| d.finding));
            }
            Err(msg) => {
                failed = true;
                let _ = writeln!(io.err, "error: {}: {msg}", input.path);
            }
        }
    }
    report.sort();
    (report, failed)
}

/// Parse, detect and name the fix variables of one file.
pub fn scan_bytes(path: &str, bytes: &[u8]) -> Vec<Detected> {
    let mut found = detect::detect(path, bytes);
    fix::assign_vars(&mut found, &HashMap::new(), None);
    found
}

/// Emit the report and decide the exit status.
pub fn finish(
    report: &Report,
    failed: bool,
    format: Format,
    quiet: bool,
    hint: &FixHint,
    io: &mut Io<'_>,
) -> ExitStatus {
    let errors = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let status = if failed {
        ExitStatus::Error
    } else if errors {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };
    if !(quiet && report.findings.is_empty() && format == Format::Human) {
        if let Err(e) = report::emit(io.out, format, report, hint).and_then(|()| io.out.flush()) {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(io.err, "error: cannot write the report: {e}");
                return ExitStatus::Error;
            }
        }
    }
    status
}
