//! npmrc-guard: find literal registry credentials in `.npmrc` files and
//! rewrite them to `${NPM_TOKEN}` interpolation.
//!
//! The pipeline, one module a stage:
//! [`inputs`] / [`git`] / [`select`] (what to read) → [`npmrc`] (parse as npm does) →
//! [`detect`] (findings; uses [`tokens`]) → [`report`] (one emitter per
//! format) / [`fix`] (edits as data); [`hook`] installs the git hook, [`managers`] the hook managers' configs.
//! [`app`] wires them together.
//! [`eval`] (npm's `${…}` evaluation), [`standin`] and [`urlcreds`] serve
//! [`detect`]; [`sift`] picks the lines of a large file worth decoding,
//! [`survey`] finds what the detectors look up across it in one pass.
//! [`yarnrc_yml`] (with [`yarn_env`]) and [`bunfig`] read yarn's and bun's
//! configs into the same detector through [`foreign`].
//! `npmrc`, `sift`, `survey`, `tokens`, `decode`, `eval`, `standin`, `urlcreds`, `detect`, `fix`,
//! `foreign`, `yarn_env`, `yarnrc_yml` and `bunfig` are pure: no file system, no
//! environment, no terminal.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod bunfig;
pub mod ci;
pub mod cli;
pub mod config;
pub mod decode;
pub mod dep_urls;
pub mod detect;
pub mod docs;
pub mod dotenv;
pub mod envfiles;
pub mod eval;
pub mod files;
pub mod finding;
pub mod fix;
pub mod foreign;
pub mod git;
pub mod hook;
pub mod inputs;
pub mod js_json;
pub mod json5;
pub mod lfs;
pub mod lines;
pub mod managers;
pub mod manifests;
pub mod named_settings;
pub mod npmrc;
pub mod os;
pub mod path_token;
pub mod pem;
pub mod pnpm_workspace;
pub mod publish_config;
pub mod report;
pub mod select;
pub mod sent_tokens;
pub mod sift;
pub mod standin;
pub mod survey;
pub mod tokens;
pub mod urlcreds;
pub mod yaml_plain;
pub mod yarn_env;
pub mod yarnrc;
pub mod yarnrc_yml;
