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
    /// One byte (a search for one byte reads half the instructions of one
    /// for three).
    Byte(u8),
    /// Any of three bytes.
    Bytes([u8; 3]),
    /// A string.
    Text(&'t Finder<'static>),
    /// Offsets found by other means (sorted), such as where tokens start.
    At(&'t [usize]),
}

/// How far ahead of the walk the searches look at a time: all of them
/// read the same stretch of the input while it is in the cache, rather than
/// each reading a large file from memory once more.
const WINDOW: usize = 256 * 1024;

/// A trigger with the next place it occurs, found once and kept until the
/// walk passes it: each search covers the input once in all.
#[derive(Debug)]
struct Search<'t> {
    trigger: Trigger<'t>,
    next: Option<usize>,
    /// Searched without a hit up to here.
    searched_to: usize,
}

impl Search<'_> {
    /// The first place in `pos..limit` where the trigger occurs (with
    /// `keys_only`, not just after an `=`: [`Sift::keys_only`]).
    #[inline(always)]
    fn next_in(&mut self, src: &[u8], pos: usize, limit: usize, keys_only: bool) -> Option<usize> {
        if let Some(n) = self.next {
            if n >= pos {
                return (n < limit).then_some(n);
            }
            self.next = None;
        }
        let mut from = pos.max(self.searched_to);
        loop {
            if from >= limit {
                return None;
            }
            let hay = &src[from..limit];
            let (found, overlap) = match &self.trigger {
                Trigger::Byte(a) => (memchr::memchr(*a, hay), 0),
                Trigger::Bytes([a, b, c]) => (memchr::memchr3(*a, *b, *c, hay), 0),
                // A string that starts before `limit` may end after it.
                Trigger::Text(finder) => (finder.find(hay), finder.needle().len() - 1),
                Trigger::At(offsets) => {
                    let i = offsets.partition_point(|&o| o < from);
                    let next = offsets.get(i).copied().filter(|&o| o < limit);
                    (next.map(|o| o - from), 0)
                }
            };
            let Some(i) = found else {
                // Where the next search starts: not before a string that
                // could still start here, and never going back.
                let to = if limit == src.len() {
                    limit
                } else {
                    limit.saturating_sub(overlap)
                };
                self.searched_to = to.max(from);
                return None;
            };
            let at = from + i;
            self.searched_to = at + 1;
            // (Searched on from here, without a return to the walk.)
            if keys_only && at > 0 && src[at - 1] == b'=' {
                from = at + 1;
                continue;
            }
            self.next = Some(at);
            return self.next;
        }
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
    /// Where the searches stop for now.
    limit: usize,
    window: usize,
    searches: Vec<Search<'t>>,
    /// A line start and its number, to count line breaks from.
    counted: (usize, usize),
    /// Whether a trigger just after an `=` is passed over ([`Sift::keys_only`]).
    keys_only: bool,
}

impl<'a, 't> Sift<'a, 't> {
    pub fn new(src: &'a [u8], triggers: impl IntoIterator<Item = Trigger<'t>>) -> Self {
        Self::with_window(src, triggers, WINDOW)
    }

    /// [`Sift::new`] looking `window` bytes ahead at a time (tests use
    /// small ones).
    #[doc(hidden)]
    pub fn with_window(
        src: &'a [u8],
        triggers: impl IntoIterator<Item = Trigger<'t>>,
        window: usize,
    ) -> Self {
        let window = window.max(1);
        Sift {
            src,
            pos: 0,
            limit: window.min(src.len()),
            window,
            searches: triggers
                .into_iter()
                .map(|trigger| Search {
                    trigger,
                    next: None,
                    searched_to: 0,
                })
                .collect(),
            counted: (0, 1),
            keys_only: false,
        }
    }

    /// Pass over a trigger just after an `=`, for a caller that looks only
    /// at what a line holds before its first `=` (its raw key): a trigger
    /// there is past it (the value of `//host/:_authToken=${NAME}`), and
    /// the search goes on without a return to the walk (nor a search for
    /// the line's end). A line is still walked when another trigger on it
    /// is not just after an `=`.
    pub fn keys_only(mut self) -> Self {
        self.keys_only = true;
        self
    }

