//! ferrule-core: all of ferrule's logic, in pure Rust. The Python, Node and C bindings only
//! convert arguments, release their runtime's lock for long work and map [`Error`]s.

pub mod alloc;
pub mod capabilities;
pub mod error;
pub mod logs;
pub mod pool;
pub mod vector;

pub use capabilities::{Capabilities, Isa, capabilities};
pub use error::{Error, ErrorKind, Location, Result};

/// ferrule's version (the workspace version, shared by every artifact).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// ferrule's version, e.g. `"0.1.0"`.
pub fn version() -> &'static str {
    VERSION
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_semver() {
        let parts: Vec<&str> = super::version().split('.').collect();
        assert_eq!(parts.len(), 3, "{}", super::version());
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()));
    }
}
