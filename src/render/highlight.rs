//! Built-in theme support: highlight.
