//! Writes the string pool dataset of issue #3 (`Strings::issue()`), one value per line, to the
//! path given, plus `<path>.meta.json` (counts, byte sizes, seed) for the comparison scripts to
//! check against. Python and Node benches read this file, so every runtime measures the bytes
//! the criterion benches generate in process.
//!
//! Usage: `cargo run --release -p ferrule-benches --bin gen_strings -- build/bench-data/strings-1m.txt`

use ferrule_benches::Strings;
use ferrule_benches::dataset::meta_path;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: gen_strings PATH   (writes PATH and PATH.meta.json)");
        return ExitCode::from(2);
    };
    match write(Path::new(path)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gen_strings: {path}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn write(path: &Path) -> std::io::Result<()> {
    let data = Strings::issue();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    // Write-then-rename, data first and metadata last: a script that finds the metadata never
    // reads a half-written data file, even when two benches start generating at once.
    let tmp = with_suffix(path, ".tmp");
    let bytes = data.write_lines(fs::File::create(&tmp)?)?;
    fs::rename(&tmp, path)?;
    let meta = meta_path(path);
    let meta_tmp = with_suffix(&meta, ".tmp");
    fs::write(&meta_tmp, data.meta_json(bytes))?;
    fs::rename(&meta_tmp, &meta)?;
    println!(
        "{}: {} values, {} distinct, {} bytes (mean {:.1} bytes/value); metadata in {}",
        path.display(),
        data.len(),
        data.distinct.len(),
        bytes,
        data.stream_bytes() as f64 / data.len() as f64,
        meta.display()
    );
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
