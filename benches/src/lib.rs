//! Shared inputs for ferrule's criterion benches (each capability adds its generators here, so
//! that benches and the Python/Node comparison scripts measure the same data).

pub mod dataset;

pub use dataset::{Strings, StringsSpec};
