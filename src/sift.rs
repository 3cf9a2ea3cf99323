//! The lines of an input worth a closer look (pure).
//!
//! Decoding a line costs far more than searching bytes, and most lines of a
//! large file hold nothing a detector looks for. [`Sift`] walks only the
//! lines that hold a trigger (a byte or a string every line the caller acts
//! on must contain, found by `memchr`'s vector search over the whole input
//! rather than line by line), numbered as [`npmrc::lines`] numbers them.
//! Each caller keeps a walk over every line beside it, and
//! `tests/sift.rs` checks that both give the same answers.

use std::ops::Range;

use memchr::memmem::Finder;

use crate::npmrc::{self, Line, LineKind};

/// What makes a line worth a look.
#[derive(Debug)]
pub enum Trigger<'t> {
    /// Any of three bytes.
    Bytes([u8; 3]),
    /// A string.
    Text(&'t Finder<'static>),
    /// Offsets found by other means (sorted), such as where tokens start.
    At(&'t [usize]),
}

/// A trigger with the next place it occurs, found once and kept until the
/// walk passes it: each search covers the input once in all.
#[derive(Debug)]
struct Search<'t> {
    trigger: Trigger<'t>,
    next: Option<usize>,
    searched_to: usize,
}

impl Search<'_> {
    /// The first place at or after `pos` where the trigger occurs.
    fn next_at(&mut self, src: &[u8], pos: usize) -> Option<usize> {
        if self.next.is_some_and(|n| n >= pos) || self.searched_to > src.len() {
            return self.next;
        }
        let from = pos.max(self.searched_to);
        let hay = &src[from..];
        self.next = match &self.trigger {
            Trigger::Bytes([a, b, c]) => memchr::memchr3(*a, *b, *c, hay).map(|i| from + i),
            Trigger::Text(finder) => finder.find(hay).map(|i| from + i),
            Trigger::At(offsets) => {
                let i = offsets.partition_point(|&o| o < from);
                offsets.get(i).copied()
            }
        };
        // Nothing more to find: remember it, so the end is not searched
        // again for every later line.
        self.searched_to = self.next.map_or(src.len() + 1, |n| n + 1);
        self.next
    }
}

/// The lines of an input that hold a trigger, in order, each as its byte
/// range (without the line break). Classifying a line and numbering it are
/// left to the caller ([`line`], [`Sift::number_at`]), who can often tell
/// from the raw bytes that it need not.
#[derive(Debug)]
pub struct Sift<'a, 't> {
    src: &'a [u8],
    /// Where the next line to consider starts.
    pos: usize,
    searches: Vec<Search<'t>>,
    /// A line start and its number, to count line breaks from.
    counted: (usize, usize),
    /// Whether the input has a `\r`: without one, counting lines is
    /// counting `\n` bytes.
    has_cr: bool,
}

impl<'a, 't> Sift<'a, 't> {
    pub fn new(src: &'a [u8], triggers: impl IntoIterator<Item = Trigger<'t>>) -> Self {
        Sift {
            src,
            pos: 0,
            searches: triggers
                .into_iter()
                .map(|trigger| Search {
                    trigger,
                    next: None,
                    searched_to: 0,
                })
                .collect(),
            counted: (0, 1),
            has_cr: memchr::memchr(b'\r', src).is_some(),
        }
    }

    /// The number of the line that starts at `start` (not before the last
    /// one asked about).
    pub fn number_at(&mut self, start: usize) -> usize {
        let (from, number) = self.counted;
        let bytes = &self.src[from..start];
        let mut breaks = count_byte(b'\n', bytes);
        if self.has_cr {
            // A `\r` is a break of its own unless `\n` follows it (`start`
            // is a line start, so a `\r` just before it has no `\n` after).
            breaks += memchr::memchr_iter(b'\r', bytes)
                .filter(|&i| self.src.get(from + i + 1) != Some(&b'\n'))
                .count();
        }
        self.counted = (start, number + breaks);
        number + breaks
    }
}

