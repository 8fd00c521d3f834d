//! Built-in theme support: theme.
