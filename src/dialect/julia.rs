//! Evaluator for the Julia literal subset used in `@def` and `+++` blocks.
