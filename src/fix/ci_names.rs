//! The variable names a repository's CI definitions give or reference
//! (pure): a job that sets `NPM_TOKEN: ${{ secrets.NPM_TOKEN }}` (another
//! registry's token) would send it wherever a fixed config says
//! `${NPM_TOKEN}` (review 9, #9). The reading is cheap and generous:
//! taking a name too many only gives a secret `NPM_TOKEN_2`.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// Where the CIs read their definitions, from the repository's root.
pub const DEFINITIONS: &[&str] = &[
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".github/actions/**/action.yml",
    ".github/actions/**/action.yaml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".buildkite/pipeline.yml",
];

/// A name shaped like a shell variable.
const NAME: &str = r"[A-Za-z_][A-Za-z0-9_]*";

/// Every name `src` (a CI definition) may give or reference: GitHub's
/// `${{ secrets.NAME }}`, `env.NAME`, `vars.NAME` (and `secrets['NAME']`),
/// each key of an `env:`, `variables:` or `environment:` mapping (and
/// the `name:` of Azure's variable list), `$NAME`, `${NAME}`, Azure's
/// `$(NAME)` and `variables.NAME`, a shell's
/// or Jenkins' `NAME=` / `NAME = `, and Jenkins' `variable: 'NAME'`.
pub fn names(src: &[u8]) -> HashSet<String> {
    static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        [
            // Expression contexts, anywhere (`${{ secrets.X }}`, `if: env.X`).
            // Azure's `$[variables.X]`, `${{ variables.X }}` too.
            format!(r"\b(?:secrets|env|vars|variables)\.({NAME})"),
            format!(r#"\b(?:secrets|env|vars|variables)\[\s*['"]({NAME})['"]\s*\]"#),
            // Shell and Groovy references, Azure's macro `$(X)`.
            format!(r"\$[{{(]?({NAME})"),
            // Assignments: `export X=`, `echo "X=…" >> $GITHUB_ENV`,
            // Jenkins' `environment { X = credentials('…') }`.
            format!(r#"(?m)(?:^|[\s"'`;(])({NAME})\s*="#),
            // Jenkins' `withCredentials([string(…, variable: 'X')])`.
            format!(r#"(?i)variable\s*:\s*['"]({NAME})['"]"#),
        ]
        .iter()
        .map(|p| Regex::new(p).expect("valid pattern"))
        .collect()
    });
    let mut out: HashSet<String> = PATTERNS
        .iter()
        .flat_map(|re| re.captures_iter(src))
        .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
        .collect();
    out.extend(mapping_keys(src));
    out
}

/// The keys of every `env:`, `variables:` or `environment:` mapping, at
/// any depth below it (a block mapping, or a flow one on the same line),
/// and the `name:` values of a list there (Azure's `- name: X`).
fn mapping_keys(src: &[u8]) -> HashSet<String> {
    static OPENS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(\s*(?:-\s+)?)['"]?(?:env|variables|environment)['"]?\s*:(.*)$"#)
            .expect("valid pattern")
    });
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r#"^\s*(?:-\s+)?['"]?({NAME})['"]?\s*:(?:\s+['"]?({NAME}))?"#
        ))
        .expect("valid pattern")
    });
    static FLOW_KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r#"[{{,]\s*['"]?({NAME})['"]?\s*:"#)).expect("valid pattern")
    });
    let text = String::from_utf8_lossy(src);
    let mut out = HashSet::new();
    // The column of the open mapping's key: deeper lines are inside it.
    let mut open: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        // A block sequence may sit at its key's own column (`variables:`
        // then `- name: X`).
        let item_at_key = open == Some(indent) && trimmed.starts_with("- ");
        if open.is_some_and(|col| indent <= col) && !item_at_key {
            open = None;
        }
        if open.is_some() {
            if let Some(c) = KEY.captures(line.as_bytes()) {
                out.insert(String::from_utf8_lossy(&c[1]).into_owned());
                if &c[1] == b"name" {
                    if let Some(v) = c.get(2) {
                        out.insert(String::from_utf8_lossy(v.as_bytes()).into_owned());
                    }
                }
            }
            continue;
        }
        if let Some(c) = OPENS.captures(line.as_bytes()) {
            let rest = &c[2];
            for k in FLOW_KEY.captures_iter(rest) {
                out.insert(String::from_utf8_lossy(&k[1]).into_owned());
            }
            open = Some(c[1].len());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(src: &str, expected: &[&str]) {
        let got = names(src.as_bytes());
        for e in expected {
            assert!(got.contains(*e), "{e} not in {got:?} for {src:?}");
        }
    }

    #[test]
    fn github_contexts_and_env_keys() {
        has(
            "jobs:\n  release:\n    env:\n      NPM_TOKEN: ${{ secrets.PUBLISH }}\n      'QUOTED': x\n    steps:\n      - run: yarn\n",
            &["NPM_TOKEN", "PUBLISH", "QUOTED"],
        );
        has(
            "steps:\n  - with:\n      token: ${{ env.FROM_ENV }} ${{ vars.A_VAR }} ${{ secrets['IDX'] }}\n",
            &["FROM_ENV", "A_VAR", "IDX"],
        );
        has("env: { FLOW_A: 1, \"FLOW_B\": 2 }\n", &["FLOW_A", "FLOW_B"]);
        has(
            "  - env:\n      STEP_ENV: x\n    run: echo\n",
            &["STEP_ENV"],
        );
    }

    #[test]
    fn shell_references_and_assignments() {
        has(
            "run: |\n  echo \"//r/:_authToken=${REF_A}\" $REF_B\n  echo \"SET_C=x\" >> $GITHUB_ENV\n  export SET_D=1\n",
            &["REF_A", "REF_B", "SET_C", "SET_D", "GITHUB_ENV"],
        );
    }

    #[test]
    fn gitlab_azure_circleci_jenkins() {
        has(
            "variables:\n  GL_TOKEN: $CI_JOB_TOKEN\n",
            &["GL_TOKEN", "CI_JOB_TOKEN"],
        );
        has(
            "steps:\n- script: npm i $(AZ_MACRO) $[variables.AZ_RUNTIME] ${{ variables['AZ_TEMPLATE'] }}\n",
            &["AZ_MACRO", "AZ_RUNTIME", "AZ_TEMPLATE"],
        );
        has(
            "variables:\n- name: AZ_TOKEN\n  value: x\n- group: g\n",
            &["AZ_TOKEN"],
        );
        has(
            "jobs:\n  b:\n    environment:\n      CC_TOKEN: x\n",
            &["CC_TOKEN"],
        );
        has(
            "pipeline {\n  environment {\n    J_TOKEN = credentials('npm')\n  }\n  steps { withCredentials([string(credentialsId: 'c', variable: 'J_VAR')]) { sh 'npm i' } }\n}\n",
            &["J_TOKEN", "J_VAR"],
        );
    }

    #[test]
    fn a_mapping_ends_where_its_indentation_does() {
        let got = names(b"env:\n  IN_ENV: 1\nsteps:\n  NOT_ENV: 2\n");
        assert!(got.contains("IN_ENV"), "{got:?}");
        assert!(!got.contains("NOT_ENV"), "{got:?}");
        // Not shaped like a shell variable.
        let got = names(b"env:\n  my-name: 1\n");
        assert!(!got.iter().any(|n| n.contains('-')), "{got:?}");
    }
}
