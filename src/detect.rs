//! Findings from a parsed `.npmrc` (pure).
//!
//! One pass over the lines of a file: credential keys (`_authToken`,
//! `_auth`, `_password`) with literal values, passwords in registry URLs,
//! variable references npm will not expand, unscoped credentials, and
//! recognisable tokens anywhere in the file (comments included) when their
//! format makes them certain.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::eval::{self, Residue};
use crate::finding::{Finding, Fingerprint, Rule, Secret, Severity};
use crate::npmrc::{self, Entry, LineKind, Value};
use crate::sent_tokens;
use crate::sift::{self, Sift, Trigger};
use crate::standin::is_standin;
use crate::tokens::{self, Kind, TokenMatch};
use crate::urlcreds;

/// Which credential a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    AuthToken,
    Auth,
    Password,
}

impl Field {
    /// The environment variable a fix names by default (SPEC.md, "Fix").
    pub fn var_base(self) -> &'static str {
        match self {
            Field::AuthToken => "NPM_TOKEN",
            Field::Auth => "NPM_AUTH",
            Field::Password => "NPM_PASSWORD",
        }
    }

    /// The key's own name, as npm spells it.
    pub fn key_name(self) -> &'static str {
        match self {
            Field::AuthToken => "_authToken",
            Field::Auth => "_auth",
            Field::Password => "_password",
        }
    }

    fn from_key(key: &str) -> Option<(Field, bool)> {
        let (field, name) = [
            (Field::AuthToken, "_authToken"),
            (Field::Auth, "_auth"),
            (Field::Password, "_password"),
        ]
        .into_iter()
        .find(|(_, name)| key.ends_with(name))?;
        let prefix = &key[..key.len() - name.len()];
        if prefix.is_empty() {
            return Some((field, false));
        }
        if !prefix.ends_with(':') {
            return None;
        }
        Some((field, prefix.starts_with("//")))
    }

    /// The rule of a literal value of this field that holds no token.
    fn literal_rule(self) -> Rule {
        match self {
            Field::AuthToken => Rule::AuthToken,
            Field::Auth | Field::Password => Rule::BasicAuth,
        }
    }

    /// `_authtoken` in another case, which npm ignores (its keys are
    /// case-sensitive) though the token is committed all the same.
    fn from_miscased_key(key: &str) -> Option<bool> {
        const NAME: &str = "_authtoken";
        if key.len() < NAME.len() || !key.is_char_boundary(key.len() - NAME.len()) {
            return None;
        }
        let (prefix, name) = key.split_at(key.len() - NAME.len());
        if !name.eq_ignore_ascii_case(NAME) || name == "_authToken" {
            return None;
        }
        (prefix.is_empty() || prefix.ends_with(':')).then(|| prefix.starts_with("//"))
    }
}

/// What the detectors add to a [`Finding`] for the fixer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixSite {
    pub field: Field,
    /// Bytes of the file the fix replaces with `${VAR}`.
    pub span: Range<usize>,
}

/// A finding together with what the fixer needs to rewrite it.
#[derive(Clone, Debug)]
pub struct Detected {
    pub finding: Finding,
    pub fix: Option<FixSite>,
    pub secret: Option<Secret>,
}

/// Scan one file. `path` is only used to name findings.
///
/// Only the lines [`worth_decoding`] could take, and those holding a token,
/// are looked at: a [`Sift`] finds them by vector search over the whole
/// file (a line without `$ % { @ \\ _`, a PEM block or a token is never
/// worth decoding). [`detect_every_line`] walks every line instead; both
/// give the same findings (`tests/sift.rs`).
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    detect_at(path, src, &crate::survey::survey(src))
}

/// [`detect`], given the [`crate::survey::Survey`] of `src` (where tokens
/// and `-----BEGIN` occur, where the first section starts, whether `[]`
/// does; [`crate::files::detect_file`] reads PEM blocks with the same
/// list).
pub fn detect_at(path: &str, src: &[u8], survey: &crate::survey::Survey) -> Vec<Detected> {
    sifted(path, src, survey, None)
}

/// [`detect`], where the settings of the other committed files npm loads
/// with this one (the `userconfig=`/`globalconfig=` files a project
/// `.npmrc` names, or that project `.npmrc`) are exported to the npm a
/// script starts too: `outside` maps each one's variable
/// (`npm_config_<key>`, [`exported_settings`]) to where it is set
/// ([`crate::named_settings`]).
pub fn detect_with_settings(
    path: &str,
    src: &[u8],
    outside: &HashMap<String, String>,
) -> Vec<Detected> {
    sifted(path, src, &crate::survey::survey(src), Some(outside))
}

fn sifted(
    path: &str,
    src: &[u8],
    survey: &crate::survey::Survey,
    outside: Option<&HashMap<String, String>>,
) -> Vec<Detected> {
    let tokens = &survey.tokens;
    let starts: Vec<usize> = tokens.iter().map(|t| t.span.start).collect();
    let triggers = [
        Trigger::Bytes([b'$', b'%', b'{']),
        Trigger::Bytes([b'@', b'\\', b'_']),
        // A URL's query may carry a credential (`?private_token=…`).
        Trigger::Byte(b'?'),
        Trigger::At(&survey.pem_begins),
        Trigger::At(&starts),
        // A line that may name a Gemfury host ([`crate::path_token`]).
        Trigger::At(&survey.hosts),
    ];
    let mut file = FileScan::new(path, src, tokens);
    file.outside = outside;
    let mut sift = Sift::new(src, triggers);
    // The first token (and the first Gemfury host) that starts after the
    // lines walked so far (they come in order: no search of all of them,
    // nor of the line, per line).
    let mut next_token = 0;
    let mut next_host = 0;
    let mut plain = PlainSeen::default();
    while let Some(span) = sift.next() {
        let token = first_in(&starts, &mut next_token, &span);
        // (`fury` holds no line break: one that starts on the line is
        // whole in it, as `path_token::names_a_host` finds it.)
        let named_host = first_in(&survey.hosts, &mut next_host, &span);
        if !token && !named_host {
            // (The plain reference first: it is the common line, and
            // tells itself from the others at its first bytes.)
            let line = &src[span.clone()];
            if is_plain_scoped_reference(line, &mut plain) || !may_be_worth_decoding(line) {
                continue;
            }
        }
        let number = sift.number_at(span.start);
        let allowed = sift::previous_line(src, span.start).is_some_and(|p| {
            // Only a comment can be a marker: classify no other line.
            memchr::memchr2(b';', b'#', &src[p.clone()]).is_some()
                && is_allow_line(&sift::line(src, 0, p))
        });
        let in_section = survey.in_section(span.start);
        file.line(&sift::line(src, number, span), allowed, in_section);
    }
    file.finish(survey.has_list)
}

/// Whether one of `sorted` (offsets, in order) falls in `span`; `next`
/// is where to look from, moved past the offsets before `span` (the spans
/// asked about come in order).
fn first_in(sorted: &[usize], next: &mut usize, span: &Range<usize>) -> bool {
    while sorted.get(*next).is_some_and(|&s| s < span.start) {
        *next += 1;
    }
    sorted.get(*next).is_some_and(|&s| s < span.end)
}

/// What [`worth_decoding`] asks, of a line's raw bytes, without classifying
/// it first: a line for which this is false is never worth decoding.
fn may_be_worth_decoding(line: &[u8]) -> bool {
    let (key, value) = match memchr::memchr(b'=', line) {
        Some(eq) => (&line[..eq], &line[eq + 1..]),
        None => (line, &line[line.len()..]),
    };
    key_worth_decoding(key) || value_worth_decoding(value)
}

/// `//host/:_authToken=${NAME}` written plainly, the most common line
/// that holds a trigger: [`FileScan::line`] returns at once for it (its
/// residue is empty), and this tells it from the raw bytes, before the
/// line is numbered or classified. A key that starts with `//` and ends
/// with a letter needs no trimming; without `; # \ $` or quotes it is its
/// own decoded residue.
fn is_plain_scoped_reference<'a>(line: &'a [u8], seen: &mut PlainSeen<'a>) -> bool {
    if !line.starts_with(b"//") {
        return false;
    }
    let Some(eq) = memchr::memchr(b'=', line) else {
        return false;
    };
    let (key, value) = (&line[..eq], &line[eq + 1..]);
    let key_plain = key == seen.key || {
        let plain = is_plain_scoped_key(key);
        if plain {
            seen.key = key;
        }
        plain
    };
    key_plain
        && plain_reference_name(value).is_some_and(|name| {
            name == seen.name || {
                let plain = is_variable_name(name)
                    && !password_in_name(key, name)
                    && !filled_by_npm_run(name);
                if plain {
                    seen.name = name;
                }
                plain
            }
        })
}

/// Whether `${NAME}` as a `_password` is sent: npm leaves it as written when
/// NAME is unset, and decodes it ([`decodes_to_password`]).
fn password_in_name(key: &[u8], name: &[u8]) -> bool {
    key.ends_with(b":_password") && decodes_to_password(&String::from_utf8_lossy(name))
}

/// The last key and variable name [`is_plain_scoped_reference`] accepted:
/// a large file names the same few again and again, and judging a name
/// ([`crate::standin::is_variable_name`]) costs a hundred times more than
/// comparing it. Both start empty, which no accepted key or name is.
#[derive(Debug, Default)]
struct PlainSeen<'a> {
    key: &'a [u8],
    name: &'a [u8],
}

/// A credential key of a registry (`//host/:_authToken`) that is its own
/// residue: see [`is_plain_scoped_reference`].
fn is_plain_scoped_key(key: &[u8]) -> bool {
    key.starts_with(b"//")
        && key.last().is_some_and(u8::is_ascii_alphabetic)
        && key
            .iter()
            .all(|&b| b.is_ascii() && !matches!(b, b';' | b'#' | b'\\' | b'$'))
        && std::str::from_utf8(key)
            .ok()
            .and_then(Field::from_key)
            .is_some_and(|(_, scoped)| scoped)
}

/// [`detect`] by walking every line of the file: the reference its sifting
/// is tested against.
#[doc(hidden)]
pub fn detect_every_line(path: &str, src: &[u8]) -> Vec<Detected> {
    let tokens = tokens::find_tokens(src);
    let mut file = FileScan::new(path, src, &tokens);
    let mut allow_next = false;
    let mut in_section = false;
    for line in npmrc::lines(src) {
        let allowed = allow_next;
        allow_next = is_allow_line(&line);
        in_section |= matches!(line.kind, LineKind::Section(_));
        file.line(&line, allowed, in_section);
    }
    file.finish(crate::survey::has_list(src))
}

/// `; npmrc-guard: allow`: the next line is not reported.
fn is_allow_line(line: &npmrc::Line<'_>) -> bool {
    let at = line.span.start;
    matches!(&line.kind, LineKind::Comment(r) if is_allow_marker(&line.bytes()[r.start - at..r.end - at]))
}

/// One file being scanned, line by line.
struct FileScan<'a> {
    path: &'a str,
    src: &'a [u8],
    /// Every token of the file, sorted by where it starts.
    tokens: &'a [TokenMatch],
    bom: bool,
    /// The settings npm exports to a script's npm, read when a credential
    /// first names one ([`exported_settings`]).
    exported: std::cell::OnceCell<HashMap<String, usize>>,
    /// The settings other files npm loads with this one export, with
    /// where each is set ([`detect_with_settings`]).
    outside: Option<&'a HashMap<String, String>>,
    out: Vec<Detected>,
}

impl<'a> FileScan<'a> {
    fn new(path: &'a str, src: &'a [u8], tokens: &'a [TokenMatch]) -> Self {
        FileScan {
            path,
            src,
            tokens,
            bom: src.starts_with(b"\xEF\xBB\xBF"),
            exported: std::cell::OnceCell::new(),
            outside: None,
            out: Vec::new(),
        }
    }

    /// The findings, sorted; `has_list` when `[]` occurs in the file.
    fn finish(mut self, has_list: bool) -> Vec<Detected> {
        if has_list {
            lists_are_not_rewritten(self.src, &mut self.out);
        }
        self.out
            .sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
        self.out
    }

