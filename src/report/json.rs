//! `--format json`: the version-1 object of SPEC.md.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::Finding;

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    findings: &'a [Finding],
    scanned: Scanned,
}

#[derive(Serialize)]
struct Scanned {
    files: usize,
}

pub fn emit(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let doc = Json {
        version: 1,
        findings: &report.findings,
        scanned: Scanned {
            files: report.files,
        },
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
