//! Test support: a VM driven by a fake host that answers commands from a table of canned
//! RESP replies, with results captured as the exact RESP bytes Redis would send.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::host::{Host, Interrupt};
use super::{ServerVersion, Vm};
use crate::convert::sink::RespWriter;

#[derive(Default)]
pub struct FakeHost {
    pub replies: HashMap<Vec<u8>, Vec<u8>>,
    pub calls: RefCell<Vec<Vec<Vec<u8>>>>,
    pub resp3: Cell<bool>,
    pub repl: Cell<i32>,
    pub logs: RefCell<Vec<(i32, Vec<u8>)>>,
}

impl Host for FakeHost {
    fn call(&self, argv: &[&[u8]], on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        self.calls.borrow_mut().push(argv.iter().map(|a| a.to_vec()).collect());
        let name = argv[0].to_ascii_lowercase();
        match self.replies.get(&name) {
            Some(reply) => {
                on_reply(reply);
                Ok(())
            }
            None => Err(b"Unknown Redis command called from script".to_vec()),
        }
    }
    fn acl_check(&self, _argv: &[&[u8]]) -> Option<bool> {
        Some(true)
    }
    fn resp3(&self) -> bool {
        self.resp3.get()
    }
    fn set_resp3(&self, on: bool) {
        self.resp3.set(on)
    }
    fn set_repl(&self, flags: i32) {
        self.repl.set(flags)
    }
    fn log(&self, level: i32, msg: &[u8]) {
        self.logs.borrow_mut().push((level, msg.to_vec()))
    }
    fn interrupt(&self) -> Interrupt {
        Interrupt::Continue
    }
}

pub const VERSION: ServerVersion = ServerVersion { major: 7, minor: 0, patch: 15 };

pub fn new_vm() -> Vm {
    Vm::new(VERSION, 0).expect("a VM")
}

/// Runs `body` and returns the exact RESP bytes the client would get (RESP2 or RESP3 client).
pub fn eval_bytes_with(vm: &mut Vm, host: &FakeHost, body: &str, resp3_client: bool) -> Vec<u8> {
    let mut out = RespWriter::new(resp3_client);
    vm.eval_for_test(body.as_bytes(), host, &mut out);
    out.out
}

/// Runs `body` and returns the RESP the client would get (RESP2 or RESP3 client).
pub fn eval_with(vm: &mut Vm, host: &FakeHost, body: &str, resp3_client: bool) -> String {
    String::from_utf8_lossy(&eval_bytes_with(vm, host, body, resp3_client)).into_owned()
}

/// Runs `body` on a fresh VM and returns the RESP2 reply.
pub fn eval(body: &str) -> String {
    eval_with(&mut new_vm(), &FakeHost::default(), body, false)
}

/// Lua defining `show(...)`: the arguments as text separated by spaces, numbers as `%.17g`.
pub const SHOW_LUA: &str = "local function show(...) local t = {} for i = 1, select('#', ...) do \
local v = select(i, ...) t[i] = type(v) == 'number' and string.format('%.17g', v) or tostring(v) end \
return table.concat(t, ' ') end ";

/// Lua defining `hex(s)`: the bytes of `s` as lowercase hexadecimal.
pub const HEX_LUA: &str =
    "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end ";

/// Runs each script on a fresh VM, the markers `@show ` and `@hex ` replaced by [`SHOW_LUA`]
/// and [`HEX_LUA`], and checks the exact RESP2 bytes of the reply.
#[track_caller]
pub fn check_replies(cases: &[(&str, &[u8])]) {
    for (script, want) in cases {
        let body = script.replace("@show ", SHOW_LUA).replace("@hex ", HEX_LUA);
        let got = eval_bytes_with(&mut new_vm(), &FakeHost::default(), &body, false);
        // The text first, for a readable failure; then every byte.
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want), "script: {script}");
        assert_eq!(got.as_slice(), *want, "script: {script}");
    }
}

/// A deterministic xorshift generator for randomized tests.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `m`.
    pub fn below(&mut self, m: u64) -> u64 {
        self.next_u64() % m
    }
}

/// Keys of few, short names (many hash collisions, some repeated): up to 40 keys of up to 12
/// characters, the ranges changing with `case`.
pub fn colliding_keys(rng: &mut XorShift, case: u64) -> Vec<String> {
    let n = 1 + rng.below(if case % 3 == 0 { 40 } else { 12 });
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(if case % 2 == 0 { 3 } else { 12 });
            (0..len).map(|_| char::from(b"abcdxyz_0"[rng.below(9) as usize])).collect()
        })
        .collect()
}

/// Key lists drawn from one small pool, sometimes with one key changed: objects that mostly
/// share their keys, as a decoder that reuses the previous object's layout meets them.
pub fn shared_key_sets(rng: &mut XorShift) -> Vec<Vec<String>> {
    let pool: Vec<String> = (0..1 + rng.below(12))
        .map(|_| (0..1 + rng.below(3)).map(|_| char::from(b"abcxyz"[rng.below(6) as usize])).collect())
        .collect();
    (0..1 + rng.below(8))
        .map(|_| {
            let mut keys: Vec<String> = pool.iter().take(1 + rng.below(pool.len() as u64) as usize).cloned().collect();
            if rng.below(3) == 0 {
                let i = rng.below(keys.len() as u64) as usize;
                keys[i] = format!("{}q", keys[i]);
            }
            keys
        })
        .collect()
}

/// Lua quoting each key: `{"a","b"}`.
pub fn lua_list(keys: &[String]) -> String {
    format!("{{{}}}", keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(","))
}

/// Lua defining `same_layout(t, d)`: `true` when the two tables iterate alike, also after nine
/// more keys are added to each; otherwise both iteration orders as text.
pub const SAME_LAYOUT_LUA: &str = "\
local function dump(x) local r = {} for k, v in pairs(x) do r[#r + 1] = k .. '=' .. tostring(v) end \
return table.concat(r, ' ') end \
local function same_layout(t, d) local a, b = dump(t), dump(d) \
for i = 1, 9 do t['more' .. i] = i d['more' .. i] = i end \
if a == b and dump(t) == dump(d) then return true end return a .. ' | ' .. b end ";

/// Lua defining `deep_dump(v)`: a value with its nested tables, in iteration order, as text.
pub const DEEP_DUMP_LUA: &str = "\
local function deep_dump(v) if type(v) ~= 'table' then return tostring(v) end local r = {} \
for k, x in pairs(v) do r[#r + 1] = tostring(k) .. '=' .. deep_dump(x) end \
return '{' .. table.concat(r, ',') .. '}#' .. #v end ";
