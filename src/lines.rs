//! The lines of a file (pure): where each starts, found once and only
//! when first asked, so the place of each of many findings is a binary
//! search. Counting from the file's start for each finding was quadratic
//! (a `.yarnrc.yml` of 20,000 tokens: 7 s of CPU for 400 KB).

use std::cell::OnceCell;

/// A file's lines, `\n` ending each (as [`crate::foreign::line_column`]
/// counts them).
#[derive(Debug)]
pub struct Lines<'a> {
    src: &'a [u8],
    starts: OnceCell<Vec<usize>>,
}

impl<'a> Lines<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        Lines {
            src,
            starts: OnceCell::new(),
        }
    }

    /// The file.
    pub fn src(&self) -> &'a [u8] {
        self.src
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.src).map(|i| i + 1))
                .collect()
        })
    }

    /// The 1-based line and byte column of `offset`, as
    /// [`crate::foreign::line_column`] gives them.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts();
        let line = starts.partition_point(|&s| s <= offset.min(self.src.len()));
        (line, offset - starts[line - 1] + 1)
    }

    /// The text of the 1-based line `n`, without its `\n`.
    pub fn line(&self, n: usize) -> Option<&'a [u8]> {
        let starts = self.starts();
        let start = *starts.get(n.checked_sub(1)?)?;
        let end = starts.get(n).map_or(self.src.len(), |&s| s - 1);
        Some(&self.src[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_counted_from_the_start() {
        for src in ["", "a", "\n", "ab\ncd\n\nef", "\n\nx\r\ny\n"] {
            let lines = Lines::new(src.as_bytes());
            for offset in 0..=src.len() + 2 {
                assert_eq!(
                    lines.line_column(offset),
                    crate::foreign::line_column(src.as_bytes(), offset),
                    "{src:?} {offset}"
                );
            }
            let split: Vec<&[u8]> = src.as_bytes().split(|&b| b == b'\n').collect();
            for n in 0..split.len() + 2 {
                let want = n.checked_sub(1).and_then(|i| split.get(i).copied());
                assert_eq!(lines.line(n), want, "{src:?} {n}");
            }
        }
    }
}
