//! Layouts and whole-site builds.

pub mod highlight;
pub mod math;
pub mod theme;
