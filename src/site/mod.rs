//! The site model: discovery, ignore rules, output paths and the output folder.
