//! Helpers shared by the unit tests.

use proptest::prelude::*;

/// Texts of fewer than `max` pieces drawn from `pieces`, which the scanners' property tests
/// weight toward the delimiters each scanner cares about.
pub(crate) fn text_of(pieces: &[&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..max)
        .prop_map(|parts| parts.concat())
}