impl Iterator for Sift<'_, '_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let src = self.src;
        if self.pos >= src.len() {
            return None;
        }
        let pos = self.pos;
        let hit = self
            .searches
            .iter_mut()
            .filter_map(|s| s.next_at(src, pos))
            .min()?;
        // The line holding `hit` starts after the last break before it (no
        // trigger is a line break, and `pos` starts a line), and ends at
        // the first break after it, as `npmrc::lines` cuts lines.
        let start = memchr::memrchr2(b'\n', b'\r', &src[pos..hit]).map_or(pos, |i| pos + i + 1);
        let end = memchr::memchr2(b'\n', b'\r', &src[hit..]).map_or(src.len(), |i| hit + i);
        self.pos = match src.get(end) {
            None => src.len(),
            Some(b'\r') if src.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        Some(start..end)
    }
}

/// The line numbered `number` that spans `span`, as [`npmrc::lines`]
/// classifies it.
pub fn line(src: &[u8], number: usize, span: Range<usize>) -> Line<'_> {
    npmrc::lines_from(src, span.start, number)
        .next()
        .expect("a line starts there")
}

/// The bytes of the line just before the one starting at `start`.
pub fn previous_line(src: &[u8], start: usize) -> Option<Range<usize>> {
    let mut end = start.checked_sub(1)?;
    if src[end] == b'\n' && end > 0 && src[end - 1] == b'\r' {
        end -= 1;
    }
    let from = memchr::memrchr2(b'\n', b'\r', &src[..end]).map_or(0, |i| i + 1);
    Some(from..end)
}

/// How many times `needle` occurs in `hay`. Written so that the compiler
/// makes vector code of it: 32 one-byte counters at a time, added up before
/// they can overflow (`iter().filter().count()` counts in 64-bit lanes,
/// several times slower, and counting lines is most of a sift's work).
fn count_byte(needle: u8, hay: &[u8]) -> usize {
    let mut total = 0;
    for block in hay.chunks(255 * 32) {
        let mut lanes = [0u8; 32];
        let mut chunks = block.chunks_exact(32);
        for chunk in &mut chunks {
            for i in 0..32 {
                lanes[i] += u8::from(chunk[i] == needle);
            }
        }
        total += lanes.iter().map(|&n| usize::from(n)).sum::<usize>();
        total += chunks.remainder().iter().filter(|&&b| b == needle).count();
    }
    total
}

/// Where the first `[section]` line starts, if there is one.
pub fn first_section(src: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'[', src)
        .filter(|&i| i == 0 || matches!(src[i - 1], b'\n' | b'\r'))
        .find(|&i| {
            npmrc::lines_from(src, i, 0)
                .next()
                .is_some_and(|l| matches!(l.kind, LineKind::Section(_)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_bytes() {
        for len in [
            0usize,
            1,
            31,
            32,
            33,
            255 * 32 - 1,
            255 * 32,
            255 * 32 + 1,
            20_000,
        ] {
            let hay: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'\n' } else { b'a' })
                .collect();
            assert_eq!(
                count_byte(b'\n', &hay),
                hay.iter().filter(|&&b| b == b'\n').count()
            );
            assert_eq!(count_byte(b'a', &hay), len - len.div_ceil(3usize));
        }
    }

    #[test]
    fn lines_with_a_trigger_numbered_as_lines_numbers_them() {
        let src = b"a\r\nb$\rc\n\n$d\re=$\n[s]\nx$\r\n";
        let mut sift = Sift::new(src, [Trigger::Bytes([b'$', b'$', b'$'])]);
        let mut got = Vec::new();
        while let Some(span) = sift.next() {
            let n = sift.number_at(span.start);
            got.push((n, line(src, n, span)));
        }
        let want: Vec<Line<'_>> = npmrc::lines(src)
            .filter(|l| l.bytes().contains(&b'$'))
            .collect();
        assert_eq!(got.len(), want.len());
        for ((n, got), want) in got.iter().zip(&want) {
            assert_eq!(
                (*n, &got.span, &got.kind),
                (want.number, &want.span, &want.kind)
            );
        }
        let section = npmrc::lines(src).find(|l| matches!(l.kind, LineKind::Section(_)));
        assert_eq!(first_section(src), section.map(|l| l.span.start));
        assert!(first_section(b"a[b]\n[c] x").is_none());
        let all: Vec<Line<'_>> = npmrc::lines(src).collect();
        for pair in all.windows(2) {
            assert_eq!(
                previous_line(src, pair[1].span.start),
                Some(pair[0].span.clone())
            );
        }
        assert_eq!(previous_line(src, 0), None);
    }
}
