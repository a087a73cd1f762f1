//! Builds the Lua 5.1.5 VM that luax embeds.
#![allow(clippy::expect_used, clippy::panic)] // a broken build must stop loudly
//!
//! Redis does not run stock Lua: its `deps/lua` carries changes a script can observe (string
//! hash, read-only tables, no binary chunks, several security fixes). We take the pristine
//! 5.1.5 sources shipped by the `lua-src` crate, copy them to `OUT_DIR`, apply the same changes
//! as exact text substitutions (each must match once, so a different source fails the build
//! loudly) and compile them with `cc`. `mlua-sys` (feature `external`) supplies the
//! declarations. Every Lua symbol stays inside the module: the cdylib exports only
//! `RedisModule_OnLoad`, and the objects are built with hidden visibility.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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

    let pristine = find_lua_sources();
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

/// The `lua-src` build-dependency's own directory, found through `cargo metadata`: that crate
/// only exposes its sources through its path.
fn find_lua_sources() -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let output = Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(manifest.join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let json = String::from_utf8(output.stdout).expect("utf-8 metadata");
    let at = json.find("\"name\":\"lua-src\"").expect("lua-src in cargo metadata");
    let key = "\"manifest_path\":\"";
    let start = at + json[at..].find(key).expect("manifest_path of lua-src") + key.len();
    let end = start + json[start..].find('"').expect("end of manifest_path");
    let crate_dir = Path::new(&json[start..end]).parent().expect("lua-src dir").to_path_buf();
    let dir = crate_dir.join("lua-5.1.5");
    assert!(dir.join("lapi.c").exists(), "no Lua 5.1.5 sources in {}", dir.display());
    println!("cargo:rerun-if-changed={}", dir.display());
    dir
}
