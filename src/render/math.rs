//! Built-in theme support: math.
