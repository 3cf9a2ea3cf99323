//! One emitter per output format, each writing into the writer it is handed.

mod human;
mod json;

use std::io::{self, Write};

use crate::finding::Finding;

pub use human::Human;

/// The output formats of SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// How a reader of the report fixes what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixHint {
    /// `npmrc-guard fix <paths>`.
    Files,
    /// `npmrc-guard fix --staged` (inside the hook).
    Staged,
    /// Nothing to rewrite (history: revoke instead).
    None,
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by path, line, column.
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files: usize,
}

impl Report {
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule))
        });
    }
}

pub fn emit(w: &mut dyn Write, format: Format, report: &Report, hint: &FixHint) -> io::Result<()> {
    match format {
        Format::Human => Human { hint }.emit(w, report),
        Format::Json => json::emit(w, report),
    }
}
