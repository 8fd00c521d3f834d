//! Page and global variables with Franklin's defaults, aliases and type checks.
