//! yarn 2+'s `.yarnrc.yml` (pure).
//!
//! yarn reads it with js-yaml's failsafe schema (every scalar a string;
//! aliases resolved; a later duplicate key wins) and evaluates each string
//! setting with [`crate::yarn_env`]. Credentials are sent from
//! `npmAuthToken` (`Bearer`) and `npmAuthIdent` (`Basic`) at the top level,
//! under `npmRegistries.<url>` and under `npmScopes.<scope>`; registry URLs
//! (`npmRegistryServer`, `npmPublishRegistry`, `npmAuditRegistry`, at the
//! top level and per scope, and the keys of `npmRegistries`) may carry
//! `user:password@`. Setting names are case-sensitive: yarn ignores
//! `NpmAuthToken` (checked with yarn 4.18.1), though the token is committed
//! all the same (a certain token is reported anywhere in the file).
//!
//! Every duplicate is judged, not only the one yarn keeps.

use std::collections::HashMap;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::detect::Detected;
use crate::fix::Edit;
use crate::foreign::{self, Cred, Item};

/// The file name yarn 2+ reads.
pub const NAME: &str = ".yarnrc.yml";

/// How notes name the file.
pub const TOOL: &str = "yarn's .yarnrc.yml";

/// A YAML node with where its scalars are. An alias shares the anchored
/// node (as js-yaml does), so a "billion laughs" file costs no memory.
#[derive(Clone, Debug)]
enum Node {
    Scalar {
        value: String,
        span: std::ops::Range<usize>,
        verbatim: Option<usize>,
    },
    Map(Vec<(Rc<Node>, Rc<Node>)>),
    Seq,
}

/// Findings in one `.yarnrc.yml`.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    let items = std::str::from_utf8(src)
        .ok()
        .and_then(parse)
        .map(|root| items(&root))
        .unwrap_or_default();
    foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "yarn expands `${NAME}`, `${NAME:-fallback}` and `${NAME-fallback}`",
    )
}

/// The first document of `text`, or `None` when it is not YAML yarn reads.
fn parse(text: &str) -> Option<Rc<Node>> {
    build(text).map(|(root, _)| root)
}

/// [`parse`], with the spans of the plain scalars inside a flow collection
/// (`{a: b}`, `[a]`), where `{`, `}`, `,`, `[` and `]` end the scalar.
fn build(text: &str) -> Option<(Rc<Node>, Vec<std::ops::Range<usize>>)> {
    let offsets = ByteOffsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        text,
        offsets,
        anchors: HashMap::new(),
        stack: Vec::new(),
        root: None,
        flow_plain: Vec::new(),
    };
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.ok()?;
        match ev {
            Event::DocumentEnd => break,
            Event::StreamEnd => break,
            _ => b.event(ev, span)?,
        }
        if b.root.is_some() {
            break;
        }
    }
    Some((b.root?, b.flow_plain))
}

/// Character indices (what the parser's markers count) to byte offsets.
struct ByteOffsets(Option<Vec<usize>>);

impl ByteOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return ByteOffsets(None);
        }
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        ByteOffsets(Some(v))
    }
    fn byte(&self, index: usize) -> usize {
        match &self.0 {
            None => index,
            Some(v) => v
                .get(index)
                .copied()
                .unwrap_or_else(|| *v.last().unwrap_or(&0)),
        }
    }
}

/// An open collection: its entries so far, its anchor, whether it is a
/// flow collection.
enum Open {
    Map(Vec<(Rc<Node>, Rc<Node>)>, Option<Rc<Node>>, usize, bool),
    Seq(usize, bool),
}

impl Open {
    fn flow(&self) -> bool {
        match self {
            Open::Map(.., flow) | Open::Seq(_, flow) => *flow,
        }
    }
}

struct Builder<'a> {
    text: &'a str,
    offsets: ByteOffsets,
    anchors: HashMap<usize, Rc<Node>>,
    stack: Vec<Open>,
    root: Option<Rc<Node>>,
    flow_plain: Vec<std::ops::Range<usize>>,
}

