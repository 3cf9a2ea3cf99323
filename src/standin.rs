//! Stand-ins: text written where a secret goes, not a secret (pure).
//!
//! A stand-in is made only of words from [`VOCABULARY`] (any case, written
//! together or apart) and the separators in [`SEPARATORS`], possibly behind
//! a known token prefix (`ghp_your_token_here`), or of runs of one filler
//! character (`xxxxxxxx`, `********`). Everything else is a secret: a
//! password of ordinary words (`Summer2024!`, `correct-horse-battery`), a
//! checksum-valid token, a UUID, a random-looking run.

use crate::tokens;

/// The closed vocabulary of placeholder words (lowercase). The README shows
/// this table.
pub const VOCABULARY: &[&str] = &[
    "access",
    "account",
    "actual",
    "api",
    "auth",
    "authentication",
    "authorization",
    "base64",
    "basic",
    "bearer",
    "b64",
    "change",
    "changeme",
    "ci",
    "classic",
    "credential",
    "credentials",
    "dummy",
    "encoded",
    "encrypted",
    "enter",
    "env",
    "example",
    "fake",
    "false",
    "gh",
    "github",
    "gitlab",
    "goes",
    "here",
    "hidden",
    "insert",
    "key",
    "me",
    "my",
    "name",
    "none",
    "npm",
    "npmjs",
    "null",
    "object",
    "own",
    "pass",
    "passwd",
    "password",
    "pat",
    "paste",
    "personal",
    "placeholder",
    "private",
    "publish",
    "put",
    "pwd",
    "read",
    "redacted",
    "registry",
    "replace",
    "sample",
    "secret",
    "some",
    "string",
    "tbd",
    "the",
    "this",
    "todo",
    "token",
    "true",
    "undefined",
    "user",
    "username",
    "value",
    "var",
    "variable",
    "with",
    "write",
    "your",
];

/// Separators allowed between placeholder words (quotes too: a value
/// written `"${NPM_TOKEN}" ; comment` leaves only its quotes behind).
pub const SEPARATORS: &[char] = &[
    '_', '-', '.', '<', '>', '"', '\'', '{', '}', '[', ']', '(', ')', ' ', ':',
];

/// Token prefixes a stand-in may follow.
const PREFIXES: &[&str] = &[
    "npm_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
];

/// Whether `value` is a stand-in rather than a secret.
pub fn is_standin(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    // A token whose checksum holds is never a stand-in (a GitLab token has
    // no checksum: its format alone is not enough).
    if v.len() > 128
        || tokens::find_tokens(v.as_bytes())
            .iter()
            .any(|t| t.kind != tokens::Kind::GitLab && t.is_certain())
    {
        return false;
    }
    if is_secret_reference(v) {
        return true;
    }
    let body = PREFIXES.iter().find_map(|p| v.strip_prefix(p)).unwrap_or(v);
    // Separators alone (`<>`, `___`) stand for nothing.
    body.split(SEPARATORS)
        .filter(|p| !p.is_empty())
        .all(|part| is_filler_run(part) || is_words(part))
}

/// Whether `name`, written where a variable's name goes (`${NAME}`,
/// `$NAME`, `%NAME%`, `{{NAME}}`), can be one: made of `[A-Za-z0-9_.-]`,
/// starting with a letter or `_`, and no part of it (split at `_ . -`) a
/// run that looks random. A token pasted where its variable's name goes
/// (`${npm_…}`, `{{<52-character PAT>}}`, `${NPM_TOKEN:-<uuid>}`) is a
/// secret npm sends as text, not a name: no shell or CI sets a variable
/// called that.
pub fn is_variable_name(name: &str) -> bool {
    let Some(first) = name.bytes().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'_')
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return false;
    }
    reads_as_names(name)
}

/// Whether the fixer may write `name` as a variable (`--var`, `[vars]`, and
/// the names it makes up): a shell's name (`[A-Za-z_][A-Za-z0-9_]*`, so
/// `--save-env` can assign it) that is also a name to npm (no part that
/// looks random; see `is_variable_name`).
pub fn is_fixer_name(name: &str) -> bool {
    !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && is_variable_name(name)
        && names_a_credential(name)
        && !is_read_as_a_setting(name)
        && !is_run_or_opened(name)
        && !is_shipped_to_browsers(name)
}

