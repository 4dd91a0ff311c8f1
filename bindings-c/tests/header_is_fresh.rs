//! `include/ferrule.h` must be exactly what the pinned cbindgen generates from this crate.
//! Run with `FERRULE_UPDATE_HEADER=1` (or `make header`) to regenerate it.

use std::path::Path;

#[test]
fn header_is_fresh() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/ferrule.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write(&mut generated);
    if std::env::var_os("FERRULE_UPDATE_HEADER").is_some() {
        std::fs::write(&header, &generated).unwrap();
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_default();
    assert!(committed == generated, "include/ferrule.h is stale: run `make header` and commit the result");
}