    /// The findings of one line; `allowed` after an allow marker,
    /// `in_section` at or after the first `[section]` header.
    fn line(&mut self, line: &npmrc::Line<'_>, allowed: bool, in_section: bool) {
        let (path, src) = (self.path, self.src);
        let tokens = self.tokens;
        let first = tokens.partition_point(|t| t.span.start < line.span.start);
        let count = tokens[first..].partition_point(|t| t.span.start < line.span.end);
        let line_tokens = &tokens[first..first + count];
        if allowed || (line_tokens.is_empty() && !worth_decoding(line)) {
            return;
        }
        // The key as npm reads it, with every `${…}` it expands removed
        // (`//h/:_a${X?}uthToken` is an `_authToken` key).
        let key = line.key().map(|(k, _)| k);
        let key_has_reference = key.as_deref().is_some_and(|k| k.contains("${"));
        let key = key.map(eval::residue_of);
        if let Some(k) = &key {
            // The common safe line, `//host/:_authToken=${NAME}`, needs no
            // decoding: its residue is empty.
            let field = Field::from_key(k);
            let scoped = field.is_some_and(|(_, scoped)| scoped);
            let password = field.is_some_and(|(f, _)| f == Field::Password);
            if scoped
                && line_tokens.is_empty()
                && is_plain_reference(line.raw_value())
                && !(password && decodes_to_password(&lossy(line.raw_value())))
                && crate::path_token::find(k).is_none()
            {
                return;
            }
        }
        // Reports name a key only on a `key=value` line whose key holds no
        // token: a token alone on a line (or `key token`) is not a key.
        let shown_key = match &line.kind {
            LineKind::Entry {
                key: raw_key,
                value: Some(_),
            } if !line_tokens.iter().any(|t| overlaps(raw_key, &t.span))
                && !tokens::holds_token_like(&src[raw_key.clone()]) =>
            {
                key.as_deref()
                    .map(|k| crate::foreign::shown_name(&without_userinfo(k)))
            }
            _ => None,
        };
        let mut ctx = LineCtx {
            path,
            src,
            line: line.number,
            line_start: line.span.start,
            col_base: line.span.start + if line.number == 1 && self.bom { 3 } else { 0 },
            tokens: line_tokens,
            key: shown_key.as_deref(),
            host: None,
            note: None,
            in_section,
            claimed: Vec::new(),
            exported: &self.exported,
            outside: self.outside,
            out: &mut self.out,
        };
        if let Some(k) = &key {
            let raw_value = line.raw_value();
            // (A key holding `${` may be one the npm a script fills:
            // [`LineCtx::entry`] asks.)
            if Field::from_key(k).is_some()
                || key_has_reference
                || Field::from_miscased_key(k).is_some()
                || is_registry_key(k)
                || memchr::memchr3(b'@', b'\\', b'?', raw_value).is_some()
                || has_pem(raw_value)
            {
                if let Some(entry) = line.entry() {
                    ctx.entry(&entry, k);
                }
            }
        }
        // Tokens elsewhere on the line (comments, other keys) count when
        // their format makes them certain.
        ctx.host = None;
        let claimed = Claims::new(&ctx.claimed);
        ctx.note = None;
        for t in ctx.tokens {
            if t.is_certain() && !claimed.overlap(&t.span) {
                ctx.token(t, None);
            }
        }
    }
}

/// npm merges every `key=` and `key[]=` line of one key into a list, and
/// does not expand `${…}` in a list: a `${NAME}` rewrite of any of them
/// would be sent as text. Such findings are left to the user. (Asked only
/// of a file that holds `[]`.)
fn lists_are_not_rewritten(src: &[u8], out: &mut [Detected]) {
    if out.iter().all(|d| d.fix.is_none()) {
        return;
    }
    let lists: std::collections::HashSet<String> = npmrc::lines(src)
        .filter_map(|l| l.key())
        .filter(|(_, array)| *array)
        .map(|(k, _)| crate::foreign::shown_name(&without_userinfo(&eval::residue(&k).text)))
        .collect();
    for d in out.iter_mut() {
        if d.fix.is_some() && d.finding.key.as_ref().is_some_and(|k| lists.contains(k)) {
            d.fix = None;
            d.finding.detail = Some(
                "npm merges this key's `key=` and `key[]=` lines into a list and does not expand ${…} in it: \
                 write one `key=${NAME}` line by hand, set NAME in your environment, and revoke the secret"
                    .to_string(),
            );
        }
    }
}

/// A raw value that is exactly `${NAME}` (around it, only spaces and
/// tabs), with NAME made of letters, digits and `_`: npm expands it to the
/// variable and nothing else, whatever the quoting rules.
fn is_plain_reference(raw: &[u8]) -> bool {
    plain_reference_name(raw).is_some_and(|name| is_variable_name(name) && !filled_by_npm_run(name))
}

/// The prefixes of the variables the npm a script starts fills from
/// package.json: npm's run-script exports `name`, `version`, `config.*`,
/// `engines.*` and `bin.*`, yarn 1's `yarn run` every field, flattened
/// (`npm_package_description`, `npm_package_publishConfig_token`); and
/// the script itself, `npm_lifecycle_event` (its name) and
/// `npm_lifecycle_script` (its command: npm 11.19.1 sent
/// `Bearer npm view somepkg …` for `_authToken=${npm_lifecycle_script}`).
const PACKAGE: [&[u8]; 2] = [b"npm_package_", b"npm_lifecycle_"];

/// Whether the npm a script starts fills `name` from package.json
/// ([`PACKAGE`]); `bun run` exports the same names, and yarn 4 and bun
/// expand them in their own files ([`crate::foreign`]).
pub(crate) fn from_package(name: &[u8]) -> bool {
    PACKAGE.iter().any(|p| name.starts_with(p))
}

/// The prefix of the variables the npm a script starts fills from npm's
/// own settings (`npm_config_<key>`).
const SETTING: &[u8] = b"npm_config_";

/// Whether a reference's name may be one the npm a script starts fills
/// from a committed file ([`PACKAGE`], [`SETTING`]): such a line is
/// not passed over as a plain reference.
fn filled_by_npm_run(name: &[u8]) -> bool {
    from_package(name) || name.starts_with(SETTING)
}

/// The name of every `${NAME…` reference in `raw` (the name's letters,
/// digits and `_`), in order; each byte is looked at once.
fn reference_names(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    memchr::memmem::find_iter(raw, b"${").map(move |at| {
        let name = &raw[at + 2..];
        let len = name
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(name.len());
        &name[..len]
    })
}

/// The settings of a `.npmrc` npm exports to the npm a script starts, as
/// their variables' names (`npm_config_` and the key, `-` as `_`, in lower
/// case; not keys starting with `/`, `@` or `_`), each with the line of
/// its literal value (a stand-in or a reference is none).
pub(crate) fn exported_settings(src: &[u8]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for line in npmrc::lines(src) {
        let Some(entry) = line.entry() else {
            continue;
        };
        let key = eval::residue_of(entry.key.clone());
        if key.is_empty() || key.starts_with(['/', '@', '_']) {
            continue;
        }
        let Some(residue) = eval::value_residue(&entry.value, entry.array) else {
            continue;
        };
        if residue.text.is_empty() || is_standin(&residue.text) {
            continue;
        }
        let name = format!(
            "{}{}",
            String::from_utf8_lossy(SETTING),
            key.replace('-', "_").to_lowercase()
        );
        out.insert(name, line.number);
    }
    out
}

/// The NAME of a raw value shaped `${NAME}` (around it, only spaces and
/// tabs; NAME of letters, digits and `_`), not yet judged a name.
fn plain_reference_name(raw: &[u8]) -> Option<&[u8]> {
    let t = raw.trim_ascii();
    let name = t.strip_prefix(b"${")?.strip_suffix(b"}")?;
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'))
        .then_some(name)
}

/// [`crate::standin::is_variable_name`] of a name's bytes.
fn is_variable_name(name: &[u8]) -> bool {
    std::str::from_utf8(name).is_ok_and(crate::standin::is_variable_name)
}

/// Decoding is most of the cost of a parse: only entry lines whose raw
/// bytes could hold what the detectors look for are decoded. A credential
/// key holds `_auth` or `_password` (or a `\` escape that could spell one);
/// a broken reference needs `$`, `%` or `{`; URL credentials need `@`; a
/// `\` escape in a value could spell any of them.
fn worth_decoding(line: &npmrc::Line<'_>) -> bool {
    let LineKind::Entry { key, .. } = &line.kind else {
        return false;
    };
    let raw_key = &line.bytes()[key.start - line.span.start..key.end - line.span.start];
    key_worth_decoding(raw_key)
        || value_worth_decoding(line.raw_value())
        || crate::path_token::names_a_host(line.bytes())
}

fn key_worth_decoding(raw_key: &[u8]) -> bool {
    // Most keys hold none of the three bytes: a vector test first.
    if !holds_any(raw_key, [b'\\', b'$', b'_']) {
        return false;
    }
    raw_key.iter().enumerate().any(|(i, &b)| {
        b == b'\\'
            || b == b'$'
            // (`_auth` in any case: a miscased `_AuthToken` is reported too.)
            || (b == b'_'
                && (raw_key[i..]
                    .get(..5)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"_auth"))
                    || raw_key[i..].starts_with(b"_password")))
    })
}

fn value_worth_decoding(value: &[u8]) -> bool {
    // (A `\` escape in a quoted value can spell any of them: npm reads
    // `"https://u:pw\u0040h/"` as a URL with a password.)
    // (One pass for the common value that holds none of them nor a `-`.)
    holds_any(value, [b'$', b'%', b'{', b'@', b'\\', b'?', b'-'])
        && (holds_any(value, [b'$', b'%', b'{', b'@', b'\\', b'?']) || has_pem(value))
}

/// Whether `bytes` hold any byte of `set` (no byte of which is 0). The
/// keys and values of a line are short: a `memchr` call costs more to set
/// up than it saves on them, and a byte-at-a-time test is a comparison
/// per byte and per member of the set. Here eight bytes are tested at
/// once, in a `u64`, for each member (`v - 0x01…01 & !v & 0x80…80` is
/// non-zero exactly when some byte of `v` is 0); a long slice gets a
/// vector search.
fn holds_any<const N: usize>(bytes: &[u8], set: [u8; N]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    if bytes.len() >= 64 {
        return set
            .chunks(3)
            .any(|c| memchr::memchr3(c[0], c[1 % c.len()], c[2 % c.len()], bytes).is_some());
    }
    let hit = |word: u64| {
        set.iter().fold(0, |acc, &s| {
            let v = word ^ (LO * u64::from(s));
            acc | (v.wrapping_sub(LO) & !v & HI)
        }) != 0
    };
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("eight bytes"));
    if bytes.len() < 8 {
        // Padded with 0, which is in no set.
        return hit(bytes.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b)));
    }
    // The last eight bytes as a word of their own (they may overlap the
    // one before: an "any" test does not mind).
    bytes.chunks_exact(8).any(|w| hit(word(w))) || hit(word(&bytes[bytes.len() - 8..]))
}

/// Whether `bytes` hold `-----BEGIN`: for the short values most lines
/// have, a plain comparison where a `-` is (the vector search costs more
/// than it saves on them).
fn has_pem(bytes: &[u8]) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN";
    if bytes.len() >= 256 {
        return PEM.find(bytes).is_some();
    }
    bytes.len() >= BEGIN.len()
        && holds_any(bytes, [b'-'])
        && memchr::memchr_iter(b'-', bytes).any(|i| bytes[i..].starts_with(BEGIN))
}

/// The dashes that open a PEM block.
static PEM: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"-----BEGIN"));

struct LineCtx<'a, 'o> {
    path: &'a str,
    src: &'a [u8],
    line: usize,
    line_start: usize,
    /// Where column 1 is (after a byte-order mark on line 1).
    col_base: usize,
    tokens: &'a [TokenMatch],
    key: Option<&'a str>,
    host: Option<String>,
    /// A detail for every finding of the current entry.
    note: Option<String>,
    /// After a `[section]` header: npm neither uses credentials there nor
    /// expands `${…}` in them, so a `${VAR}` rewrite would not be lossless.
    in_section: bool,
    /// Spans already reported on this line.
    claimed: Vec<Range<usize>>,
    exported: &'o std::cell::OnceCell<HashMap<String, usize>>,
    outside: Option<&'o HashMap<String, String>>,
    out: &'o mut Vec<Detected>,
}

impl LineCtx<'_, '_> {
    fn push(
        &mut self,
        rule: Rule,
        span: Range<usize>,
        secret: Option<String>,
        fix: Option<FixSite>,
        detail: Option<String>,
    ) {
        let fp_value = match &secret {
            Some(s) => s.clone(),
            None => format!(
                "{}\0{}",
                self.key.unwrap_or(""),
                lossy(&self.src[span.clone()])
            ),
        };
        let secret = secret.map(Secret::new);
        let (fix, detail) = match fix {
            Some(_) if self.in_section => (
                None,
                Some(
                    "npm ignores credentials inside a [section] and does not expand ${…} there: \
                     delete the line and revoke the secret"
                        .to_string(),
                ),
            ),
            _ => (fix, detail.or_else(|| self.note.clone())),
        };
        self.claimed.push(span.clone());
        self.out.push(Detected {
            finding: Finding {
                rule,
                severity: rule.severity(),
                path: self.path.to_string(),
                line: self.line,
                column: span.start.saturating_sub(self.col_base) + 1,
                key: self.key.map(str::to_string),
                secret: secret.clone(),
                fingerprint: Fingerprint::new(rule, self.path, &fp_value),
                commit: None,
                fix: None,
                span,
                host: self.host.clone(),
                detail,
            },
            fix,
            secret,
        });
    }

