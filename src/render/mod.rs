//! Layouts and whole-site builds: Franklin `_layout/` assembly or the built-in theme,
//! generated files, `prepath`, and the parallel build that writes the output folder.

pub mod build;
pub mod dates;
pub mod generated;
pub mod highlight;
pub mod host;
pub mod layout;
pub mod math;
pub mod prepath;
mod shell;
pub mod theme;
pub mod themed;

pub use build::{
    build, build_cached, BuildError, BuildOptions, BuildReport, BuildSession, NoProgress, Progress,
};
