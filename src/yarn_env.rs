//! yarn 2+'s evaluation of a config string, with the environment unknown
//! (pure).
//!
//! yarn runs every string setting through `miscUtils.replaceEnvVariables`
//! (checked against `@yarnpkg/cli-dist` 4.18.1): the tokens are
//! `\\`, `\$`, `\}` (an escaped character), `${NAME}`, `${NAME:-fallback}`,
//! `${NAME-fallback}` (NAME is `[a-zA-Z]\w*`), any other `${` (an error)
//! and `}` (closes the innermost open reference, or is text outside one).
//! `${NAME}` with NAME unset is an error, and so is a reference left open:
//! yarn then refuses to load its config at all. A fallback is itself
//! evaluated, so references nest.
//!
//! The **literal residue** has two readings here: every variable set (each
//! reference, fallback and all, gives nothing of the file's bytes), and
//! every variable that has a fallback unset (the fallback's own residue is
//! sent). A value is literal when either is. Where a reference stood, the
//! residue holds [`REF`], so that a URL's `alice:${PW}@` still has a
//! password.

/// Stands in a residue where yarn put a variable's value.
pub const REF: char = '\0';

/// What yarn sends of a value's own bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Residue {
    /// Every variable set.
    pub set: String,
    /// Every variable with a fallback unset (those without one set).
    pub unset: String,
    /// How many references the value holds.
    pub refs: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Plain,
    Colon,
    Dash,
}

enum Tok {
    Escaped(char),
    Var(Op),
    Unknown,
    Close,
}

