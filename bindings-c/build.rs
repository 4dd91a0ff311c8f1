// Gives libferrule.so a SONAME so that programs linked against it find the compatible release.
// For 0.x versions every minor release may break the ABI, so the minor is part of the name.
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let soname =
        if major == "0" { format!("libferrule.so.0.{minor}") } else { format!("libferrule.so.{major}") };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
}
