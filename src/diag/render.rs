//! Rendering of diagnostics: terminal, JSON and GitHub workflow commands.