    /// Report a recognised token; `field` when it sits in a credential.
    fn token(&mut self, t: &TokenMatch, field: Option<Field>) {
        let secret = lossy(&self.src[t.span.clone()]);
        let fix = field.map(|field| FixSite {
            field,
            span: t.span.clone(),
        });
        self.push(token_rule(t.kind), t.span.clone(), Some(secret), fix, None);
    }

    /// Judge one entry by what npm would send: its literal residue.
    fn entry(&mut self, entry: &Entry<'_>, key: &str) {
        let Some(residue) = eval::value_residue(&entry.value, entry.array) else {
            return;
        };
        if let Some((field, scoped)) = Field::from_key(key) {
            self.host = if scoped { key_host(key) } else { None };
            if (!residue.text.is_empty() || residue.refs > 0) && !scoped {
                let detail = format!(
                    "npm 9 and later ignore `{}`; scope it to a registry: //registry.example/:{}",
                    self.key.unwrap_or("_authToken"),
                    field.key_name()
                );
                let at = key_start(self.src, self.line_start, entry.value_span.start);
                self.push(Rule::UnscopedCredential, at..at, None, None, Some(detail));
            }
            self.credential(entry, field, &residue);
        } else if let Some(scoped) = Field::from_miscased_key(key) {
            self.host = if scoped { key_host(key) } else { None };
            self.note = Some(
                "npm ignores this key (its keys are case-sensitive: it reads `_authToken`), \
                 but the token is committed all the same: revoke it"
                    .to_string(),
            );
            self.credential(entry, Field::AuthToken, &residue);
            self.note = None;
        } else if (key.starts_with("//") && key.ends_with(':'))
            || self.filled_by_npm_run(entry.key.as_bytes()).is_some()
        {
            // The setting's name is left to the environment
            // (`//host/:${FIELD}`), or the key is wholly or partly one the
            // npm a script starts fills from committed files
            // (`${npm_package_config_key}`, `//host/:_a${npm_package_config_t}`):
            // the value is sent as whatever credential it names (review 7,
            // #14; review 8, #9).
            self.host = key_host(key);
            self.note = Some(
                "the key comes from the environment (`${…}`; the npm a script starts fills \
                 `npm_package_*` from package.json and `npm_config_<key>` from the settings): \
                 npm sends the value as whatever credential it names"
                    .to_string(),
            );
            self.credential(entry, Field::AuthToken, &residue);
            self.note = None;
        }
        self.path_token(entry, key, &residue.text);
        self.private_key(entry, &residue.text);
        self.url_credentials(entry, &residue.text);
        self.query_credentials(entry, &residue.text);
        // A `$` inside a URL's password is part of the secret, reported
        // above; elsewhere in a registry URL it is a broken reference.
        if is_registry_key(key) && Field::from_key(key).is_none() && self.claimed.is_empty() {
            if let Value::Str(value) = &entry.value {
                if let Some(what) = broken_interpolation(value) {
                    self.broken(entry, &what);
                }
            }
        }
    }

    /// Why a credential's raw value is filled from a committed file for
    /// the npm a script starts (`npm run`, `postinstall`), if one of its
    /// references is ([`Self::filled_name`]).
    fn filled_by_npm_run(&self, raw: &[u8]) -> Option<String> {
        reference_names(raw).find_map(|name| self.filled_name(name))
    }

    /// Why the npm a script starts fills the variable `name` from a
    /// committed file, if it does: `npm_package_<path>` from package.json
    /// (npm: `name`, `version`, `config`, `engines`, `bin`; yarn 1: every
    /// field), or `npm_config_<key>` from a literal `<key>=` of this file
    /// (npm exports each setting as `npm_config_<key>`).
    fn filled_name(&self, name: &[u8]) -> Option<String> {
        if from_package(name) {
            return Some(
                "npm and yarn fill `${npm_package_…}` and `${npm_lifecycle_…}` from \
                 package.json for every npm a script starts, so the credential is \
                 committed there: remove it from package.json, give it in the \
                 environment, and revoke it"
                    .to_string(),
            );
        }
        if !name.starts_with(SETTING) {
            return None;
        }
        let src = self.src;
        let exported = self.exported.get_or_init(|| exported_settings(src));
        let name = String::from_utf8_lossy(name);
        let at = match exported.get(&*name) {
            Some(line) => format!("on line {line}"),
            None => format!("in {}", self.outside?.get(&*name)?),
        };
        Some(format!(
            "npm exports the setting {at} as `${{{name}}}` to every npm a \
             script starts, so the credential is committed there: remove it, give it \
             in the environment, and revoke it"
        ))
    }

    fn credential(&mut self, entry: &Entry<'_>, field: Field, residue: &Residue) {
        // A `_password` npm leaves as written (an unset `${B64}`) is
        // decoded all the same: when that gives a password, it is sent.
        let written;
        let text = if residue.text.is_empty() && field == Field::Password {
            written = lossy(&self.src[entry.value_span.clone()]);
            if decodes_to_password(&written) {
                written.as_str()
            } else {
                ""
            }
        } else {
            residue.text.as_str()
        };
        // A credential the npm a script starts fills from a committed file
        // (review 7, #15).
        if let Some(why) = self.filled_by_npm_run(&self.src[entry.value_span.clone()]) {
            self.push(
                field.literal_rule(),
                entry.value_span.clone(),
                None,
                None,
                Some(why),
            );
            return;
        }
        // npm sends `_password` decoded: when nothing decodes (it stops at
        // the first `=`), nothing of it is sent, tokens written in it
        // included (a certain one is still reported, as anywhere).
        if text.is_empty() || (field == Field::Password && decoded_standin(field, text)) {
            return;
        }
        let tokens: Vec<TokenMatch> = self
            .tokens
            .iter()
            .filter(|t| contains(&entry.value_span, &t.span))
            .cloned()
            .collect();
        // Tokens written whole inside a credential value count whatever
        // their checksum, even beside a `${VAR}` npm expands, when npm sends
        // them: not inside a JSON object (npm sends `[object Object]`).
        let sent_as_written = residue_is_raw(&self.src[entry.value_span.clone()], text);
        let tokens: Vec<TokenMatch> = tokens
            .into_iter()
            .filter(|t| !is_standin(&lossy(&self.src[t.span.clone()])))
            .collect();
        // A value npm decodes or expands first holds the tokens found in
        // it (one pass over the residue, however many there are).
        let found = (!sent_as_written).then(|| {
            let written: Vec<&str> = tokens
                .iter()
                .map(|t| std::str::from_utf8(&self.src[t.span.clone()]).unwrap_or(""))
                .collect();
            sent_tokens::find(text, &written)
        });
        let (tokens, rest) = match found {
            Some(found) => {
                let sent = found.sent.iter().map(|&i| tokens[i].clone()).collect();
                (sent, Some(found.rest))
            }
            None => (tokens, None),
        };
        if !tokens.is_empty() {
            // Rewriting just the tokens keeps the `${…}` around them, and is
            // right when what is left beside them is no secret (nothing, or
            // a stand-in such as the quotes of `"npm_…" ; comment`);
            // otherwise the fix takes the whole value, or is left to the user.
            let rest = rest.unwrap_or_else(|| {
                // The bytes between the tokens (sorted, disjoint), in one
                // pass.
                let base = entry.value_span.start;
                let mut rest = String::with_capacity(text.len());
                let mut at = 0;
                for t in &tokens {
                    rest.push_str(&text[at..t.span.start - base]);
                    at = t.span.end - base;
                }
                rest.push_str(&text[at..]);
                rest
            });
            let per_token = (rest.is_empty() || is_standin(&rest)) && self.expands(entry);
            let whole = (!per_token).then(|| self.whole_value_fix(entry, field, residue));
            for (i, t) in tokens.iter().enumerate() {
                match &whole {
                    None => self.token(t, Some(field)),
                    Some(Ok(site)) if i == 0 => {
                        let secret = lossy(&self.src[t.span.clone()]);
                        self.push(
                            token_rule(t.kind),
                            t.span.clone(),
                            Some(secret),
                            Some(site.clone()),
                            None,
                        );
                        // The fix stores what npm sends: the whole value.
                        if let Some(d) = self.out.last_mut() {
                            d.secret = Some(Secret::new(text.to_string()));
                        }
                    }
                    Some(Ok(_)) => {
                        let secret = lossy(&self.src[t.span.clone()]);
                        self.push(token_rule(t.kind), t.span.clone(), Some(secret), None, None);
                    }
                    Some(Err(why)) => {
                        let secret = lossy(&self.src[t.span.clone()]);
                        self.push(
                            token_rule(t.kind),
                            t.span.clone(),
                            Some(secret),
                            None,
                            Some(why.to_string()),
                        );
                    }
                }
            }
            return;
        }
        if let Some(what) = whole_reference(text) {
            if !(field == Field::Password && decodes_to_password(text)) {
                return self.broken(entry, what);
            }
        }
        // (A `_password` that decodes to nothing has returned above.)
        if is_standin(text) {
            return;
        }
        // The rule follows the residue's shape: `npm_…${X?}…` is a token.
        let rule = match tokens::find_tokens(text.as_bytes()).first() {
            Some(t) => token_rule(t.kind),
            None => field.literal_rule(),
        };
        let span = entry.value_span.clone();
        let (fix, why) = match self.whole_value_fix(entry, field, residue) {
            Ok(site) => (Some(site), None),
            Err(why) => (None, Some(why.to_string())),
        };
        self.push(rule, span, Some(text.to_string()), fix, why);
    }

    /// Whether npm expands a `${VAR}` written into this entry's value: it
    /// does in a string, not in a `key[]=` list or a JSON value.
    fn expands(&self, entry: &Entry<'_>) -> bool {
        !entry.array && matches!(entry.value, Value::Str(_))
    }

