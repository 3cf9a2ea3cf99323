//! `--format github`: GitHub Actions workflow commands, one per finding.

use std::io::{self, Write};

use super::Report;
use crate::finding::Severity;

/// Escape the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn emit(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = super::message(f);
        if let Some(commit) = &f.commit {
            message.push_str(&format!(" (first committed in {commit}; revoke it)"));
        }
        let end = f.column + f.span.len();
        writeln!(
            w,
            "::{level} file={},line={},col={},endColumn={},title={}::{}",
            property(&f.path),
            f.line,
            f.column,
            end,
            property(&format!("npmrc-guard {}", f.rule)),
            data(&message)
        )?;
    }
    Ok(())
}
