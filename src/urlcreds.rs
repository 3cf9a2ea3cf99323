//! Credentials inside a URL, read by the WHATWG URL standard as Node's
//! `new URL()` reads it (pure). The `url` crate implements that standard:
//! tabs and newlines inside are dropped, `\` counts as `/` in special
//! schemes, `https:user:pw@host` needs no slashes, and the username ends at
//! the last `@`.

use url::Url;

/// The userinfo of a URL, as the standard serialises it (percent-encoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub password: String,
}

/// `new URL(s)`: the parsed URL's `href`, `username` and `password`, or
/// `None` when Node would throw.
pub fn parse(s: &str) -> Option<(String, UserInfo)> {
    let url = Url::parse(s).ok()?;
    let info = UserInfo {
        username: url.username().to_string(),
        password: url.password().unwrap_or("").to_string(),
    };
    Some((url.into(), info))
}

/// The credentials npm would send from a registry-like URL (`http:` or
/// `https:`), percent-decoded; `None` without any.
pub fn credentials(s: &str) -> Option<UserInfo> {
    memchr::memchr(b'@', s.as_bytes())?;
    let url = Url::parse(s.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let decode = |p: &str| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    };
    let info = UserInfo {
        username: decode(url.username()),
        password: decode(url.password().unwrap_or("")),
    };
    (!info.username.is_empty() || !info.password.is_empty()).then_some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(s: &str) -> Option<(String, String)> {
        credentials(s).map(|i| (i.username, i.password))
    }

    #[test]
    fn whatwg_shapes() {
        let up = |u: &str, p: &str| Some((u.to_string(), p.to_string()));
        assert_eq!(creds("https://alice:pw@host/"), up("alice", "pw"));
        assert_eq!(creds("https:alice:pw@host"), up("alice", "pw"));
        assert_eq!(creds("https://alice@corp:pw@host/"), up("alice@corp", "pw"));
        assert_eq!(creds("https://TOKEN123@host/"), up("TOKEN123", ""));
        assert_eq!(creds("https://a:p%40ss@host/"), up("a", "p@ss"));
        assert_eq!(creds("https://a:p\tw@host/"), up("a", "pw"));
        assert_eq!(
            creds("https://a:Pa$sw0rd2024@host/"),
            up("a", "Pa$sw0rd2024")
        );
        assert_eq!(creds("https://host/a@b"), None);
        assert_eq!(creds("https:\\\\a:b@host"), up("a", "b"));
        assert_eq!(creds("alice@example.com"), None);
    }

    #[test]
    fn parse_gives_href_and_userinfo_as_serialised() {
        let (href, info) = parse("HTTPS://a:p%40ss@Host:443/x").expect("a URL");
        assert_eq!(href, "https://a:p%40ss@host/x");
        assert_eq!(info.username, "a");
        assert_eq!(info.password, "p%40ss");
        assert_eq!(parse("no scheme"), None);
        assert_eq!(
            creds("https://:pw@host/"),
            Some((String::new(), "pw".into()))
        );
    }
}