    /// The number of the line that starts at `start` (not before the last
    /// one asked about).
    pub fn number_at(&mut self, start: usize) -> usize {
        let (from, number) = self.counted;
        let bytes = &self.src[from..start];
        let mut breaks = count_byte(b'\n', bytes);
        // A `\r` is a break of its own unless `\n` follows it (`start` is a
        // line start, so a `\r` just before it has no `\n` after).
        if memchr::memchr(b'\r', bytes).is_some() {
            breaks += memchr::memchr_iter(b'\r', bytes)
                .filter(|&i| self.src.get(from + i + 1) != Some(&b'\n'))
                .count();
        }
        self.counted = (start, number + breaks);
        number + breaks
    }
}

impl Sift<'_, '_> {
    /// Where the next line that holds a trigger holds its first one (no
    /// trigger starts between that line's start and here). Then take the
    /// line with [`Sift::line_at`], or pass over it with
    /// [`Sift::pass_line`], before asking again.
    pub fn next_hit(&mut self) -> Option<usize> {
        let src = self.src;
        let pos = self.pos;
        if pos >= src.len() {
            return None;
        }
        let keys_only = self.keys_only;
        loop {
            self.limit = self.limit.max(pos.saturating_add(1)).min(src.len());
            let limit = self.limit;
            // (A plain loop: a closure here was not inlined once the
            // searches grew a variant, and cost a call per search per line.)
            let mut hit: Option<usize> = None;
            for s in &mut self.searches {
                if let Some(n) = s.next_in(src, pos, limit, keys_only) {
                    hit = Some(hit.map_or(n, |h| h.min(n)));
                }
            }
            match hit {
                Some(hit) => return Some(hit),
                None if limit >= src.len() => {
                    self.pos = src.len();
                    return None;
                }
                None => self.limit = limit.saturating_add(self.window),
            }
        }
    }

    /// The line holding `hit` (from [`Sift::next_hit`]), as its byte range
    /// without the line break; the walk goes on after it.
    pub fn line_at(&mut self, hit: usize) -> Range<usize> {
        // The line starts after the last break before `hit` (no trigger is
        // a line break, and the walk's position starts a line), and ends
        // at the first break after it, as `npmrc::lines` cuts lines.
        let pos = self.pos;
        let start =
            memchr::memrchr2(b'\n', b'\r', &self.src[pos..hit]).map_or(pos, |i| pos + i + 1);
        start..self.pass_line(hit)
    }

    /// Pass over the line holding `hit` without looking for its start;
    /// where it ends.
    pub fn pass_line(&mut self, hit: usize) -> usize {
        let src = self.src;
        let end = memchr::memchr2(b'\n', b'\r', &src[hit..]).map_or(src.len(), |i| hit + i);
        self.pos = match src.get(end) {
            None => src.len(),
            Some(b'\r') if src.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        end
    }
}

impl Iterator for Sift<'_, '_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let hit = self.next_hit()?;
        Some(self.line_at(hit))
    }
}

/// Whether a `[section]` line starts before each line asked about, found
/// by searching only as far as asked (the search moves with the walk).
#[derive(Debug, Default)]
pub struct Sections {
    searched_to: usize,
    first: Option<usize>,
}

impl Sections {
    /// Whether a section line starts at or before `start`, a line start
    /// (not before the last one asked about).
    pub fn before(&mut self, src: &[u8], start: usize) -> bool {
        if self.first.is_none() && self.searched_to <= start {
            let to = (start + 1).min(src.len());
            self.first = memchr::memchr_iter(b'[', &src[self.searched_to..to])
                .map(|i| self.searched_to + i)
                .filter(|&i| i == 0 || matches!(src[i - 1], b'\n' | b'\r'))
                .find(|&i| {
                    npmrc::lines_from(src, i, 0)
                        .next()
                        .is_some_and(|l| matches!(l.kind, LineKind::Section(_)))
                });
            self.searched_to = to;
        }
        self.first.is_some_and(|f| f <= start)
    }
}

