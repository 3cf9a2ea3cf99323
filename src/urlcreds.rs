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
///
/// A URL the standard refuses but whose userinfo is plain
/// (`http://u:pw@host:x/`, an invalid port) is read by [`lenient`]: bun
/// parses it, falls back to the scheme's default port and sends the
/// userinfo (review 7, #9); it is committed either way.
pub fn credentials(s: &str) -> Option<UserInfo> {
    memchr::memchr(b'@', s.as_bytes())?;
    let (username, password) = match Url::parse(s.trim()) {
        Ok(url) => {
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            (
                url.username().to_string(),
                url.password().unwrap_or("").to_string(),
            )
        }
        Err(_) => lenient(s)?,
    };
    let decode = |p: &str| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    };
    let info = UserInfo {
        username: decode(&username),
        password: decode(&password),
    };
    (!info.username.is_empty() || !info.password.is_empty()).then_some(info)
}

/// The userinfo (username, password; as written) of an `http:`/`https:`
/// URL the standard refuses: after the scheme's `:` and any `/` or `\`,
/// up to the last `@` before the authority ends (at `/`, `\`, `?` or `#`),
/// the username ending at its first `:`. Tabs and line breaks are dropped
/// first, as the standard drops them.
fn lenient(s: &str) -> Option<(String, String)> {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, rest) = s.split_once(':')?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let rest = rest.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let (userinfo, _) = rest[..end].rsplit_once('@')?;
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    Some((user.to_string(), password.to_string()))
}

/// Query parameter names (lower-cased, `-` and `_` taken out) whose value
/// is a credential the server reads from the URL. Each is a name services
/// document for one: GitLab's `private_token`, `job_token`,
/// `deploy_token`; OAuth's `access_token`; AWS's `X-Amz-Security-Token`
/// (all end in `token`); Azure SAS's `sig`, AWS's `X-Amz-Signature`
/// (and the older `Signature`), Google's `X-Goog-Signature` (end in
/// `signature`: a signed URL's signature is its credential); Google's
/// `key` and the `api_key`/`apikey`/`subscription-key` of API gateways;
/// `auth`, `authorization`, `secret`/`client_secret`, `password`,
/// `passwd`, `pwd`. Left out: names that identify without granting
/// (`X-Amz-Credential`, `AWSAccessKeyId`, `client_id`, `user`).
const QUERY_NAMES: &[&str] = &["key", "auth", "authorization", "sig", "pwd"];

/// Endings of [`QUERY_NAMES`]: `access_token`, `PRIVATE-TOKEN`,
/// `client_secret`, `X-Goog-Signature`, `api_key`.
const QUERY_ENDINGS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "subscriptionkey",
];

/// Whether a query parameter named `name` (percent- and `+`-decoded)
/// carries a credential: [`QUERY_NAMES`] or one of [`QUERY_ENDINGS`],
/// in any case, with `-` and `_` folded away.
pub fn is_credential_name(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    QUERY_NAMES.contains(&folded.as_str()) || QUERY_ENDINGS.iter().any(|e| folded.ends_with(e))
}

/// One query parameter of a URL whose name reads as a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryCred {
    /// The name as a server reads it (percent- and `+`-decoded).
    pub name: String,
    /// The value as it is sent: the bytes of the URL's query, as the
    /// WHATWG parser serialises it (so as written, unless the parser
    /// encoded a byte such as a space).
    pub value: String,
}

/// The query parameters of the `http:`/`https:` URL `s` (read as
/// `new URL()` reads it) whose name is a credential's
/// ([`is_credential_name`]); `None` when `s` is no such URL. Pairs are
/// split at `&`, name from value at the first `=`, as `URLSearchParams`
/// and servers do; the fragment is never sent and not read.
pub fn query_credentials(s: &str) -> Option<Vec<QueryCred>> {
    memchr::memchr(b'?', s.as_bytes())?;
    let url = Url::parse(s.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let query = url.query()?;
    let found = query
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name: String = url::form_urlencoded::parse(name.as_bytes())
                .map(|(k, v)| format!("{k}{v}"))
                .collect();
            is_credential_name(&name).then(|| QueryCred {
                name,
                value: value.to_string(),
            })
        })
        .collect();
    Some(found)
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
        // Refused by the standard, read by bun (review 7, #9): the userinfo
        // up to the authority's end all the same.
        for bad_port in ["x", "99999", "8080:8080", "8080x", "8080%2F"] {
            assert_eq!(
                creds(&format!("http://alice:pw@127.0.0.1:{bad_port}/p.tgz")),
                up("alice", "pw"),
                "{bad_port}"
            );
        }
        assert_eq!(creds("HTTPS://a:p%40ss@h:x/"), up("a", "p@ss"));
        assert_eq!(creds("http://h:x/a@b"), None);
        assert_eq!(creds("ftp://a:b@h:x/"), None);
    }

    #[test]
    fn query_credentials_by_name() {
        let q = |s: &str| {
            query_credentials(s)
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.name, c.value))
                .collect::<Vec<_>>()
        };
        let nv = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            q("http://h/p/x.tgz?private_token=abc-123"),
            [nv("private_token", "abc-123")]
        );
        assert_eq!(
            q("https://h/x?a=1&Access-Token=t1&sig=s%2Bg%3D#token=frag"),
            [nv("Access-Token", "t1"), nv("sig", "s%2Bg%3D")]
        );
        // The name decoded as servers decode it; the value as sent.
        assert_eq!(
            q("https://h/?private%5Ftoken=v+w"),
            [nv("private_token", "v+w")]
        );
        assert_eq!(
            q("https://h/?X-Amz-Credential=AKIA&X-Amz-Signature=ab&X-Amz-Security-Token=cd"),
            [
                nv("X-Amz-Signature", "ab"),
                nv("X-Amz-Security-Token", "cd")
            ]
        );
        for name in [
            "key",
            "API_KEY",
            "apikey",
            "Subscription-Key",
            "auth",
            "client_secret",
            "password",
            "pwd",
            "X-Goog-Signature",
            "job_token",
            "token",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "v",
            "id",
            "client_id",
            "X-Amz-Credential",
            "AWSAccessKeyId",
            "user",
            "keys",
            "sort",
            "monkey",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
        assert_eq!(q("https://h/x?token"), []);
        assert_eq!(query_credentials("ftp://h/?token=x"), None);
        assert_eq!(query_credentials("https://h/x"), None);
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
