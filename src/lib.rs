//! notes: turn Franklin-style course notes into a website.
//!
//! The crate is organised as one module per stage of the pipeline. The arrow of
//! dependencies points one way: `diag` ← `dialect` ← `site`/`render` ← `cmd`.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod deploy;
pub mod diag;
pub mod dialect;
pub mod github;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
#[cfg(test)]
mod test_support;