    /// The fix that replaces the whole value with `${VAR}`: lossless only
    /// when the value expands nothing itself (`abc${X}def` would lose `X`)
    /// and the line is not a list npm leaves unexpanded.
    fn whole_value_fix(
        &self,
        entry: &Entry<'_>,
        field: Field,
        residue: &Residue,
    ) -> Result<FixSite, &'static str> {
        if entry.array {
            return Err("npm does not expand ${…} in a `key[]=` list: write the line as `key=${NAME}` by hand, set NAME in your environment, and revoke the secret");
        }
        if residue.refs > 0 {
            return Err("the value mixes ${…} with literal text: rewrite it by hand so the whole secret comes from the environment");
        }
        Ok(FixSite {
            field,
            span: entry.value_span.clone(),
        })
    }

    fn broken(&mut self, entry: &Entry<'_>, what: &str) {
        let detail = format!(
            "{what}; npm sends it literally. Write ${{NAME}} (or ${{NAME?}} when it may be unset)"
        );
        self.push(
            Rule::BrokenInterpolation,
            entry.value_span.clone(),
            None,
            None,
            Some(detail),
        );
        // A warning holds no secret: it hides no certain token on the line.
        self.claimed.pop();
    }

    /// An inline PEM private key (npm's `key` setting).
    fn private_key(&mut self, entry: &Entry<'_>, text: &str) {
        let Some(begin) = text.find("-----BEGIN") else {
            return;
        };
        if !text[begin..].contains("PRIVATE KEY-----") {
            return;
        }
        let span = entry.value_span.clone();
        if self.claimed.iter().any(|c| overlaps(c, &span)) {
            return;
        }
        self.push(
            Rule::PrivateKey,
            span,
            Some(text[begin..].to_string()),
            None,
            None,
        );
    }

    /// A token a registry reads from the path of its URL (Gemfury's
    /// `https://npm.fury.io/<token>/<account>/`, [`crate::path_token`]),
    /// in the value or in the key: npm sends the path, and the token is
    /// committed. Only literal bytes count (a `${FURY_TOKEN}` segment is
    /// empty in the residue).
    fn path_token(&mut self, entry: &Entry<'_>, key: &str, text: &str) {
        let key_at = key_start(self.src, self.line_start, entry.value_span.start);
        let places = [
            (key.to_string(), key_at..entry.value_span.start),
            (text.to_string(), entry.value_span.clone()),
        ];
        for (written, within) in places {
            let Some(range) = crate::path_token::find(&written) else {
                continue;
            };
            let token = &written[range];
            let raw = &self.src[within.clone()];
            let span = memchr::memmem::find(raw, token.as_bytes()).map_or(within.clone(), |i| {
                within.start + i..within.start + i + token.len()
            });
            if self.claimed.iter().any(|c| overlaps(c, &span)) {
                continue;
            }
            let detail = "Gemfury reads the first path segment of this URL as a token \
                          (https://npm.fury.io/<token>/<account>/) and npm sends it in every \
                          request: use https://npm.fury.io/<account>/ with \
                          //npm.fury.io/<account>/:_authToken=${FURY_TOKEN}, and revoke the token"
                .to_string();
            self.push(
                Rule::UrlCredentials,
                span,
                Some(token.to_string()),
                None,
                Some(detail),
            );
        }
    }

    /// The credentials of the URL a value is once npm expands it. Where a
    /// reference stands for the host or the scheme (`https://u:pw@${HOST}/`,
    /// `${SCHEME}://u:pw@h/`), the literal residue is no URL, but what npm
    /// sends is: read it with the references standing for a host, and with
    /// whatever comes before `://` taken as `https`.
    fn url_info(&self, entry: &Entry<'_>, text: &str) -> Option<urlcreds::UserInfo> {
        if let Some(info) = urlcreds::credentials(text) {
            return Some(info);
        }
        // Each reference stands for a marker a host may hold; the marker is
        // taken out of the credentials again: only literal bytes count.
        const MARK: &str = "q0q0q0q0q";
        let expanded = match &entry.value {
            Value::Str(v) if self.expands(entry) && v.contains('$') => {
                eval::expand(eval::js_trim(v), MARK).text
            }
            _ => text.to_string(),
        };
        // A scheme a reference spells (`${SCHEME}://`, `h${X}://`) may be
        // `https` where npm expands it (not in a list); a literal `ftp://`
        // is not one npm sends credentials to.
        let referenced_scheme = self.expands(entry)
            && entry
                .value
                .as_str()
                .and_then(|v| v.split_once("://"))
                .is_some_and(|(scheme, _)| {
                    let parts = eval::expand(eval::js_trim(scheme), "\0").text;
                    let parts: Vec<String> =
                        parts.split('\0').map(str::to_ascii_lowercase).collect();
                    parts.len() > 1 && ["http", "https"].iter().any(|s| could_spell(&parts, s))
                });
        let info = urlcreds::credentials(&expanded).or_else(|| {
            let (_, rest) = expanded.split_once("://").filter(|_| referenced_scheme)?;
            urlcreds::credentials(&format!("https://{rest}"))
        })?;
        let info = urlcreds::UserInfo {
            username: info.username.replace(MARK, ""),
            password: info.password.replace(MARK, ""),
        };
        (!info.username.is_empty() || !info.password.is_empty()).then_some(info)
    }

    /// Why a URL's password (or its username, when no password follows)
    /// is filled from a committed file by the npm a script starts
    /// (`http://alice:${npm_package_config_pw}@host/`), if it is: each
    /// such reference stands for a marker, every other for a character,
    /// and the URL is read as npm reads it (review 8, #6).
    fn filled_userinfo(&self, entry: &Entry<'_>) -> Option<String> {
        const FILL: &str = "f1f1f1f1f";
        let Value::Str(v) = &entry.value else {
            return None;
        };
        if !self.expands(entry) || !v.contains("${") {
            return None;
        }
        let v = eval::js_trim(v);
        let mut why = None;
        let mut marked = String::with_capacity(v.len());
        let mut at = 0;
        for r in npmrc::interpolations(v) {
            if r.escaped {
                continue;
            }
            if let Some(w) = self.filled_name(r.name.as_bytes()) {
                marked.push_str(&v[at..r.span.start]);
                marked.push_str(FILL);
                at = r.span.end;
                why.get_or_insert(w);
            }
        }
        let why = why?;
        marked.push_str(&v[at..]);
        let info = urlcreds::credentials(&eval::expand(&marked, "0").text)?;
        (info.password.contains(FILL) || (info.password.is_empty() && info.username.contains(FILL)))
            .then_some(why)
    }

    /// A username or password in a URL, read as `new URL()` reads it.
    fn url_credentials(&mut self, entry: &Entry<'_>, text: &str) {
        if let Some(why) = self.filled_userinfo(entry) {
            let span = entry.value_span.clone();
            if !self.claimed.iter().any(|c| overlaps(c, &span)) {
                self.push(Rule::UrlCredentials, span, None, None, Some(why));
            }
            return;
        }
        let Some(info) = self.url_info(entry, text) else {
            return;
        };
        // A part that is a whole reference npm does not expand
        // (`https://alice:$NPM_PASSWORD@host/`) is a broken reference, not
        // a secret: the registry-URL check below warns about it.
        // A `$` written as `%24` (`%24ss`) is a byte npm sends, never a
        // reference (`$ss` written so is one). The URL parser never encodes
        // a `$` itself, so `%24` in its userinfo was written so.
        let written = urlcreds::parse(text.trim()).map(|(_, raw)| raw);
        let secret = |part: &str, raw: Option<&str>| {
            let encoded_dollar = raw.is_some_and(|r| r.to_ascii_lowercase().contains("%24"));
            !part.is_empty()
                && !is_standin(part)
                && (encoded_dollar || whole_reference(part).is_none())
        };
        let password = secret(
            &info.password,
            written.as_ref().map(|w| w.password.as_str()),
        );
        let username = secret(
            &info.username,
            written.as_ref().map(|w| w.username.as_str()),
        );
        if !password && !username {
            return;
        }
        // A username alone is a credential (`https://TOKEN@host/`), but not
        // beside a password npm takes from the environment
        // (`https://deploy:${NPM_PASSWORD}@host/`).
        // Where npm expands references, each stands for some value there.
        let shape = match &entry.value {
            Value::Str(v) if self.expands(entry) => eval::expand(eval::js_trim(v), "0").text,
            _ => text.to_string(),
        };
        // (When a reference decides whether the value is a URL at all, the
        // URL it is without them.)
        let shape = urlcreds::credentials(&shape).or_else(|| urlcreds::credentials(text));
        if !password && shape.is_some_and(|i| !i.password.is_empty()) {
            return;
        }
        let raw = &self.src[entry.value_span.clone()];
        let base = entry.value_span.start;
        let secret = if password {
            &info.password
        } else {
            &info.username
        };
        // Point at the secret's bytes when the file holds them as written,
        // where a URL holds them: a password between `:` and `@`, a
        // username after `/` or `:` and before `:` or `@` (`https://u:ttps@h`
        // holds `ttps` inside `https` too).
        let (before, after): (&[u8], &[u8]) = if password {
            (b":", b"@")
        } else {
            (b"/:", b":@")
        };
        // A password ends at the userinfo's last `@`: no other `@` follows
        // before the host ends (`https:pw@x=https:pw@h/` holds it twice).
        let ends_userinfo = |end: usize| {
            raw.get(end + 1..).is_none_or(|rest| {
                let host_end = rest
                    .iter()
                    .position(|b| matches!(b, b'/' | b'\\' | b'?' | b'#'))
                    .unwrap_or(rest.len());
                !rest[..host_end].contains(&b'@')
            })
        };
        let at = memchr::memmem::find_iter(raw, secret.as_bytes())
            .find(|&i| {
                i > 0
                    && before.contains(&raw[i - 1])
                    && raw.get(i + secret.len()).is_some_and(|b| after.contains(b))
                    && (!password || ends_userinfo(i + secret.len()))
            })
            // (The URL's own userinfo comes first; a later copy is in its
            // path.)
            .filter(|_| entry.quote != npmrc::Quote::Single || residue_is_raw(raw, text));
        let span = match at {
            Some(i) => base + i..base + i + secret.len(),
            None => entry.value_span.clone(),
        };
        if self.claimed.iter().any(|c| overlaps(c, &span)) {
            return;
        }
        let expands = self.expands(entry);
        let tokens: Vec<TokenMatch> = tokens_within(self.tokens, &span).to_vec();
        if at.is_some() && !tokens.is_empty() {
            // Rewriting just the tokens is right when they are the whole
            // secret; otherwise the fix takes the whole password.
            let covered: usize = tokens.iter().map(|t| t.span.len()).sum();
            if covered == span.len() && expands {
                for t in &tokens {
                    self.token(t, Some(Field::Password));
                }
                return;
            }
            for (i, t) in tokens.iter().enumerate() {
                let fix = (i == 0 && password && expands).then(|| FixSite {
                    field: Field::Password,
                    span: span.clone(),
                });
                let token = lossy(&self.src[t.span.clone()]);
                self.push(token_rule(t.kind), t.span.clone(), Some(token), fix, None);
                if i == 0 && password && expands {
                    // The fix stores what npm sends: the whole password.
                    if let Some(d) = self.out.last_mut() {
                        d.secret = Some(Secret::new(secret.clone()));
                    }
                }
            }
            return;
        }
        let fix = (password && at.is_some() && expands).then(|| FixSite {
            field: Field::Password,
            span: span.clone(),
        });
        self.push(Rule::UrlCredentials, span, Some(secret.clone()), fix, None);
    }
}

impl LineCtx<'_, '_> {
    /// A credential in a URL's query (`?private_token=…`): npm, yarn and
    /// pnpm request the URL as written, query included, so the server is
    /// sent it. A parameter counts when its name is a credential's
    /// ([`urlcreds::is_credential_name`]) and the literal residue of its
    /// value is neither empty nor a stand-in: `?token=${GL_TOKEN}` is
    /// expanded by npm and is safe.
    fn query_credentials(&mut self, entry: &Entry<'_>, text: &str) {
        if memchr::memchr(b'?', text.as_bytes()).is_none() {
            return;
        }
        // Each reference stands for a marker, taken out of the values
        // again: only literal bytes count (as in [`Self::url_info`]).
        const MARK: &str = "q0q0q0q0q";
        let expanded = match &entry.value {
            Value::Str(v) if self.expands(entry) && v.contains('$') => {
                eval::expand(eval::js_trim(v), MARK).text
            }
            _ => text.to_string(),
        };
        let Some(found) = urlcreds::query_credentials(&expanded) else {
            return;
        };
        let raw = &self.src[entry.value_span.clone()];
        let base = entry.value_span.start;
        let query_start = memchr::memchr(b'?', raw).unwrap_or(0);
        for cred in found {
            let literal = cred.value.replace(MARK, "");
            let decoded = percent_encoding::percent_decode_str(&literal)
                .decode_utf8_lossy()
                .into_owned();
            // (A whole reference the tool does not expand, `${GL_TOKEN}`
            // in a package.json, is sent as that text: no secret.)
            if literal.is_empty()
                || is_standin(&literal)
                || is_standin(&decoded)
                || whole_reference(&decoded).is_some()
            {
                continue;
            }
            // The value's bytes, when the file holds them as sent: after
            // the query's `?`, just after an `=`, ending the pair.
            let at = memchr::memmem::find_iter(&raw[query_start..], cred.value.as_bytes())
                .map(|i| query_start + i)
                .find(|&i| {
                    i > 0
                        && raw[i - 1] == b'='
                        && raw
                            .get(i + cred.value.len())
                            .is_none_or(|b| matches!(b, b'&' | b'#'))
                })
                .filter(|_| cred.value == literal)
                .filter(|_| entry.quote != npmrc::Quote::Single || residue_is_raw(raw, text));
            let span = match at {
                Some(i) => base + i..base + i + literal.len(),
                None => entry.value_span.clone(),
            };
            if self.claimed.iter().any(|c| overlaps(c, &span)) {
                continue;
            }
            let fix = (at.is_some() && self.expands(entry)).then(|| FixSite {
                field: Field::AuthToken,
                span: span.clone(),
            });
            let detail = format!(
                "the query parameter `{}` of this URL is sent to the server with the URL",
                crate::foreign::shown_name(&cred.name)
            );
            // A token of a known format keeps its own rule.
            let rule = match tokens_within(self.tokens, &span) {
                [t] if t.span == span => token_rule(t.kind),
                _ => Rule::UrlCredentials,
            };
            self.push(rule, span, Some(literal), fix, Some(detail));
        }
    }
}

/// The file's bytes are the residue itself (nothing decoded or expanded).
fn residue_is_raw(raw: &[u8], text: &str) -> bool {
    raw == text.as_bytes()
}

/// `_auth` and `_password` hold base64: Node decodes it leniently, so the
/// decoded bytes decide too.
fn decoded_standin(field: Field, text: &str) -> bool {
    // npm sends `_password` decoded: when nothing decodes, nothing of it
    // reaches the wire. Brackets or other characters around base64 are
    // skipped, so they never make a stand-in.
    field == Field::Password && eval::base64_lenient(text).is_empty()
}