/// How many times `needle` occurs in `hay`. Written so that the compiler
/// makes vector code of it: a one-byte sum over at most 255 bytes at a
/// time (it cannot overflow) is a reduction LLVM vectorizes, 16 or 32
/// bytes to an instruction. (`iter().filter().count()` counts in 64-bit
/// lanes, several times slower; 32 one-byte counters filled chunk by
/// chunk were vectorized across the chunks, a byte at a time, 2.8
/// instructions a byte. Counting lines is most of a sift's work.)
fn count_byte(needle: u8, hay: &[u8]) -> usize {
    hay.chunks(255)
        .map(|block| {
            usize::from(
                block
                    .iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == needle))),
            )
        })
        .sum()
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
            254,
            255,
            256,
            510,
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
            // Every byte a match: a block's count fills its counter.
            assert_eq!(count_byte(b'\n', &vec![b'\n'; len]), len);
        }
    }

    #[test]
    fn lines_with_a_trigger_numbered_as_lines_numbers_them() {
        let src = b"a\r\nb$\rc\n\n$d\re=$\n[s]\nx$\r\n";
        let want: Vec<Line<'_>> = npmrc::lines(src)
            .filter(|l| l.bytes().contains(&b'$'))
            .collect();
        for window in [1, 2, 3, 5, 64, WINDOW] {
            for trigger in [
                Trigger::Byte(b'$'),
                Trigger::Bytes([b'$', b'$', b'$']),
                Trigger::At(&[4, 9, 14, 21]),
            ] {
                let mut sift = Sift::with_window(src, [trigger], window);
                let mut got = Vec::new();
                while let Some(span) = sift.next() {
                    let n = sift.number_at(span.start);
                    got.push((n, line(src, n, span)));
                }
                assert_eq!(got.len(), want.len(), "window {window}");
                for ((n, got), want) in got.iter().zip(&want) {
                    assert_eq!(
                        (*n, &got.span, &got.kind),
                        (want.number, &want.span, &want.kind)
                    );
                }
            }
        }
    }

    #[test]
    fn keys_only_passes_over_triggers_just_after_an_equals_sign() {
        let src = b"k=${A}\nk${B}=1\nx=1=$\nk=a$b\n=$\r$=\n";
        for window in [1, 2, 3, 5, 64, WINDOW] {
            let spans: Vec<Range<usize>> =
                Sift::with_window(src, [Trigger::Bytes([b'$', b'$', b'$'])], window)
                    .keys_only()
                    .collect();
            assert_eq!(spans, [7..14, 21..26, 30..32], "window {window}");
            let all = Sift::with_window(src, [Trigger::Bytes([b'$', b'$', b'$'])], window).count();
            assert_eq!(all, 6, "window {window}");
        }
    }

    #[test]
    fn strings_across_the_edge_of_a_window_are_found() {
        static DOLLARS: std::sync::LazyLock<Finder<'static>> =
            std::sync::LazyLock::new(|| Finder::new(b"$$"));
        let src = b"a\nb$$c\nd\n$$\n";
        for window in [1, 2, 3, 4, 5, 64] {
            let spans: Vec<Range<usize>> =
                Sift::with_window(src, [Trigger::Text(&DOLLARS)], window).collect();
            assert_eq!(spans, [2..6, 9..11], "window {window}");
        }
    }

    #[test]
    fn sections_and_previous_lines() {
        let src = b"a\r\nb$\rc\n\n$d\re=$\n[s]\nx$\r\n";
        let mut sections = Sections::default();
        let mut seen = false;
        for l in npmrc::lines(src) {
            seen |= matches!(l.kind, LineKind::Section(_));
            assert_eq!(sections.before(src, l.span.start), seen, "{:?}", l.span);
        }
        assert!(!Sections::default().before(b"a[b]\n[c] x\n", 5));
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