impl Builder<'_> {
    fn event(&mut self, ev: Event<'_>, span: Span) -> Option<()> {
        match ev {
            Event::MappingStart(anchor, _) => {
                let flow = self.flow_start(&span, '{');
                self.stack.push(Open::Map(Vec::new(), None, anchor, flow));
            }
            Event::SequenceStart(anchor, _) => {
                let flow = self.flow_start(&span, '[');
                self.stack.push(Open::Seq(anchor, flow));
            }
            Event::MappingEnd => match self.stack.pop()? {
                Open::Map(pairs, _, anchor, _) => self.done(Rc::new(Node::Map(pairs)), anchor)?,
                Open::Seq(..) => return None,
            },
            Event::SequenceEnd => match self.stack.pop()? {
                Open::Seq(anchor, _) => self.done(Rc::new(Node::Seq), anchor)?,
                Open::Map(..) => return None,
            },
            Event::Scalar(value, style, anchor, _) => {
                let start = self.offsets.byte(span.start.index());
                let mut end = self.offsets.byte(span.end.index()).max(start);
                if style == ScalarStyle::Plain {
                    // A plain scalar's span may run on over the line break
                    // and indentation after it.
                    let raw = self.text.get(start..end).unwrap_or("");
                    end = start + raw.trim_end_matches([' ', '\t', '\r', '\n']).len();
                }
                let verbatim = self.verbatim(&value, style, start, end);
                // Without the anchor or tag the span may begin with.
                let quote = usize::from(style != ScalarStyle::Plain);
                let start = verbatim.map_or(start, |at| at - quote);
                if style == ScalarStyle::Plain && self.stack.iter().any(Open::flow) {
                    self.flow_plain.push(start..end);
                }
                let node = Rc::new(Node::Scalar {
                    value: value.into_owned(),
                    span: start..end,
                    verbatim,
                });
                self.done(node, anchor)?;
            }
            Event::Alias(id) => {
                let node = Rc::clone(self.anchors.get(&id)?);
                self.done(node, 0)?;
            }
            _ => {}
        }
        Some(())
    }

    /// Whether the collection starting at `span` is a flow one (`{`, `[`).
    /// A block collection whose first key is itself a flow collection may
    /// count as one too: its plain scalars are then quoted by a fix, which
    /// is never wrong.
    fn flow_start(&self, span: &Span, open: char) -> bool {
        let at = self.offsets.byte(span.start.index());
        self.text.get(at..).is_some_and(|t| t.starts_with(open))
    }

    /// Where `value`'s bytes start when the file holds them as they are
    /// (the span may begin with an anchor or a tag).
    fn verbatim(&self, value: &str, style: ScalarStyle, start: usize, end: usize) -> Option<usize> {
        let raw = self.text.get(start..end)?;
        let body = match style {
            ScalarStyle::Plain => raw,
            ScalarStyle::SingleQuoted => raw.strip_suffix('\'')?,
            ScalarStyle::DoubleQuoted => raw.strip_suffix('"')?,
            _ => return None,
        };
        let at = body.len().checked_sub(value.len())?;
        let quoted = style != ScalarStyle::Plain;
        let opened = !quoted || body[..at].ends_with(['\'', '"']);
        (body.get(at..) == Some(value) && opened).then_some(start + at)
    }

    /// A node is complete: it goes into its parent, or is the document.
    fn done(&mut self, node: Rc<Node>, anchor: usize) -> Option<()> {
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::clone(&node));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(..)) => {}
            Some(Open::Map(pairs, key, ..)) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
        Some(())
    }
}

/// `edits` (a fix of `src`), each one that rewrites part of a plain
/// scalar inside a flow collection made into a rewrite of the whole
/// scalar, single-quoted: there, the `{` and `}` of `${NAME}` would end the
/// scalar. Elsewhere a plain `${NAME}` is the same plain scalar.
pub fn quote_edits(src: &[u8], edits: Vec<Edit>) -> Vec<Edit> {
    let Some((_, flow_plain)) = std::str::from_utf8(src).ok().and_then(build) else {
        return edits;
    };
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    let mut inside: Vec<(std::ops::Range<usize>, Vec<Edit>)> = Vec::new();
    for e in edits {
        match flow_plain
            .iter()
            .find(|s| s.start <= e.span.start && e.span.end <= s.end)
        {
            Some(s) => match inside.iter_mut().find(|(r, _)| r == s) {
                Some((_, v)) => v.push(e),
                None => inside.push((s.clone(), vec![e])),
            },
            None => out.push(e),
        }
    }
    for (scalar, mut parts) in inside {
        parts.sort_by_key(|e| e.span.start);
        let shifted: Vec<Edit> = parts
            .iter()
            .map(|e| Edit {
                span: e.span.start - scalar.start..e.span.end - scalar.start,
                text: e.text.clone(),
            })
            .collect();
        let value = crate::fix::apply(&src[scalar.clone()], &shifted);
        let value = String::from_utf8_lossy(&value).replace('\'', "''");
        out.push(Edit {
            span: scalar,
            text: format!("'{value}'"),
        });
    }
    out.sort_by_key(|e| e.span.start);
    out
}

