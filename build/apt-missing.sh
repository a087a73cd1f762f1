#!/usr/bin/env bash
# Prints the Debian packages `make` needs that this machine lacks, one name per line.
set -u

# bindgen (through the redis-module crate) loads libclang at run time. This asks clang-sys's
# question: a file named libclang.so, libclang-*.so, libclang.so.* or libclang-*.so.* in
# LIBCLANG_PATH or the system library directories, LLVM's C++ library (libclang-cpp*)
# excepted, plus clang's own headers (stddef.h) that the parse of redismodule.h needs.
have_libclang() {
    local dirs=(/usr/local/llvm*/lib* /usr/local/lib*/*/* /usr/local/lib*/* /usr/local/lib*
        /usr/lib*/*/* /usr/lib*/* /usr/lib*)
    [ -n "${LIBCLANG_PATH:-}" ] && dirs=("$LIBCLANG_PATH")
    local found=""
    local dir file
    for dir in "${dirs[@]}"; do
        for file in "$dir"/libclang.so "$dir"/libclang-*.so "$dir"/libclang.so.* "$dir"/libclang-*.so.*; do
            case "${file##*/}" in *-cpp.*) continue ;; esac
            [ -f "$file" ] && found=1 && break 2
        done
    done
    [ -n "$found" ] || return 1
    compgen -G '/usr/lib/llvm-*/lib/clang/*/include/stddef.h' >/dev/null ||
        compgen -G '/usr/local/llvm*/lib/clang/*/include/stddef.h' >/dev/null
}

command -v redis-server >/dev/null || echo redis-server
command -v redis-benchmark >/dev/null || echo redis-tools
have_libclang || echo libclang-dev
# Debian's own python3 makes virtualenvs only with python3-venv (ensurepip) installed.
python3 -c 'import ensurepip, venv' 2>/dev/null || echo python3-venv
exit 0
