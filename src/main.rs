//! The `notes` command line.

fn main() {}