/// The settings a fix must leave in place: the keys of the credential
/// values of `src`, or `None` when it is not YAML yarn reads.
pub fn keys(src: &[u8]) -> Option<Vec<String>> {
    let root = parse(std::str::from_utf8(src).ok()?)?;
    Some(items(&root).into_iter().map(|i| i.key).collect())
}

/// The entries of a mapping whose key is a string.
fn entries(node: &Node) -> impl Iterator<Item = (&str, &Node, &Node)> {
    let pairs: &[(Rc<Node>, Rc<Node>)] = match node {
        Node::Map(p) => p,
        _ => &[],
    };
    pairs.iter().filter_map(|(k, v)| match &**k {
        Node::Scalar { value, .. } => Some((value.as_str(), &**k, &**v)),
        _ => None,
    })
}

/// The credential settings of one level (top level, a registry, a scope).
fn settings(node: &Node, prefix: &str, urls: bool, out: &mut Vec<Item>) {
    for (name, _, value) in entries(node) {
        let cred = match name {
            "npmAuthToken" => Cred::Token,
            "npmAuthIdent" => Cred::Ident,
            "npmRegistryServer" | "npmPublishRegistry" | "npmAuditRegistry" if urls => Cred::Url,
            _ => continue,
        };
        if let Some(item) = item(value, format!("{prefix}{name}"), cred, true) {
            out.push(item);
        }
    }
}

fn item(node: &Node, key: String, cred: Cred, evaluated: bool) -> Option<Item> {
    let Node::Scalar {
        value,
        span,
        verbatim,
    } = node
    else {
        return None;
    };
    let residues = if evaluated {
        crate::yarn_env::residue(value).map(|r| vec![r.set, r.unset])
    } else {
        Ok(vec![value.clone()])
    };
    Some(Item {
        key,
        cred,
        span: span.clone(),
        verbatim: *verbatim,
        residues,
        value: value.clone(),
    })
}

/// Every credential value of the document.
fn items(root: &Node) -> Vec<Item> {
    let mut out = Vec::new();
    settings(root, "", true, &mut out);
    for (name, _, value) in entries(root) {
        match name {
            "npmRegistries" => {
                for (url, key, registry) in entries(value) {
                    // The key is matched against registry URLs, not sent,
                    // and not evaluated; what it holds is committed.
                    let url = foreign::shown_name(url);
                    if let Some(i) = item(key, format!("npmRegistries[{url:?}]"), Cred::Url, false)
                    {
                        out.push(i);
                    }
                    settings(
                        registry,
                        &format!("npmRegistries[{url:?}]."),
                        false,
                        &mut out,
                    );
                }
            }
            "npmScopes" => {
                for (scope, _, config) in entries(value) {
                    let scope = foreign::shown_name(scope);
                    settings(config, &format!("npmScopes.{scope}."), true, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Vec<String> {
        items(&parse(src).expect("yaml"))
            .into_iter()
            .map(|i| i.key)
            .collect()
    }

    #[test]
    fn the_settings_yarn_sends() {
        let src = "npmAuthToken: a\nnpmScopes:\n  corp:\n    npmAuthIdent: 'u:p'\n    other: x\n\
                   npmRegistries:\n  \"https://r.example/\":\n    npmAuthToken: b\n";
        assert_eq!(
            keys(src),
            [
                "npmAuthToken",
                "npmScopes.corp.npmAuthIdent",
                "npmRegistries[\"https://r.example/\"]",
                "npmRegistries[\"https://r.example/\"].npmAuthToken",
            ]
        );
    }

    #[test]
    fn spans_point_at_the_value() {
        let src = "x: 1\nnpmAuthToken: \"abc\"\n";
        let it = &items(&parse(src).expect("yaml"))[0];
        assert_eq!(&src[it.span.clone()], "\"abc\"");
        assert_eq!(it.verbatim, Some(src.find("abc").expect("there")));
        let src = "a: &t abc\nnpmAuthToken: *t\n";
        let it = &items(&parse(src).expect("yaml"))[0];
        assert_eq!(it.value, "abc");
        assert_eq!(&src[it.span.clone()], "abc");
    }

    #[test]
    fn not_yaml_no_items() {
        assert!(parse("a: [\n").is_none());
    }

    #[test]
    fn aliases_are_shared_not_copied() {
        // Ten levels of ten aliases: 10^10 nodes if copied.
        let mut src = String::from("a0: &a0 {k: x}\n");
        for i in 1..10 {
            let refs: Vec<String> = (0..10).map(|j| format!("k{j}: *a{}", i - 1)).collect();
            src.push_str(&format!("a{i}: &a{i} {{{}}}\n", refs.join(", ")));
        }
        src.push_str("npmAuthToken: hunter2secret\n");
        assert_eq!(keys(&src), ["npmAuthToken"]);
    }
}
