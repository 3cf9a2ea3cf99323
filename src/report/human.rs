//! `--format human`: one finding per line, what to do on the next.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{FixHint, Report};
use crate::finding::{Finding, Rule, Severity};

const BOLD: Style = Style::new().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

#[derive(Debug)]
pub struct Human<'a> {
    pub hint: &'a FixHint,
    /// Not every input could be read (the errors are on standard error).
    pub failed: bool,
}

impl Human<'_> {
    pub fn emit(&self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        for f in &report.findings {
            self.finding(w, f)?;
        }
        let (errors, warnings) = crate::detect::count(&report.findings);
        if errors + warnings == 0 && self.failed {
            writeln!(
                w,
                "no literal credentials in {} read, but not everything could be read (see the errors)",
                plural(report.files, "file")
            )?;
        } else if errors + warnings == 0 {
            writeln!(
                w,
                "no literal credentials in {}",
                plural(report.files, "file")
            )?;
        } else {
            let mut parts = Vec::new();
            if errors > 0 {
                parts.push(plural(errors, "error"));
            }
            if warnings > 0 {
                parts.push(plural(warnings, "warning"));
            }
            writeln!(
                w,
                "{} in {}",
                parts.join(", "),
                plural(report.files, "file")
            )?;
        }
        Ok(())
    }

    fn finding(&self, w: &mut dyn Write, f: &Finding) -> io::Result<()> {
        let style = match f.severity {
            Severity::Error => ERROR,
            Severity::Warning => WARNING,
        };
        write!(
            w,
            "{BOLD}{}:{}:{}{BOLD:#} {style}{}[{}]{style:#} {}",
            f.path,
            f.line,
            f.column,
            f.severity,
            f.rule,
            f.rule.summary()
        )?;
        match &f.key {
            Some(key) => write!(w, " in {BOLD}{}{BOLD:#}", visible(key))?,
            None => write!(w, "{}", super::keyless_place(f))?,
        }
        if let Some(secret) = &f.secret {
            write!(w, ": {}", visible(&secret.mask()))?;
        }
        if let Some(commit) = &f.commit {
            write!(w, " (first in commit {})", &commit[..commit.len().min(12)])?;
        }
        writeln!(w)?;
        writeln!(w, "  {HELP}fix:{HELP:#} {}", visible(&self.advice(f)))
    }

    fn advice(&self, f: &Finding) -> String {
        match (&f.detail, &f.fix) {
            // What a detail says and how to fix it (a URL's query
            // parameter, named).
            (Some(detail), Some(_)) if f.commit.is_none() => {
                return format!("{detail}: {}", self.fix_advice(f));
            }
            (Some(detail), _) => return detail.clone(),
            _ => {}
        }
        if f.commit.is_some() {
            return "revoke this token: it is in the history, and rewriting the file does not \
                    un-leak it"
                .to_string();
        }
        self.fix_advice(f)
    }

    fn fix_advice(&self, f: &Finding) -> String {
        let Some(fix) = &f.fix else {
            return match f.rule {
                Rule::NpmToken | Rule::GithubToken | Rule::GitlabToken => {
                    "delete the token from the file and revoke it".to_string()
                }
                _ => "move the credential out of the file (npm reads ~/.npmrc too)".to_string(),
            };
        };
        let var = fix.trim_start_matches("${").trim_end_matches('}');
        let command = match self.hint {
            FixHint::Staged => " (npmrc-guard fix --staged)".to_string(),
            // A path shown quoted (a newline, bytes that are not UTF-8) cannot
            // be pasted back to a shell as it is.
            FixHint::Files if f.path.starts_with('"') => String::new(),
            FixHint::Files => format!(" (npmrc-guard fix {})", shell_quote(&f.path)),
            FixHint::None => String::new(),
        };
        format!("replace it with {fix} and set {var} in your environment{command}")
    }
}

/// `text` from the file under review (a key, a mask, a scope name in a
/// note) with its control characters and bidirectional overrides escaped:
/// a newline in a yarn scope name must not start a line of its own (a
/// GitHub Actions workflow command when this format runs in CI), and an
/// escape sequence must reach no terminal (nor be eaten by the colour
/// stripper, which would change what the mask shows).
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Quote `s` for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+@%:,=".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_controls_and_both_bidi_ranges_only() {
        assert!(matches!(
            visible("//r.example/:_authToken"),
            std::borrow::Cow::Borrowed("//r.example/:_authToken")
        ));
        assert_eq!(visible("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(visible("x\u{202e}y\u{202a}"), "x\\u{202e}y\\u{202a}");
        assert_eq!(visible("x\u{2067}y\u{2066}"), "x\\u{2067}y\\u{2066}");
        // Neighbours of the ranges, and text that is not ASCII, stay.
        assert_eq!(
            visible("\u{2029}\u{202f}\u{2065}\u{206a}é"),
            "\u{2029}\u{202f}\u{2065}\u{206a}é"
        );
    }
    #[test]
    fn shell_quote_quotes_what_a_shell_would_split_or_expand() {
        for plain in ["a/b.npmrc", "x_y-z+1@%:,=.npmrc"] {
            assert_eq!(shell_quote(plain), plain);
        }
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("my dir/.npmrc"), "'my dir/.npmrc'");
        assert_eq!(shell_quote("$HOME/.npmrc"), "'$HOME/.npmrc'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
