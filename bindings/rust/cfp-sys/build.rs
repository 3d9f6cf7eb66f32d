//! Link flags for libcfp come from `pkg-config --libs cfp`. A CMake build with
//! CFP_BUILD_BINDINGS=ON writes BUILD/bindings/pkgconfig/cfp.pc for its own tree; an
//! installed libcfp ships PREFIX/lib/pkgconfig/cfp.pc.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    let pkg_config = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let output = match Command::new(&pkg_config).args(["--libs", "cfp"]).output() {
        Ok(output) => output,
        Err(e) => panic!("cannot run {}: {} (install pkg-config)", pkg_config, e),
    };
    if !output.status.success() {
        panic!(
            "`{} --libs cfp` failed: {}\nPoint PKG_CONFIG_PATH at the directory holding cfp.pc.",
            pkg_config,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let flags = String::from_utf8(output.stdout).expect("pkg-config printed non-UTF-8 flags");
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={}", dir);
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={}", lib);
        } else {
            println!("cargo:rustc-link-arg={}", flag);
        }
    }
}