/// Name endings a tool reads as a program to run or a file to open, not a
/// value (review 7, #5): `RESTIC_PASSWORD_COMMAND`, `SOPS_AGE_KEY_CMD`,
/// `ANSIBLE_VAULT_PASSWORD_FILE`, Docker's `*_FILE` secrets. A secret
/// stored there is run as a command, or opened as a path an error shows.
const RUN_OR_OPEN_ENDINGS: &[&str] = &["_command", "_cmd", "_exec", "_file"];

fn is_run_or_opened(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    RUN_OR_OPEN_ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// The prefixes bundlers expose to browser code (review 7, #5): Vite
/// (`VITE_`), Create React App, Vue CLI, Gatsby, Storybook, Nuxt 2,
/// Redwood, Sanity. Next.js, Expo, Nuxt 3, SvelteKit and Astro mark a
/// public name with `PUBLIC` as its first or second part (`PUBLIC_`,
/// `NEXT_PUBLIC_`, `EXPO_PUBLIC_`): any such name is refused. A secret there is inlined
/// into a web bundle, read from the very `.env.local` `--save-env`
/// suggests.
const BROWSER_PREFIXES: &[&str] = &[
    "vite_",
    "react_app_",
    "vue_app_",
    "gatsby_",
    "storybook_",
    "nuxt_env_",
    "redwood_env_",
    "sanity_studio_",
];

fn is_shipped_to_browsers(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    BROWSER_PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.split('_').take(2).any(|part| part == "public")
}

/// The words a name that holds a credential has as one of its parts
/// (split at `_`): the fixer's own names (`NPM_TOKEN`, `NPM_AUTH`,
/// `NPM_PASSWORD`, `NPM_TOKEN_CORP_EXAMPLE`) and the usual ones. A name
/// without one (`CC`, `MAKEFLAGS`, `GH_PAGER`, `SVN_EDITOR`) is some
/// tool's setting: a build would run the secret as its compiler and print
/// it (review 6, #5). No list of settings is complete; this rule needs
/// none.
const CREDENTIAL_WORDS: &[&str] = &[
    "TOKEN",
    "AUTH",
    "PASSWORD",
    "PASS",
    "PASSWD",
    "SECRET",
    "KEY",
    "APIKEY",
    "PAT",
    "CREDENTIAL",
    "CREDENTIALS",
    "CRED",
    "CREDS",
];

fn names_a_credential(name: &str) -> bool {
    name.split('_').any(|part| {
        CREDENTIAL_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(part))
    })
}

/// Names a shell, npm, yarn, bun, git or the system reads as a setting
/// (any case): a secret stored under one (`--save-env`, then `set -a; .
/// FILE`) would run as a command (`PROMPT_COMMAND`), configure npm
/// (`npm_config_registry`), or go to another host (`HTTPS_PROXY`). The
/// fixer never writes one, whatever `--var` or a committed `[vars]` asks.
const SETTING_PREFIXES: &[&str] = &[
    "npm_config_",
    "bun_config_",
    "yarn_",
    "pnpm_",
    "node_",
    "git_",
    "ssh_",
    "bash_",
    "ld_",
    "dyld_",
    "lc_",
    "xdg_",
    // Review 5, #7: corepack sends COREPACK_NPM_TOKEN to its registry; bun
    // runs BUN_OPTIONS as arguments; the JVM reads its options, less its
    // input filters; and the other package and cloud tools' own names,
    // each sent to its own host.
    "corepack_",
    "bun_",
    "java_",
    "_java_",
    "jdk_",
    "less",
    "docker_",
    "cargo_",
    "rustup_",
    "pip_",
    "uv_",
    "poetry_",
    "twine_",
    "bundle_",
    "gem_",
    "aws_",
    "azure_",
    "google_",
    "cloudsdk_",
    "gcloud_",
    "kube",
    "helm_",
    "vault_",
    "python",
    "ruby",
    "perl",
    // Review 7, #5: other tools' own credential families, each sent to its
    // own host (turbo sends TURBO_TOKEN to the remote cache a committed
    // turbo.json names) or run (RESTIC_, SOPS_, RCLONE_).
    "turbo_",
    "nx_",
    "hf_",
    "hugging_face_",
    "huggingface_",
    "openai_",
    "anthropic_",
    "tf_",
    "terraform_",
    "sonar_",
    "cloudflare_",
    "cf_",
    "chromatic_",
    "deno_",
    "gitea_",
    "renovate_",
    "rsync_",
    "rediscli_",
    "ansible_",
    "restic_",
    "sops_",
    "rclone_",
    "borg_",
    "vercel_",
    "netlify_",
    "sentry_",
    "codecov_",
    "snyk_",
    "heroku_",
    "circle_",
    "buildkite_",
    "datadog_",
    "dd_",
    "fly_",
    "supabase_",
    "firebase_",
    "expo_",
    "eas_",
    "pulumi_",
    "doppler_",
    "op_",
    "jfrog_",
    "mysql_",
    "pgpass",
    // Review 8 (notes): more tools that read a name of their own as a
    // credential and send it to their own host (setup-dotnet's nuget.config
    // sends NUGET_AUTH_TOKEN to the feed a repository names).
    "nuget_",
    "lhci_",
    "percy_",
    "cypress_",
    "argos_",
    "browserstack_",
    "sauce_",
    "fontawesome_",
    "slack_",
    "stripe_",
    "pypi_",
];
const SETTING_NAMES: &[&str] = &[
    "BASHOPTS",
    "CDPATH",
    "EDITOR",
    "ENV",
    "FCEDIT",
    "HISTFILE",
    "HOME",
    "HOSTALIASES",
    "IFS",
    "LANG",
    "LOGNAME",
    "MAIL",
    "MAILPATH",
    "OLDPWD",
    "PAGER",
    "PATH",
    "PROMPT_COMMAND",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PWD",
    "SHELL",
    "SHELLOPTS",
    "TERM",
    "TMPDIR",
    "TZ",
    "USER",
    "VISUAL",
    "ZDOTDIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "CI",
    "MANPAGER",
    "GIT_PAGER",
    "BROWSER",
    "SUDO_ASKPASS",
    "DISPLAY",
    "PROMPT",
    "RPROMPT",
    "GNUPGHOME",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    // Other tools' own tokens, each sent to its own host (review 6, #5).
    "GITHUB_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITLAB_TOKEN",
    "GITLAB_PRIVATE_TOKEN",
    "CI_JOB_TOKEN",
    "CODECOV_TOKEN",
    "HOMEBREW_GITHUB_API_TOKEN",
    "SENTRY_AUTH_TOKEN",
    "NETLIFY_AUTH_TOKEN",
    "VERCEL_TOKEN",
    "HEROKU_API_KEY",
    "SNYK_TOKEN",
];

