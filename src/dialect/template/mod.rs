//! Franklin's `{{ }}` template language.
