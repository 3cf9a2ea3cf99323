//! One fix pipeline, shared by `fix FILE`, `fix --staged`, `scan --fix` and
//! the hook's offer:
//! [`plan`] (pure: variable names, edits as data) → [`store`] (where the
//! removed secrets go) → [`write`] (atomic replace, no symlinks followed);
//! [`prompt`] asks on a terminal; [`pipeline`] wires them for one file and
//! one store; [`run`] runs the whole fix for a command.

pub mod ci_names;
pub mod pipeline;
pub mod plan;
pub mod prompt;
pub mod run;
pub mod store;
pub mod write;
pub mod yarn_move;

pub use plan::*;