/// Whether npm's lenient base64 reading of a `_password` value (it skips
/// every byte outside the alphabet) gives a password: four bytes or more,
/// all printable. A variable's name in a reference npm leaves as text
/// (`${{ secrets.NPM_PASSWORD }}`, an unset `${NPM_PASSWORD}`) decodes to
/// bytes that are no text; a base64 password wrapped in one decodes to
/// itself, and npm sends it (review 7, #4).
fn decodes_to_password(text: &str) -> bool {
    let decoded = eval::base64_lenient(text);
    decoded.len() >= 4 && decoded.iter().all(|b| (0x20..0x7f).contains(b))
}

/// What makes a whole residue a reference npm will not expand, if it is one.
fn whole_reference(text: &str) -> Option<&'static str> {
    static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:(\$\{[^${}]*\??\})",
            r"|(\$\{[A-Za-z_][A-Za-z0-9_]*\??)",
            r"|(\$<[A-Za-z_][A-Za-z0-9_]*>)",
            r"|(\$[A-Za-z_][A-Za-z0-9_]*)",
            r"|(%[A-Za-z_][A-Za-z0-9_]*%)",
            r"|(\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})",
            // A CI's or a template's own expressions, copied from where
            // they are expanded (review 5 #11, review 6 #8): GitHub
            // Actions' `${{ secrets.NPM_TOKEN || secrets.B }}`, Azure
            // Pipelines' `$(NPM_TOKEN)` and `$[variables.NPM_TOKEN]`,
            // Helm's `{{ .Values.npmToken }}`, CircleCI's
            // `<< pipeline.parameters.npm_token >>`, PowerShell's
            // `$env:NPM_TOKEN`, ERB's `<%= ENV['NPM_TOKEN'] %>`.
            r"|(\$\{\{[A-Za-z0-9_.|'\x22 \t\[\]-]+\}\}",
            r"|\$\([A-Za-z0-9_. \t]+\)",
            r"|\$\[[A-Za-z0-9_.'\x22 \t\[\]]+\]",
            r"|\{\{[ \t]*\.[A-Za-z0-9_.|'\x22 \t-]+\}\}",
            r"|<<[A-Za-z0-9_. \t]+>>",
            r"|\$env:[A-Za-z_][A-Za-z0-9_]*",
            r"|<%=?[A-Za-z0-9_.'\x22 \t\[\]()]+-?%>))$",
        ))
        .expect("valid regex")
    });
    let caps = WHOLE.captures(text.trim())?;
    // A secret written where the name goes (`{{<PAT>}}`, `${<token>}`,
    // `${NPM_TOKEN:-<uuid>}`) is sent as text: an error, not a warning.
    let t = text.trim();
    // Its delimiters split words as any other punctuation does.
    if !crate::standin::reads_as_names(t) {
        return None;
    }
    // `$NAME` and an unclosed `${NAME` name a variable only when NAME is
    // written in one case (`$NPM_TOKEN`, `$npm_token`): `$ecretPassw0rd` is
    // a password that starts with `$`.
    if let Some(m) = caps.get(2).or_else(|| caps.get(4)) {
        let name = m.as_str();
        if name.bytes().any(|b| b.is_ascii_uppercase())
            && name.bytes().any(|b| b.is_ascii_lowercase())
        {
            return None;
        }
    }
    Some(if caps.get(1).is_some() {
        "`${NAME}` is sent as text here (escaped with `\\`, or inside a JSON value)"
    } else if caps.get(2).is_some() {
        "`${` is never closed"
    } else if caps.get(3).is_some() {
        "`$<NAME>` is not npm syntax"
    } else if caps.get(4).is_some() {
        "`$NAME` without braces is not expanded"
    } else if caps.get(5).is_some() {
        "`%NAME%` is Windows shell syntax"
    } else if caps.get(6).is_some() {
        "`{{NAME}}` is template syntax"
    } else {
        "a CI's expression (`${{ secrets.NAME }}`, `$(NAME)`) is expanded by the CI's workflow, not by npm"
    })
}

/// Keys whose values name registries, where a broken `${VAR}` matters.
fn is_registry_key(key: &str) -> bool {
    key.ends_with("registry") || key.starts_with("//")
}

/// The first non-blank byte of the line holding `value_start`.
fn key_start(src: &[u8], line_start: usize, value_start: usize) -> usize {
    src[line_start..value_start]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(line_start, |i| line_start + i)
}

pub(crate) fn token_rule(kind: Kind) -> Rule {
    match kind {
        Kind::Npm => Rule::NpmToken,
        Kind::GitHub => Rule::GithubToken,
        Kind::GitLab => Rule::GitlabToken,
    }
}

/// Whether literal `parts` with anything between them can spell `word`:
/// `["h", ""]` (`h${X}`) can spell `https`, `["", "git+ssh"]` cannot.
fn could_spell(parts: &[String], word: &str) -> bool {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if !word.starts_with(first.as_str()) || word.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &word[first.len()..];
    if !rest.ends_with(last.as_str()) {
        return false;
    }
    rest = &rest[..rest.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part.as_str()) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The tokens (sorted, disjoint) that lie inside `span`: two binary
/// searches, so a line of many URLs costs no more than its length.
fn tokens_within<'t>(tokens: &'t [TokenMatch], span: &Range<usize>) -> &'t [TokenMatch] {
    let first = tokens.partition_point(|t| t.span.start < span.start);
    let rest = &tokens[first..];
    &rest[..rest.partition_point(|t| t.span.end <= span.end)]
}

/// Spans already reported, indexed so that asking whether a span overlaps
/// one of them is a binary search: a line of 100,000 tokens asks 100,000
/// times.
struct Claims {
    /// Non-empty spans sorted by start, each with the largest end so far.
    spans: Vec<(usize, usize)>,
    /// Where the empty spans are, sorted.
    empty: Vec<usize>,
}

impl Claims {
    fn new(claimed: &[Range<usize>]) -> Self {
        let mut spans: Vec<(usize, usize)> = claimed
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| (c.start, c.end))
            .collect();
        spans.sort_unstable();
        let mut max_end = 0;
        for s in &mut spans {
            max_end = max_end.max(s.1);
            s.1 = max_end;
        }
        let mut empty: Vec<usize> = claimed
            .iter()
            .filter(|c| c.is_empty())
            .map(|c| c.start)
            .collect();
        empty.sort_unstable();
        Claims { spans, empty }
    }

    /// Whether `span` shares a byte with a claimed span, or starts at (or
    /// holds) an empty one.
    fn overlap(&self, span: &Range<usize>) -> bool {
        let before = self.spans.partition_point(|&(start, _)| start < span.end);
        let by_span = before > 0 && self.spans[before - 1].1 > span.start;
        let by_empty = || {
            let i = self.empty.partition_point(|&at| at < span.start);
            // An empty claim overlaps a span that starts at it, or (as a
            // point) holds it strictly inside.
            self.empty
                .get(i)
                .is_some_and(|&at| at == span.start || at < span.end)
        };
        by_span || by_empty()
    }
}

/// Whether two spans share a byte (an empty span: whether it starts where
/// the other does). [`Claims`] answers the same question for many spans.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end || (a.is_empty() && a.start == b.start)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn lossy(bytes: &[u8]) -> String {
    npmrc::lossy(bytes).into_owned()
}

/// `; npmrc-guard: allow` (the comment character already stripped).
fn is_allow_marker(text: &[u8]) -> bool {
    static MARKER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"npmrc-guard"));
    if MARKER.find(text).is_none() {
        return false;
    }
    let text = String::from_utf8_lossy(text);
    let t = text.trim();
    t.eq_ignore_ascii_case("npmrc-guard: allow") || t.eq_ignore_ascii_case("npmrc-guard:allow")
}

/// A key as a report may show it: `//alice:pw@host/:_authToken` holds a
/// password (npm never matches such a key, but it is committed all the
/// same), so everything up to its last `@` that does not start a scope
/// (`/@corp`) becomes `…` (SPEC: `key` never holds secret material).
fn without_userinfo(key: &str) -> String {
    let Some(rest) = key.strip_prefix("//") else {
        return key.to_string();
    };
    let userinfo_end = rest
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '@' && (i == 0 || rest.as_bytes()[i - 1] != b'/'))
        .map(|(i, _)| i);
    match userinfo_end {
        Some(at) => format!("//…{}", &rest[at..]),
        None => key.to_string(),
    }
}

/// The registry host of a scoped key (`//host[:port]/path/:_authToken`).
pub fn key_host(key: &str) -> Option<String> {
    let rest = key.strip_prefix("//")?;
    let end = rest.find(['/', ':']).unwrap_or(rest.len());
    let host = &rest[..end];
    (!host.is_empty()).then(|| host.to_string())
}

/// A description of a variable reference npm will not expand, if `value`
/// holds one outside its valid `${…}` references.
pub fn broken_interpolation(value: &str) -> Option<String> {
    static BROKEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(\$\{[A-Za-z_][A-Za-z0-9_]*(?:[^A-Za-z0-9_?}]|$))",
            r"|(\$\{\})",
            r"|(\$<[A-Za-z_][A-Za-z0-9_]*>)",
            r"|(\$[A-Za-z_][A-Za-z0-9_]*)",
            r"|(%[A-Za-z_][A-Za-z0-9_]*%)",
            r"|(\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})",
        ))
        .expect("valid regex")
    });
    memchr::memchr3(b'$', b'%', b'{', value.as_bytes())?;
    // Blank out the references npm does expand so they are not misread.
    let mut masked = value.as_bytes().to_vec();
    for r in npmrc::interpolations(value) {
        if !r.escaped {
            masked[r.span].fill(b' ');
        }
    }
    let masked = String::from_utf8_lossy(&masked).into_owned();
    if let Some(r) = npmrc::interpolations(value).into_iter().find(|r| r.escaped) {
        return Some(format!("`\\${{{}}}` is escaped", r.name));
    }
    let caps = BROKEN.captures(&masked)?;
    let what = if caps.get(1).is_some() {
        "`${` is never closed"
    } else if caps.get(2).is_some() {
        "`${}` names no variable"
    } else if caps.get(3).is_some() {
        "`$<NAME>` is not npm syntax"
    } else if caps.get(4).is_some() {
        "`$NAME` without braces is not expanded"
    } else if caps.get(5).is_some() {
        "`%NAME%` is Windows shell syntax"
    } else {
        "`{{NAME}}` is template syntax"
    };
    Some(what.to_string())
}

