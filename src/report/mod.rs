//! One emitter per output format, each writing into the writer it is handed.

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::finding::{Finding, Rule};

pub use human::{shell_quote, Human};

/// One line on a finding, without its location: what, where in the config,
/// and the secret masked.
pub fn message(f: &Finding) -> String {
    let mut m = f.rule.summary().to_string();
    match &f.key {
        Some(key) => m.push_str(&format!(" in {key}")),
        None => m.push_str(keyless_place(f)),
    }
    if let Some(secret) = &f.secret {
        m.push_str(&format!(": {secret}"));
    }
    if let Some(detail) = &f.detail {
        m.push_str(&format!(" ({detail})"));
    }
    m
}

/// Where a secret found on no key/value line sits, for the message: a
/// comment, a line of its own, a list entry, a key no tool reads (or nothing
/// to add, for a private key: a key file's has no key to name).
pub(crate) fn keyless_place(f: &Finding) -> &'static str {
    if f.rule.is_secret() && f.rule != Rule::PrivateKey {
        " outside any setting"
    } else {
        ""
    }
}

/// The output formats of SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
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

/// `failed`: the run could not read everything it was asked to (exit 2);
/// the human summary then does not read as an all-clear.
pub fn emit(
    w: &mut dyn Write,
    format: Format,
    report: &Report,
    hint: &FixHint,
    failed: bool,
) -> io::Result<()> {
    if matches!(format, Format::Json | Format::Sarif) {
        crate::finding::compute_fingerprints(&report.findings);
    }
    match format {
        Format::Human => Human { hint, failed }.emit(w, report),
        Format::Json => json::emit(w, report),
        Format::Sarif => sarif::emit(w, report),
        Format::Github => github::emit(w, report),
    }
}