/// The tokens of `replaceEnvVariables`'s regular expression, in order:
/// (start, end, token).
fn tokens(s: &str) -> Vec<(usize, usize, Tok)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if matches!(b.get(i + 1), Some(b'\\' | b'$' | b'}')) => {
                out.push((i, i + 2, Tok::Escaped(char::from(b[i + 1]))));
                i += 2;
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                let name = b[i + 2..]
                    .iter()
                    .enumerate()
                    .take_while(|(k, c)| {
                        if *k == 0 {
                            c.is_ascii_alphabetic()
                        } else {
                            c.is_ascii_alphanumeric() || **c == b'_'
                        }
                    })
                    .count();
                let after = i + 2 + name;
                let op = if name == 0 {
                    None
                } else if b[after..].starts_with(b":-") {
                    Some((Op::Colon, 2))
                } else if b[after..].starts_with(b"-") {
                    Some((Op::Dash, 1))
                } else if b[after..].starts_with(b"}") {
                    Some((Op::Plain, 0))
                } else {
                    None
                };
                match op {
                    Some((op, len)) => {
                        out.push((i, after + len, Tok::Var(op)));
                        i = after + len;
                    }
                    None => {
                        out.push((i, i + 2, Tok::Unknown));
                        i += 2;
                    }
                }
            }
            b'}' => {
                out.push((i, i + 1, Tok::Close));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `replaceEnvVariables(s)` where `set(op)` says whether a reference with
/// that operator finds its variable set (to a value that is not empty, and
/// gives nothing of the file's bytes). `Err` when yarn throws.
fn replace(s: &str, set: impl Fn(Op) -> bool) -> Result<(String, usize), String> {
    let toks = tokens(s);
    let mut out = String::new();
    let mut at = 0;
    let mut depth = 0usize;
    let mut refs = 0;
    let mut k = 0;
    while k < toks.len() {
        let (start, end, tok) = &toks[k];
        k += 1;
        out.push_str(&s[at..*start]);
        at = *end;
        match tok {
            Tok::Escaped(c) => out.push(*c),
            Tok::Var(op) => {
                depth += 1;
                refs += 1;
                if set(*op) {
                    out.push(REF);
                    // Skip to the `}` that closes this reference.
                    let floor = depth;
                    let mut closed = None;
                    while k < toks.len() {
                        let (_, e, t) = &toks[k];
                        k += 1;
                        match t {
                            Tok::Var(_) => depth += 1,
                            Tok::Close => {
                                depth -= 1;
                                if depth < floor {
                                    closed = Some(*e);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    at = closed.unwrap_or(s.len());
                } else if *op == Op::Plain {
                    return Err("a variable yarn needs is not set".to_string());
                }
            }
            Tok::Close => {
                if depth == 0 {
                    out.push('}');
                } else {
                    depth -= 1;
                }
            }
            Tok::Unknown => {
                return Err("yarn refuses `${` not followed by a variable name".to_string())
            }
        }
    }
    if depth > 0 {
        return Err("a `${` is never closed: yarn refuses the value".to_string());
    }
    out.push_str(&s[at..]);
    Ok((out, refs))
}

/// The name of every variable `s` refers to (`${NAME}`, `${NAME:-…}`,
/// `${NAME-…}`, those in fallbacks too), in order.
pub fn names(s: &str) -> Vec<String> {
    tokens(s)
        .into_iter()
        .filter_map(|(start, end, tok)| {
            let Tok::Var(op) = tok else {
                return None;
            };
            // (A token ends after its operator, before a plain `}`.)
            let op_len = match op {
                Op::Plain => 0,
                Op::Colon => 2,
                Op::Dash => 1,
            };
            Some(s[start + 2..end - op_len].to_string())
        })
        .collect()
}

/// The literal residue of a string yarn 2+ evaluates; `Err` (why) when
/// yarn refuses it whatever the environment holds.
pub fn residue(s: &str) -> Result<Residue, String> {
    if !s.contains(['$', '\\', '}']) {
        return Ok(Residue {
            set: s.to_string(),
            unset: s.to_string(),
            refs: 0,
        });
    }
    let (set, refs) = replace(s, |_| true)?;
    let (unset, _) = replace(s, |op| op == Op::Plain)?;
    Ok(Residue { set, unset, refs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> (String, String) {
        let r = residue(s).expect("valid");
        (r.set.replace(REF, ""), r.unset.replace(REF, ""))
    }

    #[test]
    fn names_of_references_and_fallbacks() {
        assert_eq!(names("a${X}b${Y_1:-fb${Z-q}}"), ["X", "Y_1", "Z"]);
        assert_eq!(names(r"\${X} ${ } plain"), Vec::<String>::new());
    }

    #[test]
    fn references_and_fallbacks() {
        assert_eq!(r("${NPM_TOKEN}"), (String::new(), String::new()));
        assert_eq!(r("a${X}b"), ("ab".into(), "ab".into()));
        assert_eq!(r("${X:-npm_fb}"), (String::new(), "npm_fb".into()));
        assert_eq!(r("a${X:-fb${Y-zz}q}b"), ("ab".into(), "afbzzqb".into()));
        assert_eq!(r("${X-}"), (String::new(), String::new()));
        assert_eq!(r("x}y"), ("x}y".into(), "x}y".into()));
        assert_eq!(r(r"\${X}"), ("${X}".into(), "${X}".into()));
        assert_eq!(r(r"a\\b\q"), (r"a\b\q".into(), r"a\b\q".into()));
        assert_eq!(r("$X"), ("$X".into(), "$X".into()));
    }

    proptest::proptest! {
        /// Any text: an answer, never a panic; a value without `$`, `\\`
        /// or `}` is its own residue.
        #[test]
        fn any_text(s in "[a-z${}\\\\:\\-é]{0,24}") {
            if let Ok(r) = residue(&s) {
                if !s.contains(['$', '\\', '}']) {
                    proptest::prop_assert_eq!(&r.set, &s);
                }
                proptest::prop_assert!(r.set.len() <= s.len() && r.unset.len() <= s.len());
            }
        }
    }

    #[test]
    fn what_yarn_refuses() {
        for bad in ["${X", "${1X}", "${X?}", "${}", "a${X:-b"] {
            assert!(residue(bad).is_err(), "{bad}");
        }
    }
}
