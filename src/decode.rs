//! Text encodings a committed `.npmrc` may have besides UTF-8 (pure).
//!
//! npm reads `.npmrc` as UTF-8 only, so a UTF-16 file configures nothing;
//! but the token in it is committed all the same. A UTF-16 file with a
//! byte-order mark (what Windows editors and PowerShell's `>` write) is
//! decoded to UTF-8 and scanned like any other.

/// Which UTF-16 a byte-order mark announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    /// How reports name it.
    pub fn name(self) -> &'static str {
        match self {
            Utf16::Le => "UTF-16LE",
            Utf16::Be => "UTF-16BE",
        }
    }
}

/// When `bytes` start with a UTF-16 byte-order mark: the encoding, and the
/// text after the mark as UTF-8. Unpaired surrogates and an odd last byte
/// become U+FFFD, so every input decodes. Linear in the input.
pub fn utf16(bytes: &[u8]) -> Option<(Utf16, Vec<u8>)> {
    let kind = match bytes {
        [0xFF, 0xFE, ..] => Utf16::Le,
        [0xFE, 0xFF, ..] => Utf16::Be,
        _ => return None,
    };
    let body = &bytes[2..];
    let units = body.chunks_exact(2).map(|c| match kind {
        Utf16::Le => u16::from_le_bytes([c[0], c[1]]),
        Utf16::Be => u16::from_be_bytes([c[0], c[1]]),
    });
    let mut out = String::with_capacity(body.len() / 2 + 4);
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    if body.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    Some((kind, out.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, kind: Utf16) -> Vec<u8> {
        let mut out = match kind {
            Utf16::Le => vec![0xFF, 0xFE],
            Utf16::Be => vec![0xFE, 0xFF],
        };
        for u in text.encode_utf16() {
            out.extend(match kind {
                Utf16::Le => u.to_le_bytes(),
                Utf16::Be => u.to_be_bytes(),
            });
        }
        out
    }

    #[test]
    fn both_byte_orders_decode() {
        let text = "registry=https://r.example/\r\n//r.example/:_authToken=abc é 😀\n";
        for kind in [Utf16::Le, Utf16::Be] {
            let (k, utf8) = utf16(&encode(text, kind)).expect("a BOM");
            assert_eq!(k, kind);
            assert_eq!(utf8, text.as_bytes());
        }
    }

    #[test]
    fn only_with_a_bom() {
        assert_eq!(utf16(b"registry=x\n"), None);
        assert_eq!(utf16(b"\xEF\xBB\xBFa=b"), None);
        assert_eq!(utf16(b""), None);
    }

    #[test]
    fn broken_input_still_decodes() {
        // A lone high surrogate, then an odd last byte.
        let (_, utf8) = utf16(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0, b'b']).expect("a BOM");
        assert_eq!(String::from_utf8(utf8).expect("UTF-8"), "\u{FFFD}a\u{FFFD}");
    }

    #[test]
    fn encodings_are_named() {
        assert_eq!(Utf16::Le.name(), "UTF-16LE");
        assert_eq!(Utf16::Be.name(), "UTF-16BE");
    }
}