fn is_read_as_a_setting(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SETTING_PREFIXES.iter().any(|p| lower.starts_with(p))
        || SETTING_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Why a name fails `is_fixer_name`, for the message that refuses it.
pub const FIXER_NAME_RULE: &str = "a variable name is letters, digits and _, not starting \
    with a digit, no part of it looks random (npm reads such a name as text, not as a \
    variable), one part of it is a credential word (TOKEN, AUTH, PASSWORD, SECRET, KEY, …), \
    it is no name a shell, npm or another tool reads as a setting or as its own credential \
    (PROMPT_COMMAND, PATH, npm_config_*, HTTPS_PROXY, NODE_OPTIONS, COREPACK_*, BUN_*, \
    TURBO_*, NX_*, HF_*, TF_*, …), it does not end in _COMMAND, _CMD, _EXEC or _FILE (a \
    program its tool runs, a file it opens), and it is no name a bundler puts in browser \
    code (VITE_*, REACT_APP_*, GATSBY_*, STORYBOOK_*, and PUBLIC as its first or second part: \
    PUBLIC_*, NEXT_PUBLIC_*, EXPO_PUBLIC_*)";

/// Whether a name a file assigns or references (an env file's `NAME=`)
/// may be shown whole: written in one case (`NPM_TOKEN`, `npm_token`), at
/// most four digits, and `reads_as_names`. A token pasted there mixes
/// cases or digits through it, however short, and is masked.
pub fn reads_as_a_written_name(name: &str) -> bool {
    let letters = || name.bytes().filter(u8::is_ascii_alphabetic);
    let one_case =
        letters().all(|b| b.is_ascii_uppercase()) || letters().all(|b| b.is_ascii_lowercase());
    one_case && name.bytes().filter(u8::is_ascii_digit).count() <= 4 && reads_as_names(name)
}

/// Whether `text` holds no token and no run that looks random, split at
/// every character but `[A-Za-z0-9]`: the words of names (`NPM_TOKEN:-`,
/// `TOKEN for @corp`), not a secret.
pub fn reads_as_names(text: &str) -> bool {
    if !tokens::find_tokens(text.as_bytes()).is_empty() {
        return false;
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .all(|part| {
            let digits = part.bytes().filter(u8::is_ascii_digit).count();
            let letters = part.len() - digits;
            let random = part.len() > 32
                || (part.len() > 16 && digits > 0)
                || (part.len() >= 8 && digits >= 3 && letters >= 3);
            !random || is_words(part)
        })
}

/// A 1Password secret reference, `op://<vault>/<item>/[<section>/]<field>`:
/// the documented way to commit an env file that `op run --env-file`
/// fills. Sent as written (bun, npm), it is no secret; every part must
/// read as names (`reads_as_names`), so no token hides in one.
fn is_secret_reference(v: &str) -> bool {
    let Some(path) = v.strip_prefix("op://") else {
        return false;
    };
    let parts: Vec<&str> = path.split('/').collect();
    (3..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.'))
                && reads_as_names(p)
        })
}

/// `xxxxxxxx`, `XXXX`, `********`, `0000`, `....`: one filler repeated.
fn is_filler_run(part: &str) -> bool {
    let mut chars = part.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    matches!(first, 'x' | 'X' | '*' | '0' | '#' | '.')
        && part.len() >= 3
        && chars.all(|c| c.eq_ignore_ascii_case(&first))
}

/// `part` is vocabulary words written together (`AUTHTOKEN`,
/// `base64Token`, `MYTOKEN`), ignoring case.
fn is_words(part: &str) -> bool {
    if !part.is_ascii() {
        return false;
    }
    let p = part.to_ascii_lowercase();
    let b = p.as_bytes();
    // reach[i]: the first i bytes split into words.
    let mut reach = vec![false; b.len() + 1];
    reach[0] = true;
    for i in 0..b.len() {
        if !reach[i] {
            continue;
        }
        for w in VOCABULARY {
            if b[i..].starts_with(w.as_bytes()) {
                reach[i + w.len()] = true;
            }
        }
    }
    reach[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_and_secrets_written_as_names() {
        for name in [
            "NPM_TOKEN",
            "npm_token",
            "GH_PACKAGES_TOKEN",
            "NODE_AUTH_TOKEN",
            "AWS_CODEARTIFACT_AUTH_TOKEN",
            "CODEARTIFACTAUTHTOKEN",
            "NPM_TOKEN_2024_05",
            "TOKEN2",
            "_X",
            "npm.token",
            "NPM-TOKEN",
        ] {
            assert!(is_variable_name(name), "{name}");
        }
        for secret in [
            "NPM_TOKEN:-3f2a8b1c-4e6b-4c1d-9a7e-0b5c6d7e8f90",
            "3f2a8b1c-4e6b-4c1d-9a7e-0b5c6d7e8f90",
            "x3f2a8b1c",
            "abcdefghij2345672abcdefghij234567abcdefghij234567abc",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "AKCp8kQ7xY2mN4vB9",
            "NPM TOKEN",
            "",
            "1PASSWORD",
        ] {
            assert!(!is_variable_name(secret), "{secret}");
        }
    }

    #[test]
    fn the_fixer_writes_no_name_another_tool_reads() {
        for ok in [
            "NPM_TOKEN",
            "GITHUB_PACKAGES_TOKEN",
            "CORP_NPM_AUTH",
            "TOKEN",
            "NPM_TOKEN_CORP_EXAMPLE",
            "NPM_PASSWORD",
            "ARTIFACTORY_API_KEY",
            "corp_npm_token",
            "NPM_TOKEN_NPM_PUBLIC_CORP",
            "NPM_TOKEN_FILES_EXAMPLE",
        ] {
            assert!(is_fixer_name(ok), "{ok}");
        }
        for bad in [
            "PROMPT_COMMAND",
            "prompt_command",
            "PATH",
            "npm_config_registry",
            "NPM_CONFIG__AUTH",
            "BUN_CONFIG_TOKEN",
            "HTTPS_PROXY",
            "https_proxy",
            "NODE_OPTIONS",
            "LD_PRELOAD",
            "BASH_ENV",
            "ENV",
            "GIT_ASKPASS",
            "YARN_NPM_AUTH_TOKEN",
            "PS1",
            "IFS",
            "COREPACK_NPM_TOKEN",
            "BUN_OPTIONS",
            "MANPAGER",
            "BROWSER",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "LESSOPEN",
            "DOCKER_AUTH_CONFIG",
            "CARGO_REGISTRY_TOKEN",
            "PIP_INDEX_URL",
            "AWS_SECRET_ACCESS_KEY",
            "CC",
            "CXX",
            "MAKEFLAGS",
            "RUSTC_WRAPPER",
            "GH_PAGER",
            "BAT_PAGER",
            "SVN_EDITOR",
            "GITHUB_TOKEN",
            "GITLAB_TOKEN",
            "CI_JOB_TOKEN",
            "CODECOV_TOKEN",
            "HOMEBREW_GITHUB_API_TOKEN",
            // Review 7, #5: other tools' credentials, names a tool runs
            // or opens, names a bundler ships to browsers.
            "NUGET_AUTH_TOKEN",
            "LHCI_TOKEN",
            "PERCY_TOKEN",
            "CYPRESS_RECORD_KEY",
            "BROWSERSTACK_ACCESS_KEY",
            "SLACK_TOKEN",
            "PYPI_TOKEN",
            "TURBO_TOKEN",
            "NX_CLOUD_ACCESS_TOKEN",
            "NX_CLOUD_AUTH_TOKEN",
            "HF_TOKEN",
            "OPENAI_API_KEY",
            "TF_TOKEN_app_terraform_io",
            "SONAR_TOKEN",
            "CLOUDFLARE_API_TOKEN",
            "CHROMATIC_PROJECT_TOKEN",
            "DENO_AUTH_TOKENS",
            "GITEA_TOKEN",
            "RENOVATE_TOKEN",
            "RSYNC_PASSWORD",
            "REDISCLI_AUTH",
            "ANSIBLE_VAULT_PASSWORD_FILE",
            "RESTIC_PASSWORD_COMMAND",
            "SOPS_AGE_KEY_CMD",
            "RCLONE_PASSWORD_COMMAND",
            "CORP_TOKEN_EXEC",
            "MY_SECRET_CMD",
            "VITE_NPM_TOKEN",
            "NEXT_PUBLIC_NPM_TOKEN",
            "REACT_APP_NPM_TOKEN",
            "EXPO_PUBLIC_NPM_TOKEN",
            "NUXT_PUBLIC_NPM_TOKEN",
            "PUBLIC_NPM_TOKEN",
            "GATSBY_NPM_TOKEN",
            "STORYBOOK_NPM_TOKEN",
            "vite_npm_token",
        ] {
            assert!(!is_fixer_name(bad), "{bad}");
        }
    }

    #[test]
    fn one_password_references_are_stand_ins() {
        for r in [
            "op://Engineering/npm-registry/credential",
            "op://dev/NPM Token/password",
            "op://Private/github/Section 1/token",
        ] {
            assert!(is_standin(r), "{r}");
        }
        let pat = format!("ghp_{}", "aB3x".repeat(9));
        for s in [
            format!("op://vault/{pat}/password"),
            "op://dev/3f2a8b1c-4e6b-4c1d-9a7e-0b5c6d7e8f90/token".to_string(),
            "op://vault/item".to_string(),
            "op://vault/item/a/b/c".to_string(),
            "op://vault//field".to_string(),
            "op://vault/item/field?x=S3cr3tPassw0rd9".to_string(),
            "xop://Engineering/npm-registry/credential".to_string(),
        ] {
            assert!(!is_standin(&s), "{s}");
        }
    }

    #[test]
    fn issue_examples() {
        for s in [
            "MYTOKEN",
            "PUT_AUTHTOKEN_HERE",
            "PAT_TOKEN",
            "ghp_your_token_here",
            "ghp_<your-token>",
            "{base64Token}",
            "INSERT_ENCRYPTED_PASSWORD_HERE",
            "xxxxxxxx",
            "<token>",
            "TOKEN",
            "YOUR_TOKEN",
        ] {
            assert!(is_standin(s), "{s:?}");
        }
        for s in [
            "Summer2024!",
            "correct-horse-battery",
            "123e4567-e89b-12d3-a456-426614174000",
            "Pa$sw0rd2024",
            "a8Kd02mZq",
        ] {
            assert!(!is_standin(s), "{s:?}");
        }
    }

    // Written against cargo-mutants' survivors.
    #[test]
    fn filler_runs_and_tokens() {
        assert!(is_standin("xxx"));
        assert!(is_standin("XxX"));
        assert!(!is_standin("xx"));
        assert!(!is_standin("qqqq"));
        assert!(!is_standin("xK9q"));
        // Only a length up to 128 can be a stand-in.
        assert!(is_standin(&"x".repeat(128)));
        assert!(!is_standin(&"x".repeat(129)));
        // A fine-grained GitHub token is a token whatever it is made of; a
        // classic one whose checksum fails, or a GitLab one, is judged by
        // its characters.
        let pat = format!("github_pat_{}_{}", "x".repeat(22), "x".repeat(59));
        assert!(!is_standin(&pat));
        assert!(is_standin(&format!("npm_{}", "x".repeat(36))));
        assert!(is_standin(&format!("glpat-{}", "x".repeat(20))));
    }
}
