//! Builds the Lua 5.1.5 VM that luax embeds.
#![allow(clippy::expect_used, clippy::panic)] // a broken build must stop loudly
//!
//! Redis does not run stock Lua: its `deps/lua` carries changes a script can observe (string
//! hash, read-only tables, no binary chunks, several security fixes). We take the pristine
//! 5.1.5 sources kept in `vendor/lua-5.1.5/` (checked against `vendor/lua-5.1.5.sha1`, so an
//! edited copy fails the build), copy them to `OUT_DIR`, apply the same changes
//! as exact text substitutions (each must match once, so a different source fails the build
//! loudly) and compile them with `cc`. `mlua-sys` (feature `external`) supplies the
//! declarations. Every Lua symbol stays inside the module: the cdylib exports only
//! `RedisModule_OnLoad`, and the objects are built with hidden visibility.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

#[path = "build/lua_patches.rs"]
mod lua_patches;

/// Core VM plus the libraries a script can see (base, table, string, math; debug is used
/// while the sandbox is built). io, os and package are left out, as in Redis.
const LUA_SOURCES: &[&str] = &[
    "lapi.c",
    "lcode.c",
    "ldebug.c",
    "ldo.c",
    "ldump.c",
    "lfunc.c",
    "lgc.c",
    "llex.c",
    "lmem.c",
    "lobject.c",
    "lopcodes.c",
    "lparser.c",
    "lstate.c",
    "lstring.c",
    "ltable.c",
    "ltm.c",
    "lundump.c",
    "lvm.c",
    "lzio.c",
    "lauxlib.c",
    "lbaselib.c",
    "ldblib.c",
    "lmathlib.c",
    "lstrlib.c",
    "ltablib.c",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/lua_patches.rs");

    let pristine = pristine_lua_sources();
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    let work = out.join("lua-5.1.5-redis");
    fs::create_dir_all(&work).expect("create lua work dir");

    for entry in fs::read_dir(&pristine).expect("read lua-5.1.5 dir") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().expect("file name").to_owned();
        fs::copy(&path, work.join(name)).expect("copy lua source");
    }

    for patch in lua_patches::PATCHES {
        apply(&work, patch);
    }

    let mut build = cc::Build::new();
    build
        .include(&work)
        .warnings(false)
        .opt_level(2)
        // Redis builds its Lua with LUA_ANSI; same number formatting and limits as stock.
        .define("LUA_ANSI", None)
        .flag_if_supported("-fvisibility=hidden")
        .flag_if_supported("-fno-strict-aliasing");
    if env::var_os("CARGO_FEATURE_LUA_APICHECK").is_some() {
        build.define("LUA_USE_APICHECK", None);
    }
    for file in LUA_SOURCES {
        build.file(work.join(file));
    }
    build.compile("luax_lua51");
}

fn apply(dir: &Path, patch: &lua_patches::Patch) {
    let path = dir.join(patch.file);
    let text = fs::read_to_string(&path).expect("read lua source");
    let hits = text.matches(patch.before).count();
    assert!(hits == 1, "Lua patch '{}' expects its text exactly once in {}, found {hits}", patch.why, patch.file);
    fs::write(&path, text.replacen(patch.before, patch.after, 1)).expect("write lua source");
}

/// The pristine Lua 5.1.5 sources in the repository, each file checked against its listed
/// SHA-1 so the patches below always start from the released text.
fn pristine_lua_sources() -> PathBuf {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let dir = manifest.join("vendor/lua-5.1.5");
    let sums_path = manifest.join("vendor/lua-5.1.5.sha1");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed={}", sums_path.display());
    let sums = fs::read_to_string(&sums_path).unwrap_or_else(|err| {
        panic!("cannot read {}: {err}; the pristine Lua sources come with the repository", sums_path.display())
    });
    let mut listed = 0;
    for line in sums.lines().filter(|line| !line.trim().is_empty()) {
        let (want, name) = line.split_once("  ").expect("sha1sum line: '<hex>  <file>'");
        let path = dir.join(name);
        let text = fs::read(&path).unwrap_or_else(|err| {
            panic!("pristine Lua source {} is missing ({err}); restore vendor/lua-5.1.5 from git", path.display())
        });
        let got: String = Sha1::digest(&text).iter().map(|b| format!("{b:02x}")).collect();
        assert!(got == want, "{} is not the pristine Lua 5.1.5 file (sha1 {got}, expected {want})", path.display());
        listed += 1;
    }
    let present = fs::read_dir(&dir).expect("read vendor/lua-5.1.5").count();
    assert!(present == listed, "vendor/lua-5.1.5 holds {present} files but {listed} are listed in lua-5.1.5.sha1");
    dir
}