/// The severity totals of a list of findings.
pub fn count(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

#[cfg(test)]
mod tests {

    #[test]
    fn holds_any_answers_as_contains_does() {
        // Every length up to past the vector search's, every place, and
        // bytes that differ from a member by one bit or by the high bit.
        for len in 0..80usize {
            for at in 0..=len {
                for b in [b'@', b'$', b'%', b'A', 0, 0x80, 0xC0, 0xA4, 0xFF] {
                    let mut bytes = vec![b'x'; len];
                    if at < len {
                        bytes[at] = b;
                    }
                    let set = [b'$', b'%', b'{', b'@', b'\\'];
                    let want = bytes.iter().any(|b| set.contains(b));
                    assert_eq!(holds_any(&bytes, set), want, "{len} {at} {b}");
                    let want = bytes.contains(&b'@');
                    assert_eq!(holds_any(&bytes, [b'@']), want, "{len} {at} {b}");
                }
            }
        }
        // The raw-byte tests the sift relies on, through it.
        assert!(key_worth_decoding(b"//h/:_AUTHtoken"));
        assert!(key_worth_decoding(b"x_password"));
        assert!(key_worth_decoding(b"a\\b"));
        assert!(!key_worth_decoding(b"@scope-2:registry"));
        assert!(!key_worth_decoding(b"a_b"));
        assert!(value_worth_decoding(b"https://u:p@h/"));
        assert!(value_worth_decoding(b"x -----BEGIN y"));
        assert!(!value_worth_decoding(b"https://npm.pkg.github.com/"));
        assert!(!value_worth_decoding(b"-----BEGI"));
    }

    #[test]
    fn claims_answer_as_a_linear_search_would() {
        let all: Vec<Range<usize>> = (0..6).flat_map(|s| (s..6).map(move |e| s..e)).collect();
        // Every set of up to two claims against every span.
        for a in &all {
            for b in &all {
                for claimed in [vec![], vec![a.clone()], vec![a.clone(), b.clone()]] {
                    let index = Claims::new(&claimed);
                    for span in &all {
                        assert_eq!(
                            index.overlap(span),
                            claimed.iter().any(|c| overlaps(c, span)),
                            "{claimed:?} {span:?}"
                        );
                    }
                }
            }
        }
    }

    use super::*;

    #[test]
    fn tokens_within_answers_as_a_linear_filter_would() {
        let at = |r: Range<usize>| TokenMatch {
            kind: Kind::Npm,
            span: r,
            checksum: tokens::Checksum::Valid,
        };
        let all: Vec<Range<usize>> = (0..7).flat_map(|s| (s..7).map(move |e| s..e)).collect();
        // Sets of sorted, disjoint token spans (none, one, touching,
        // apart, the whole), against every span of 0..6.
        let sets: Vec<Vec<TokenMatch>> = vec![
            vec![],
            vec![at(1..3)],
            vec![at(0..2), at(2..4)],
            vec![at(0..1), at(2..4), at(5..6)],
            vec![at(1..2), at(3..5)],
            vec![at(0..6)],
        ];
        for tokens in &sets {
            for span in &all {
                let want: Vec<Range<usize>> = tokens
                    .iter()
                    .filter(|t| contains(span, &t.span))
                    .map(|t| t.span.clone())
                    .collect();
                let got: Vec<Range<usize>> = tokens_within(tokens, span)
                    .iter()
                    .map(|t| t.span.clone())
                    .collect();
                assert_eq!(got, want, "{span:?}");
            }
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "TOKEN",
            "YOUR_TOKEN",
            "<token>",
            "xxxxxxxx",
            "your-npm-token",
            "NPM_TOKEN",
            "changeme",
            "********",
            "[token]",
        ] {
            assert!(is_standin(p), "{p:?} should be a stand-in");
        }
        for s in [
            "hunter2secret",
            "a1b2c3d4e5",
            "npm_abcDEF0123456789abcDEF0123456789abcd",
        ] {
            assert!(!is_standin(s), "{s:?} should not be a stand-in");
        }
    }

    #[test]
    fn broken_forms() {
        for b in [
            "$NPM_TOKEN",
            "$<NPM_TOKEN>",
            "${NPM_TOKEN",
            "%NPM_TOKEN%",
            "{{NPM_TOKEN}}",
            "\\${NPM_TOKEN}",
            "${}",
        ] {
            assert!(broken_interpolation(b).is_some(), "{b:?}");
        }
        // A CI's expressions: the whole value is a reference npm sends as
        // text; a secret where the name goes is not.
        for b in [
            "${{ secrets.NPM_TOKEN }}",
            "${{secrets.NPM_TOKEN}}",
            "${{ env.NODE_AUTH_TOKEN }}",
            "$(NPM_TOKEN)",
            "${{ secrets.NPM_TOKEN || secrets.NODE_AUTH_TOKEN }}",
            "{{ .Values.npmToken }}",
            "<< pipeline.parameters.npm_token >>",
            "$[variables.NPM_TOKEN]",
            "$env:NPM_TOKEN",
            "<%= ENV['NPM_TOKEN'] %>",
        ] {
            assert!(whole_reference(b).is_some(), "{b:?}");
        }
        for secret in [
            "${{ npm_ab12CD34ef56GH78ij90KL12mn34OP56qr78 }}",
            "$(Xk9dP2mQ7vR4tW8zL3nB)",
            "<< Xk9dP2mQ7vR4tW8zL3nB >>",
            "$env:Xk9dP2mQ7vR4tW8zL3nB",
            "<%= 'Xk9dP2mQ7vR4tW8zL3nB' %>",
        ] {
            assert!(whole_reference(secret).is_none(), "{secret:?}");
        }
        for ok in ["${NPM_TOKEN}", "${NPM_TOKEN?}", "\\\\${NPM_TOKEN}", "plain"] {
            assert!(broken_interpolation(ok).is_none(), "{ok:?}");
        }
    }

    #[test]
    fn key_fields() {
        assert_eq!(
            Field::from_key("//r.example/:_authToken"),
            Some((Field::AuthToken, true))
        );
        assert_eq!(
            Field::from_key("_authToken"),
            Some((Field::AuthToken, false))
        );
        assert_eq!(Field::from_key("_auth"), Some((Field::Auth, false)));
        assert_eq!(
            Field::from_key("//h/:_password"),
            Some((Field::Password, true))
        );
        assert_eq!(Field::from_key("my_authToken"), None);
        assert_eq!(
            key_host("//npm.pkg.github.com/:_authToken").as_deref(),
            Some("npm.pkg.github.com")
        );
        assert_eq!(
            key_host("//localhost:4873/:_authToken").as_deref(),
            Some("localhost")
        );
    }

    /// The rule ids of what `src` gives, in order.
    fn ids(src: &str) -> Vec<&'static str> {
        detect(".npmrc", src.as_bytes())
            .iter()
            .map(|d| d.finding.rule.id())
            .collect()
    }

    #[test]
    fn fields_name_their_variable_and_key_as_the_spec_does() {
        let names = [
            (Field::AuthToken, "NPM_TOKEN", "_authToken"),
            (Field::Auth, "NPM_AUTH", "_auth"),
            (Field::Password, "NPM_PASSWORD", "_password"),
        ];
        for (field, var, key) in names {
            assert_eq!((field.var_base(), field.key_name()), (var, key));
        }
        // The unscoped warning tells how to scope the key it found.
        for (src, want) in [
            ("_auth=dXNlcjpzZWNyZXRwdw==\n", "//registry.example/:_auth"),
            ("_password=c2VjcmV0cHc=\n", "//registry.example/:_password"),
        ] {
            let found = detect(".npmrc", src.as_bytes());
            let unscoped = found
                .iter()
                .find(|d| d.finding.rule == Rule::UnscopedCredential)
                .expect(src);
            let detail = unscoped.finding.detail.as_deref().unwrap_or("");
            assert!(detail.ends_with(want), "{src:?}: {detail}");
        }
    }

    #[test]
    fn a_miscased_auth_token_key_is_read_only_when_it_ends_the_key() {
        // The whole key is the miscased name: still a credential.
        assert_eq!(ids("_AUTHTOKEN=hunter2secretvalue\n"), ["auth-token"]);
        for key in ["//h.example/:_authtoken", "//h.example/:_AuthToken"] {
            assert_eq!(ids(&format!("{key}=hunter2secretvalue\n")), ["auth-token"]);
        }
        // Ten other bytes after a `:` are no credential key.
        assert!(ids("a:0123456789=hunter2secret@x\n").is_empty());
        // A key whose last ten bytes start inside a character is no
        // credential key either, and no panic.
        assert!(ids("aaaaaaaaaa\u{e9}aaaaaaaaa=hunter2secret@x\n").is_empty());
    }

    /// Both walks of a file (sifted, and every line) give the same rules
    /// and fixes.
    fn both(src: &str) -> Vec<(&'static str, bool)> {
        let shape = |found: Vec<Detected>| -> Vec<(&'static str, bool)> {
            found
                .iter()
                .map(|d| (d.finding.rule.id(), d.fix.is_some()))
                .collect()
        };
        let sifted = shape(detect(".npmrc", src.as_bytes()));
        assert_eq!(
            sifted,
            shape(detect_every_line(".npmrc", src.as_bytes())),
            "{src:?}"
        );
        sifted
    }

    /// Whether each walk of `src` (sifted, and every line) finds an error;
    /// both must answer alike.
    fn errs(src: &str) -> bool {
        let err =
            |found: Vec<Detected>| found.iter().any(|d| d.finding.severity == Severity::Error);
        let sifted = err(detect(".npmrc", src.as_bytes()));
        assert_eq!(
            sifted,
            err(detect_every_line(".npmrc", src.as_bytes())),
            "{src:?}"
        );
        sifted
    }

    /// The fast paths for a plain `//host/:field=${NAME}` (the sift's
    /// [`is_plain_scoped_reference`], [`FileScan::line`]'s own) pass over
    /// only what npm sends nothing literal for: a `${NAME}` that is a name.
    /// A `_password` whose unset reference decodes to a password, a token
    /// pasted where the name goes, and names the npm a script fills from
    /// committed files are errors in both walks (review 7, #4 and #15).
    #[test]
    fn the_plain_reference_fast_paths_pass_only_names() {
        assert!(!errs("//r.example/:_authToken=${NPM_TOKEN}\n"));
        assert!(!errs("//r.example/:_password=${NPM_PASSWORD}\n"));
        // npm leaves an unset `${B64}` as written and decodes it leniently:
        // `cXdlcnR6dWlvcGFz` is base64 of a password.
        assert!(errs("//r.example/:_password=${cXdlcnR6dWlvcGFz}\n"));
        // Not a name (a random-looking run): a secret npm sends as text.
        assert!(errs("//r.example/:_authToken=${Xq7Rk2Lm9Pz4Wn8aB3cD5eF}\n"));
        // After a name it accepted, the walk judges the next one afresh.
        assert!(errs(
            "//r.example/:_authToken=${NPM_TOKEN}\n//s.example/:_authToken=${Xq7Rk2Lm9Pz4Wn8aB3cD5eF}\n"
        ));
        // npm run fills these from package.json (npm: name, version,
        // config, engines, bin; yarn 1: every field) and from this file's
        // own literal settings (review 7, #15; review 8, #2 and #8).
        for name in [
            "npm_package_config_token",
            "npm_package_engines_tok",
            "npm_package_bin_tok",
            "npm_package_name",
            "npm_package_description",
            "npm_package_publishConfig_token",
            // The script's own name and command (npm 11.19.1 sent the
            // command for `${npm_lifecycle_script}`).
            "npm_lifecycle_script",
            "npm_lifecycle_event",
        ] {
            let src = format!("//r.example/:_authToken=${{{name}}}\n");
            assert!(errs(&src), "{src:?}");
            // After a plain name the sift accepted.
            assert!(errs(&format!(
                "//r.example/:_authToken=${{NPM_TOKEN}}\n{src}"
            )));
        }
        // (A name that only starts alike is no package field.)
        assert!(!errs("//r.example/:_authToken=${npm_packages_token}\n"));
        let exported =
            "my-secret=hunter2secretvalue\n//r.example/:_authToken=${npm_config_my_secret}\n";
        assert!(errs(exported));
        assert!(errs(&exported.replace(
            "${npm_config_my_secret}",
            "${X}${npm_config_my_secret}"
        )));
        // Not exported: no such setting, a stand-in, a reference, or a key
        // npm keeps to itself (`_`, `/`, `@`).
        for src in [
            "//r.example/:_authToken=${npm_config_my_secret}\n",
            "my-secret=YOUR_TOKEN\n//r.example/:_authToken=${npm_config_my_secret}\n",
            "my-secret=${MINE}\n//r.example/:_authToken=${npm_config_my_secret}\n",
            "_my-secret=hunter2secretvalue\n//r.example/:_authToken=${npm_config__my_secret}\n",
        ] {
            assert!(!errs(src), "{src:?}");
        }
    }

    /// A `_password` is decoded leniently whatever wraps it: a CI's
    /// expression around a base64 password is sent (an error), around a
    /// variable's name it is not (a warning at most); the same wrapper in
    /// another field is a reference npm does not expand (review 7, #4).
    #[test]
    fn wrappers_of_a_password_are_read_as_npm_decodes_it() {
        assert!(errs("//r.example/:_password=$(cXdlcnR6dWlvcGFz)\n"));
        assert!(!errs("//r.example/:_password=$(NPM_PASSWORD)\n"));
        assert!(!errs("//r.example/:_authToken=$(cXdlcnR6dWlvcGFz)\n"));
    }

    /// A key wholly or partly named by a reference the npm a script fills
    /// from committed files (`${npm_package_config_key}=<token>`,
    /// `//host/:_a${npm_package_config_t}=<token>`) sends its value as the
    /// credential it names: a literal value is an error, a reference is
    /// not, and a key built from any other reference is judged as before
    /// (review 8, #9).
    #[test]
    fn a_key_filled_by_npm_run_has_its_value_judged_as_a_credential() {
        for key in [
            "${npm_package_config_key}",
            "//r.example/:_a${npm_package_config_t}",
            "${npm_package_config_scope}:_authToken_x",
        ] {
            let src = format!("{key}=Kq7vRmZpLxWd2NsTb4Hc\n");
            assert!(errs(&src), "{src:?}");
            assert!(!errs(&format!("{key}=${{NPM_TOKEN}}\n")), "{key}");
        }
        // `npm_config_<key>` of a literal setting of the file, not another.
        let exported =
            "the-key=//r.example/:_authToken\n${npm_config_the_key}=Kq7vRmZpLxWd2NsTb4Hc\n";
        assert!(errs(exported));
        assert!(!errs(
            &exported.replace("the-key=//r.example/:_authToken", "")
        ));
        // Not filled by npm run: judged by the key's residue, as before.
        for src in [
            "${KEY}=Kq7vRmZpLxWd2NsTb4Hc\n",
            "//r.example/:_a${T}=Kq7vRmZpLxWd2NsTb4Hc\n",
        ] {
            assert!(!errs(src), "{src:?}");
        }
    }

    /// A registry URL's password (or a username with no password) written
    /// as a reference the npm a script fills from committed files is sent
    /// as Basic auth: `url-credentials`, with no secret to show; one
    /// npm leaves to the environment, or in the host, is not (review 8,
    /// #6).
    #[test]
    fn a_url_password_filled_by_npm_run_is_an_error() {
        let rules = |src: &str| -> Vec<&'static str> {
            both(src);
            detect(".npmrc", src.as_bytes())
                .iter()
                .filter(|d| d.finding.severity == Severity::Error)
                .map(|d| d.finding.rule.id())
                .collect()
        };
        for src in [
            "@corp:registry=http://alice:${npm_package_config_pw}@r.example/\n",
            "registry=https://alice:${npm_package_version}@r.example/\n",
            "@corp:registry=https://${npm_package_config_token}@r.example/\n",
            "corp-pw=Kq7vRmZpLxWd2NsTb4Hc\n@corp:registry=http://alice:${npm_config_corp_pw}@r.example/\n",
            "@corp:registry=http://alice:x${NPM_X}${npm_package_config_pw}@r.example/\n",
        ] {
            assert_eq!(rules(src), ["url-credentials"], "{src:?}");
            let found = detect(".npmrc", src.as_bytes());
            assert!(found.iter().all(|d| d.secret.is_none()), "{src:?}");
        }
        for src in [
            "@corp:registry=http://alice:${NPM_PASSWORD}@r.example/\n",
            "@corp:registry=http://alice:${npm_config_corp_pw}@r.example/\n",
            "@corp:registry=https://${npm_package_config_user}:${NPM_PASSWORD}@r.example/\n",
            "@corp:registry=https://r.example/${npm_package_name}/\n",
            "@corp:registry=https://${npm_package_config_host}/\n",
            "@corp:registry[]=http://alice:${npm_package_config_pw}@r.example/\n",
        ] {
            assert!(rules(src).is_empty(), "{src:?}");
        }
    }

    #[test]
    fn only_the_allow_marker_hides_the_next_line() {
        let secret = "//h.example/:_authToken=hunter2secretvalue\n";
        assert!(both(&format!("; npmrc-guard: allow\n{secret}")).is_empty());
        assert!(both(&format!("#npmrc-guard:allow\n{secret}")).is_empty());
        for before in ["; a comment\n", "# npmrc-guard\n", "x=1\n", ""] {
            assert_eq!(
                both(&format!("{before}{secret}")),
                [("auth-token", true)],
                "{before:?}"
            );
        }
    }

    #[test]
    fn a_credential_after_a_section_header_is_not_fixed() {
        let secret = "//h.example/:_authToken=hunter2secretvalue\n";
        assert_eq!(both(secret), [("auth-token", true)]);
        assert_eq!(
            both(&format!("[section]\n{secret}")),
            [("auth-token", false)]
        );
        assert_eq!(
            both(&format!("[s]\nx=1\n{secret}")),
            [("auth-token", false)]
        );
    }

    #[test]
    fn a_line_that_starts_with_its_equals_sign_is_read() {
        assert!(both("=${X\n").is_empty());
        assert!(both("=x@y\n").is_empty());
    }

    #[test]
    fn a_byte_order_mark_shifts_no_column() {
        let line = "//h.example/:_authToken=hunter2secretvalue";
        let columns = |src: &str| -> Vec<(usize, usize)> {
            detect(".npmrc", src.as_bytes())
                .iter()
                .map(|d| (d.finding.line, d.finding.column))
                .collect()
        };
        assert_eq!(columns(&format!("{line}\n")), [(1, 25)]);
        assert_eq!(columns(&format!("\u{feff}{line}\n")), [(1, 25)]);
        assert_eq!(columns(&format!("\u{feff}x=1\n{line}\n")), [(2, 25)]);
    }

    #[test]
    fn a_key_holding_most_of_a_token_is_never_shown() {
        let host = "npm_abcdefghijklmnopqrstuvwxyz0123";
        let found = detect(
            ".npmrc",
            format!("//{host}.example/:_authToken=hunter2secretvalue\n").as_bytes(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].finding.key, None);
        let found = detect(".npmrc", b"//h.example/:_authToken=hunter2secretvalue\n");
        assert_eq!(
            found[0].finding.key.as_deref(),
            Some("//h.example/:_authToken")
        );
    }

    #[test]
    fn a_key_shows_no_userinfo_but_keeps_a_scope() {
        let keys = |src: &str| -> Vec<Option<String>> {
            detect(".npmrc", src.as_bytes())
                .into_iter()
                .map(|d| d.finding.key)
                .collect()
        };
        let value = "=hunter2secretvalue\n";
        for (key, shown) in [
            (
                "//alice:hunter2pw@h.example/:_authToken",
                "//…@h.example/:_authToken",
            ),
            // A password holding a `/`: its first half is no host.
            (
                "//alice:hunter2/secret@h.example/:_authToken",
                "//…@h.example/:_authToken",
            ),
            (
                "//h.example/@corp/:_authToken",
                "//h.example/@corp/:_authToken",
            ),
            (
                "//alice@h.example/@corp/:_authToken",
                "//…@h.example/@corp/:_authToken",
            ),
        ] {
            assert_eq!(
                keys(&format!("{key}{value}")),
                [Some(shown.to_string())],
                "{key}"
            );
        }
    }

    #[test]
    fn each_kind_of_entry_is_judged_without_the_others() {
        // A registry URL alone, a URL with credentials alone, a key alone.
        assert_eq!(
            ids("registry=https://$NPM_HOST/\n"),
            ["broken-interpolation"]
        );
        assert_eq!(
            ids("proxy=http://deploy:hunter2secret@proxy.example/\n"),
            ["url-credentials"]
        );
        assert_eq!(
            ids("key=-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----\n"),
            ["private-key"]
        );
        assert_eq!(
            ids("_authToken=hunter2secretvalue\n"),
            ["unscoped-credential", "auth-token"]
        );
    }

    #[test]
    fn a_key_npm_merges_into_a_list_is_not_fixed() {
        let key = "//h.example/:_authToken";
        assert_eq!(
            both(&format!("{key}=hunter2secretvalue\n")),
            [("auth-token", true)]
        );
        let found = detect(
            ".npmrc",
            format!("{key}=hunter2secretvalue\n{key}[]=other2secretvalue\n").as_bytes(),
        );
        assert_eq!(found.len(), 2);
        for d in &found {
            assert!(d.fix.is_none(), "{:?}", d.finding);
            let detail = d.finding.detail.as_deref().unwrap_or("");
            assert!(detail.contains("list"), "{detail}");
        }
        // Another key of the file is fixed as usual.
        let found = detect(
            ".npmrc",
            b"//a.example/:_authToken=hunter2secretvalue\n//b.example/:_authToken[]=x\n",
        );
        assert!(found[0].fix.is_some() && found[0].finding.detail.is_none());
    }

    #[test]
    fn an_empty_reference_is_no_plain_reference() {
        assert_eq!(
            ids("//h.example/:_authToken=${}\n"),
            ["broken-interpolation"]
        );
        assert!(ids("//h.example/:_authToken=${A}\n").is_empty());
    }

    #[test]
    fn a_reference_with_more_than_a_name_is_decoded() {
        for v in ["${A{B}", "${A${B}", "${A-B}x"] {
            let src = format!("//h.example/:_authToken={v}\n");
            assert!(!ids(&src).is_empty(), "{src:?}");
        }
    }

    #[test]
    fn a_credential_after_a_longer_line_is_read() {
        let long = "a".repeat(60);
        assert_eq!(
            both(&format!("{long}=1\n//h/:_authToken=hunter2secretvalue\n")),
            [("auth-token", true)]
        );
        assert_eq!(
            both(&format!("{long}=1\n  _auth=dXNlcjpzZWNyZXRwdw==\n")),
            [("unscoped-credential", false), ("basic-auth", true)]
        );
    }

    #[test]
    fn an_unscoped_key_is_pointed_at_where_it_starts() {
        let found = detect(".npmrc", b"x=1\n\t _authToken=hunter2secretvalue\n");
        let at: Vec<_> = found
            .iter()
            .map(|d| (d.finding.rule.id(), d.finding.line, d.finding.column))
            .collect();
        assert_eq!(at, [("unscoped-credential", 2, 3), ("auth-token", 2, 14)]);
    }

    #[test]
    fn an_unscoped_reference_is_warned_about_too() {
        assert_eq!(ids("_authToken=${NPM_TOKEN}\n"), ["unscoped-credential"]);
        assert!(ids("_authToken=\n").is_empty());
        assert!(ids("//h.example/:_authToken=${NPM_TOKEN}\n").is_empty());
    }

    #[test]
    fn a_reference_npm_expands_is_read_as_nothing_broken() {
        // `${A%B%?}` is expanded (to nothing when unset): no `%B%` in it.
        assert_eq!(broken_interpolation("https://h.example/${A%B%?}/"), None);
        assert!(broken_interpolation("https://h.example/%B%/").is_some());
    }

    #[test]
    fn a_broken_reference_is_warned_about_once_and_only_in_a_registry() {
        assert_eq!(
            ids("//h.example/:_authToken=$NPM_TOKEN\n"),
            ["broken-interpolation"]
        );
        assert_eq!(ids("registry=$NPM_REGISTRY\n"), ["broken-interpolation"]);
        assert!(ids("foo=$BAR\n").is_empty());
        assert!(ids("foo=${BAR\n").is_empty());
    }

    /// A fabricated npm token whose checksum holds.
    fn fake_token(seed: char) -> String {
        let random = format!("FAKE{}", seed.to_string().repeat(26));
        let crc = tokens::base62_crc(random.as_bytes());
        format!("npm_{random}{}", std::str::from_utf8(&crc).expect("base62"))
    }

    /// Each finding's rule, the bytes its fix replaces, and its detail.
    fn fixes(src: &str) -> Vec<(&'static str, Option<&str>, Option<String>)> {
        detect(".npmrc", src.as_bytes())
            .into_iter()
            .map(|d| {
                let span = d.fix.map(|f| &src[f.span]);
                (d.finding.rule.id(), span, d.finding.detail)
            })
            .collect()
    }

    #[test]
    fn tokens_in_a_credential_are_fixed_one_by_one_when_nothing_else_is_sent() {
        let (a, b) = (fake_token('a'), fake_token('b'));
        let key = "//h.example/:_authToken";
        assert_eq!(
            fixes(&format!("{key}={a}\n")),
            [("npm-token", Some(a.as_str()), None)]
        );
        // Beside a reference npm expands to nothing: just the token.
        assert_eq!(
            fixes(&format!("{key}=${{A?}}{a}\n")),
            [("npm-token", Some(a.as_str()), None)]
        );
        // Two tokens and a space: each token.
        assert_eq!(
            fixes(&format!("{key}={a} {b}\n")),
            [
                ("npm-token", Some(a.as_str()), None),
                ("npm-token", Some(b.as_str()), None)
            ]
        );
        // Text that is no stand-in beside the token: the whole value.
        let value = format!("hunter2secret-{a}");
        assert_eq!(
            fixes(&format!("{key}={value}\n")),
            [("npm-token", Some(value.as_str()), None)]
        );
        // Only the first of its tokens carries that fix.
        let value = format!("hunter2secret-{a}-{b}");
        assert_eq!(
            fixes(&format!("{key}={value}\n")),
            [
                ("npm-token", Some(value.as_str()), None),
                ("npm-token", None, None)
            ]
        );
        // A list is not expanded: no fix, and the reason.
        let list = format!("{key}[]={a}\n");
        let found = fixes(&list);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, None);
        let detail = found[0].2.as_deref().unwrap_or("");
        assert!(detail.contains("in a `key[]=` list"), "{detail}");
    }

    #[test]
    fn a_value_that_mixes_references_and_text_is_left_to_the_user() {
        let found = fixes("//h.example/:_authToken=hunter2${X}secret\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), ("auth-token", None));
        let detail = found[0].2.as_deref().unwrap_or("");
        assert!(detail.contains("mixes ${…} with literal text"), "{detail}");
        assert_eq!(
            fixes("//h.example/:_authToken=hunter2secret\n"),
            [("auth-token", Some("hunter2secret"), None)]
        );
    }

    #[test]
    fn an_escape_in_a_quoted_value_is_decoded() {
        // npm's ini reads this value as `https://u:hunter2secret@h.example/`.
        assert_eq!(
            ids("registry=\"https://u:hunter2secret\\u0040h.example/\"\n"),
            ["url-credentials"]
        );
        assert_eq!(
            ids("registry=\"https://u:hunter2secret@h.example/\"\n"),
            ["url-credentials"]
        );
        assert_eq!(
            ids("proxy=\"http://u:hunter2secret\\u0040h.example/\"\n"),
            ["url-credentials"]
        );
    }

    #[test]
    fn only_a_referenced_scheme_is_read_as_https() {
        // `new URL()` refuses a value with no scheme: npm sends nothing.
        assert!(ids("registry=://u:hunter2secret@h.example/\n").is_empty());
        // A literal scheme other than http(s) is not read as https, nor
        // one no value of the reference makes http(s).
        assert!(ids("registry=ftp://u:hunter2secret@h.example/\n").is_empty());
        assert!(ids("registry=x${S}://u:hunter2secret@h.example/\n").is_empty());
        // `http${X}s` is `https` when X is empty (the host a reference too,
        // so that the residue alone is no URL).
        assert_eq!(
            ids("registry=http${X}s://u:hunter2secret@${H}/\n"),
            ["url-credentials"]
        );
        assert_eq!(
            ids("registry=${S}://u:hunter2secret@h.example/\n"),
            ["url-credentials"]
        );
        // Nor in a list, where npm leaves `${S}` as written (npm 11.19.1,
        // S=http, `npm view` against a capture server:
        // `registry=${S}://u:hunter2secret@127.0.0.1:…/` sends an
        // `Authorization: Basic` header, the same line as `registry[]=`
        // sends no request, and `proxy[]=${S}://…` is an "invalid config"
        // with `${S}` in it).
        assert!(ids("registry[]=${S}://u:hunter2secret@h.example/\n").is_empty());
    }

    #[test]
    fn references_stand_for_a_host_only_where_npm_expands_them() {
        // In a list npm sends `${A B}` as written: `new URL()` refuses it
        // and npm sends nothing, but the userinfo is committed and a
        // lenient parser (bun's) reads it: reported all the same, failing
        // closed (review 7, #9).
        let list = ids("registry[]=https://u:hunter2secret@${A B}/\n");
        assert!(list.contains(&"url-credentials"), "{list:?}");
        let single = ids("registry=https://u:hunter2secret@${A_B}/\n");
        assert!(single.contains(&"url-credentials"), "{single:?}");
        // `${A B?}` is one npm expands (to nothing) outside a list; in a
        // list it stays, `new URL()` refuses the URL, and the userinfo is
        // reported failing closed, as for `${A B}` above.
        let list = ids("registry[]=https://u:hunter2secret@${A B?}/\n");
        assert!(list.contains(&"url-credentials"), "{list:?}");
        let single = ids("registry=https://u:hunter2secret@${A B?}/\n");
        assert!(single.contains(&"url-credentials"), "{single:?}");
    }

    /// Each finding's rule, the bytes its fix replaces, and the secret it
    /// stores.
    fn found(src: &str) -> Vec<(&'static str, Option<&str>, Option<String>)> {
        detect(".npmrc", src.as_bytes())
            .into_iter()
            .map(|d| {
                let span = d.fix.map(|f| &src[f.span]);
                let secret = d.secret.map(|s| s.expose().to_string());
                (d.finding.rule.id(), span, secret)
            })
            .collect()
    }

    fn url(secret: &str) -> (&'static str, Option<&str>, Option<String>) {
        ("url-credentials", Some(secret), Some(secret.to_string()))
    }

    #[test]
    fn a_url_password_is_fixed_at_its_own_bytes() {
        let src = "registry=https://u:hunter2secret@h.example/\n";
        assert_eq!(found(src), [url("hunter2secret")]);
        let d = detect(".npmrc", src.as_bytes());
        assert_eq!(
            (d[0].finding.column, d[0].finding.span.clone()),
            (20, 19..32)
        );
        // Its first copy in the value is the scheme's: the password is the
        // one between `:` and `@`.
        let src = "registry=https://u:https@h.example/\n";
        assert_eq!(found(src), [url("https")]);
        assert_eq!(detect(".npmrc", src.as_bytes())[0].finding.column, 20);
        // Beside a reference npm expands, and single-quoted (`ini` strips
        // the quotes and leaves the rest as written), the bytes are found
        // all the same.
        for src in [
            "registry=https://u:hunter2secret@${HOST}/\n",
            "registry='https://u:hunter2secret@h.example/'\n",
            "registry=\"https://u:hunter2secret@h.example/\"\n",
        ] {
            assert_eq!(found(src), [url("hunter2secret")], "{src:?}");
        }
    }

    #[test]
    fn a_url_username_alone_is_reported_and_never_fixed() {
        // The fix writes `${NPM_PASSWORD}`: a username is left to the user.
        for src in [
            "registry=https://hunter2secret@h.example/\n",
            "registry=https://hunter2secret@${HOST}/\n",
        ] {
            assert_eq!(
                found(src),
                [("url-credentials", None, Some("hunter2secret".to_string()))],
                "{src:?}"
            );
        }
        // A password alone, where a reference stands for the host.
        assert_eq!(
            found("registry=https://:hunter2secret@${HOST}/\n"),
            [url("hunter2secret")]
        );
        // In a list nothing is expanded: the URL is read as written, and
        // its userinfo is a username alone (`${A/B?}` ends the host).
        assert_eq!(
            found("registry[]=https://hunter2secret@${A/B?}:x@h.example/\n"),
            [("url-credentials", None, Some("hunter2secret".to_string()))]
        );
    }

    #[test]
    fn tokens_in_a_url_password_are_fixed_one_by_one_only_when_they_are_all_of_it() {
        let (a, b) = (fake_token('a'), fake_token('b'));
        fn npm<'s>(
            fix: Option<&'s str>,
            secret: &str,
        ) -> (&'static str, Option<&'s str>, Option<String>) {
            ("npm-token", fix, Some(secret.to_string()))
        }
        let src = format!("registry=https://u:{a}@h.example/\n");
        assert_eq!(found(&src), [npm(Some(&a), &a)]);
        // Text beside them: the first token's fix takes the whole password,
        // and stores it; the others have none.
        let password = format!("hunter2-{a}-{b}");
        let src = format!("registry=https://u:{password}@h.example/\n");
        assert_eq!(
            found(&src),
            [npm(Some(&password), &password), npm(None, &b)]
        );
        // A list is not expanded, and a username is not fixed.
        let src = format!("registry[]=https://u:{a}@h.example/\n");
        assert_eq!(found(&src), [npm(None, &a)]);
        let src = format!("registry=https://hunter2-{a}@h.example/\n");
        assert_eq!(found(&src), [npm(None, &a)]);
    }

    #[test]
    fn a_gemfury_path_token_is_reported_where_it_is_written() {
        let token = "Xq7Rk2Lm9Pz4Wn8Tv3Bd";
        let src = format!(
            "registry=https://npm.fury.io/{token}/acme/\n  //npm.fury.io/{token}/acme/:_authToken=${{FURY_TOKEN}}\n"
        );
        let found: Vec<_> = detect(".npmrc", src.as_bytes())
            .into_iter()
            .map(|d| {
                let f = d.finding;
                let secret = d.secret.map(|s| s.expose().to_string());
                (f.rule.id(), f.line, f.column, &src[f.span], secret)
            })
            .collect();
        let secret = Some(token.to_string());
        assert_eq!(
            found,
            [
                ("url-credentials", 1, 30, token, secret.clone()),
                ("url-credentials", 2, 17, token, secret)
            ]
        );
        // The account alone is no token.
        assert!(ids("registry=https://npm.fury.io/acme/\n").is_empty());
    }

    #[test]
    fn a_query_credential_is_found_where_the_file_holds_it() {
        // Each finding's rule, column, fixed bytes and secret: the value's
        // copy that is a pair's whole value after the query's `?`.
        for (src, secret) in [
            (
                "registry=https://h.example/?token=hunter2secret\n",
                "hunter2secret",
            ),
            (
                "registry=https://h.example/?hunter2secret&token=hunter2secret\n",
                "hunter2secret",
            ),
            (
                "registry=https://h.example/?a=hunter2secretX&token=hunter2secret\n",
                "hunter2secret",
            ),
            // Beside a reference npm expands, single-quoted, and where the
            // `?` is an escape (so the search starts at the value's first
            // byte, which is `https` too).
            (
                "registry=https://${HOST}/?token=hunter2secret\n",
                "hunter2secret",
            ),
            (
                "registry='https://h.example/?token=hunter2secret'\n",
                "hunter2secret",
            ),
            (
                "registry=\"https://h.example/\\u003ftoken=https\"\n",
                "https",
            ),
        ] {
            let at = src.rfind(secret).expect("secret");
            let found: Vec<_> = detect(".npmrc", src.as_bytes())
                .into_iter()
                .map(|d| {
                    let fixed = d.fix.map(|f| &src[f.span]);
                    let shown = d.secret.map(|s| s.expose().to_string());
                    (d.finding.rule.id(), d.finding.column, fixed, shown)
                })
                .collect();
            assert_eq!(
                found,
                [(
                    "url-credentials",
                    at + 1,
                    Some(secret),
                    Some(secret.to_string())
                )],
                "{src:?}"
            );
        }
        // A stand-in once percent-decoded, and a list's URL that has no
        // host until `${A B?}` is expanded, which npm does not do there.
        for src in [
            "registry=https://h.example/?token=YOUR%5FTOKEN\n",
            "registry[]=https://${A B?}/?token=hunter2secret\n",
        ] {
            assert!(ids(src).is_empty(), "{src:?}");
        }
    }

    #[test]
    fn a_query_token_keeps_its_rule_and_a_list_is_not_fixed() {
        let a = fake_token('a');
        let found = |src: &str| -> Vec<(&'static str, bool)> {
            detect(".npmrc", src.as_bytes())
                .iter()
                .map(|d| (d.finding.rule.id(), d.fix.is_some()))
                .collect()
        };
        // The whole value a token: its own rule; more than the token: the
        // URL's.
        let src = format!("registry=https://h.example/?token={a}\n");
        assert_eq!(found(&src), [("npm-token", true)]);
        let src = format!("registry=https://h.example/?token=x-{a}\n");
        assert_eq!(found(&src), [("url-credentials", true)]);
        // npm expands nothing in a list: no `${NAME}` fix there, so none
        // to take back and explain as a list's.
        let src = "registry[]=https://h.example/?token=hunter2secret\n";
        let d = detect(".npmrc", src.as_bytes());
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
        let detail = d[0].finding.detail.as_deref().unwrap_or("");
        assert!(detail.contains("query parameter `token`"), "{detail}");
    }

    #[test]
    fn could_spell_answers_as_a_pattern_would() {
        // Literal parts with anything between them (`^p1.*p2.*p3$`): part
        // `k` tried at every place from `at` on (the first at 0, the last
        // ending the word).
        fn place(parts: &[&str], word: &str, k: usize, at: usize) -> bool {
            let p = parts[k];
            (at..=word.len()).filter(|&q| k > 0 || q == at).any(|q| {
                word[q..].starts_with(p)
                    && if k + 1 == parts.len() {
                        q + p.len() == word.len()
                    } else {
                        place(parts, word, k + 1, q + p.len())
                    }
            })
        }
        let check = |parts: &[&str]| {
            let owned: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            for word in ["http", "https"] {
                let want = place(parts, word, 0, 0);
                assert_eq!(could_spell(&owned, word), want, "{parts:?} {word}");
            }
        };
        let pieces = [
            "", "h", "x", "t", "tt", "p", "s", "ps", "tps", "htt", "http", "https", "git+ssh",
        ];
        for a in pieces {
            for b in pieces {
                check(&[a, b]);
                for c in pieces {
                    check(&[a, b, c]);
                }
            }
        }
        let short = ["", "h", "t", "p", "s", "tt"];
        for a in short {
            for b in short {
                for c in short {
                    for d in short {
                        check(&[a, b, c, d]);
                    }
                }
            }
        }
        assert!(!could_spell(&[], "https"));
        let parts = |p: &[&str]| -> Vec<String> { p.iter().map(|p| p.to_string()).collect() };
        assert!(could_spell(&parts(&["h", ""]), "https"));
        assert!(could_spell(&parts(&["", "t", "s"]), "https"));
        assert!(!could_spell(&parts(&["", "git+ssh"]), "https"));
        assert!(!could_spell(&parts(&["https", "s"]), "https"));
    }

    #[test]
    fn count_gives_errors_then_warnings() {
        let found: Vec<Finding> = detect(
            ".npmrc",
            b"_authToken=${NPM_TOKEN}\nregistry=$NPM_REGISTRY\n//h/:_authToken=hunter2secretvalue\n",
        )
        .into_iter()
        .map(|d| d.finding)
        .collect();
        let severities: Vec<Severity> = found.iter().map(|f| f.severity).collect();
        assert_eq!(
            severities,
            [Severity::Warning, Severity::Warning, Severity::Error]
        );
        assert_eq!(count(&found), (1, 2));
        assert_eq!(count(&[]), (0, 0));
    }
}
