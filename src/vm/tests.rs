//! VM behaviour that needs no server: sandbox, conversion, errors.

use super::testing::{eval, eval_with, new_vm, FakeHost};

const SHA0: &str = "0000000000000000000000000000000000000000";

#[test]
fn returns_convert_to_resp() {
    assert_eq!(eval("return 1"), ":1\r\n");
    assert_eq!(eval("return 3.99"), ":3\r\n");
    assert_eq!(eval("return -3.99"), ":-3\r\n");
    assert_eq!(eval("return 0/0"), ":-9223372036854775808\r\n");
    assert_eq!(eval("return 'x'"), "$1\r\nx\r\n");
    assert_eq!(eval("return {1,2,nil,4}"), "*2\r\n:1\r\n:2\r\n");
    assert_eq!(eval("return true"), ":1\r\n");
    assert_eq!(eval("return false"), "$-1\r\n");
    assert_eq!(eval("return {ok='a\\r\\nb'}"), "+a  b\r\n");
    assert_eq!(eval("return {err='E x\\n'}"), "-E x\r\n");
    assert_eq!(eval("return {double=3.14}"), "$18\r\n3.1400000000000001\r\n");
    assert_eq!(eval("return {1,{ok='x'},{err='E y'}}"), "*3\r\n:1\r\n+x\r\n-E y\r\n");
    assert_eq!(eval("return"), "$-1\r\n");
}

#[test]
fn resp3_client_framing() {
    let mut vm = new_vm();
    let host = FakeHost::default();
    assert_eq!(eval_with(&mut vm, &host, "return {double=1/0}", true), ",inf\r\n");
    assert_eq!(eval_with(&mut vm, &host, "return {map={a=1}}", true), "%1\r\n$1\r\na\r\n:1\r\n");
    assert_eq!(eval_with(&mut vm, &host, "return {set={a=false}}", true), "~1\r\n$1\r\na\r\n");
    assert_eq!(eval_with(&mut vm, &host, "return nil", true), "_\r\n");
    assert_eq!(eval_with(&mut vm, &host, "return {big_number='123'}", true), "(123\r\n");
    assert_eq!(
        eval_with(&mut vm, &host, "return {verbatim_string={format='markdown', string='hi'}}", true),
        "=6\r\nmar:hi\r\n"
    );
    assert_eq!(eval_with(&mut vm, &host, "redis.setresp(3) return false", true), "#f\r\n");
}

#[test]
fn self_reference_hits_the_stack_limit_at_redis_depth() {
    // Debug builds use big frames; the server's main thread has 8 MiB.
    let run = || {
        let out = eval("local t={} t[1]=t return t");
        assert_eq!(out.matches("*1\r\n").count(), 7995);
        assert!(out.ends_with("-ERR reached lua stack limit\r\n"));
        let out = eval("local t={} t[1]=t return {map={a=t}}");
        assert_eq!(out.matches("*1\r\n").count(), 7992);
    };
    let worker = std::thread::Builder::new().stack_size(64 << 20).spawn(run);
    assert!(worker.map(|h| h.join().is_ok()).unwrap_or(false));
}

#[test]
fn errors_carry_script_and_line() {
    assert_eq!(eval("error('boom')"), format!("-ERR user_script:1: boom script: {SHA0}, on @user_script:1.\r\n"));
    assert_eq!(eval("\nerror({err='MYERR custom'})"), format!("-MYERR custom script: {SHA0}, on @user_script:2.\r\n"));
    assert_eq!(
        eval("error({x=1})"),
        format!("-ERR Script raised an error table without an 'err' string script: {SHA0}, on @user_script:1.\r\n")
    );
    assert_eq!(
        eval("error(setmetatable({}, {__index=function() error('x') end}))"),
        format!("-ERR Script raised an error table without an 'err' string script: {SHA0}, on @user_script:1.\r\n")
    );
}

#[test]
fn globals_are_locked() {
    assert_eq!(
        eval("a = 5"),
        format!("-ERR user_script:1: Attempt to modify a readonly table script: {SHA0}, on @user_script:1.\r\n")
    );
    assert_eq!(
        eval("rawset(_G, 'a', 5)"),
        format!("-ERR Attempt to modify a readonly table script: {SHA0}, on @user_script:1.\r\n")
    );
    assert_eq!(
        eval("return undefined_var"),
        format!("-ERR user_script:1: Script attempted to access nonexistent global variable 'undefined_var' script: {SHA0}, on @user_script:1.\r\n")
    );
    assert_eq!(eval("KEYS[1] = 1 return KEYS[1]"), ":1\r\n");
    assert_eq!(eval("return rawget(_G, 'print')"), "$-1\r\n");
}

#[test]
fn string_hash_matches_redis_iteration_order() {
    // Redis iterates these keys as 1423; stock Lua 5.1 as 2143.
    let out = eval(
        "local t = {abcdefghijabcdefghijabcdefghijabcdefghij1=1, abcdefghijabcdefghijabcdefghijabcdefghij2=2, \
         abcdefghijabcdefghijabcdefghijabcdefghij3=3, abcdefghijabcdefghijabcdefghijabcdefghij4=4} \
         local s = '' for k in pairs(t) do s = s .. k:sub(-1) end return s",
    );
    assert_eq!(out, "$4\r\n1423\r\n");
}

#[test]
fn binary_chunks_are_refused() {
    let out = eval("local f = loadstring(string.dump(function() return 1 end)) return f == nil");
    assert_eq!(out, ":1\r\n");
}

#[test]
fn redis_call_converts_replies() {
    let mut host = FakeHost::default();
    host.replies.insert(b"get".to_vec(), b"$3\r\nbar\r\n".to_vec());
    host.replies.insert(b"lrange".to_vec(), b"*2\r\n$1\r\na\r\n$-1\r\n".to_vec());
    host.replies
        .insert(b"lpush".to_vec(), b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n".to_vec());
    let mut vm = new_vm();
    assert_eq!(eval_with(&mut vm, &host, "return redis.call('GET', 'foo')", false), "$3\r\nbar\r\n");
    assert_eq!(
        eval_with(&mut vm, &host, "local r = redis.call('lrange','l',0,-1) return {#r, type(r[2])}", false),
        "*2\r\n:2\r\n$7\r\nboolean\r\n"
    );
    assert_eq!(
        eval_with(&mut vm, &host, "return redis.pcall('lpush', 'k', 'a')", false),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        eval_with(&mut vm, &host, "\n\nredis.call('lpush', 'k', 'a')", false),
        format!(
            "-WRONGTYPE Operation against a key holding the wrong kind of value script: {SHA0}, on @user_script:3.\r\n"
        )
    );
    assert_eq!(
        eval_with(&mut vm, &host, "return redis.pcall()", false),
        "-ERR Please specify at least one argument for this redis lib call\r\n"
    );
    eval_with(&mut vm, &host, "redis.call('get', 0.1, 1e20, 'x')", false);
    let calls = host.calls.borrow();
    let last = calls.last().map(|c| c.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>());
    assert_eq!(last, Some(vec!["get".into(), "0.10000000000000001".into(), "1e+20".into(), "x".into()]));
}

/// Runs a compiled body with KEYS/ARGV on an existing VM.
fn run_with(vm: &mut super::Vm, body: &str, keys: &[&[u8]], args: &[&[u8]]) -> String {
    use super::{Call, HookMode};
    let host = FakeHost::default();
    let mut out = crate::convert::sink::RespWriter::new(false);
    let f = vm.compile(body.as_bytes()).unwrap();
    let call = Call { func: f, sha: &[b'0'; 40], keys, args, hook: HookMode::Off };
    vm.run(&call, &host, &mut out);
    vm.release(f);
    String::from_utf8_lossy(&out.out).into_owned()
}

#[test]
fn keys_and_argv_never_leak_between_runs() {
    let mut vm = new_vm();
    let same = "return tostring(KEYS) .. tostring(ARGV)";
    let a = run_with(&mut vm, same, &[b"k1"], &[b"a1", b"a2"]);
    let b = run_with(&mut vm, same, &[b"k2"], &[b"b1", b"b2"]);
    // Untouched tables of the same size are refilled, not rebuilt.
    assert_eq!(a, b);
    // A script that changes them gets fresh ones next time, holding exactly the new values.
    run_with(&mut vm, "KEYS.x = 1 KEYS[5] = 'y' ARGV[1] = nil setmetatable(ARGV, {})", &[b"k"], &[b"a", b"b"]);
    let after = run_with(
        &mut vm,
        "local n = 0 for _ in pairs(KEYS) do n = n + 1 end \
         return {n, #KEYS, KEYS[1], tostring(KEYS.x), tostring(getmetatable(ARGV)), ARGV[1], ARGV[2]}",
        &[b"k9"],
        &[b"c1", b"c2"],
    );
    assert_eq!(after, "*7\r\n:1\r\n:1\r\n$2\r\nk9\r\n$3\r\nnil\r\n$3\r\nnil\r\n$2\r\nc1\r\n$2\r\nc2\r\n");
    // Fewer items than before: the rest are gone.
    assert_eq!(run_with(&mut vm, "return {#ARGV, ARGV[2]}", &[], &[b"only"]), "*1\r\n:1\r\n");
    // The same large argument twice is the same string, and still correct.
    let doc = vec![b'x'; 5000];
    assert_eq!(run_with(&mut vm, "return #ARGV[1]", &[], &[&doc]), ":5000\r\n");
    assert_eq!(run_with(&mut vm, "return #ARGV[1]", &[], &[&doc]), ":5000\r\n");
}

/// Redis steps the collector every 50 runs; luax only when there is garbage to collect.
#[test]
fn periodic_gc_steps_follow_garbage_not_run_count() {
    use super::{Call, HookMode};
    let mut vm = new_vm();
    let host = FakeHost::default();
    let run_many = |vm: &mut super::Vm, body: &str, times: usize| {
        let f = vm.compile(body.as_bytes()).unwrap();
        for _ in 0..times {
            let mut out = crate::convert::sink::RespWriter::new(false);
            let call = Call { func: f, sha: &[b'0'; 40], keys: &[b"k"], args: &[b"v"], hook: HookMode::Off };
            vm.run(&call, &host, &mut out);
            assert_eq!(out.out, b":1\r\n");
        }
        vm.release(f);
    };
    run_many(&mut vm, "return 1", 500);
    assert_eq!(vm.periodic_gc_steps(), 0);
    // ~40 KB of garbage per run.
    run_many(&mut vm, "local t = {} for i = 1, 1000 do t[i] = {i} end return 1", 500);
    assert!(vm.periodic_gc_steps() >= 5, "{} steps", vm.periodic_gc_steps());
    let settled = vm.memory();
    run_many(&mut vm, "local t = {} for i = 1, 1000 do t[i] = {i} end return 1", 500);
    assert!(vm.memory() < settled + 4 * 1024 * 1024, "{} -> {}", settled, vm.memory());
}

/// A host that hands Lua the reply first and reads the arguments afterwards, as a server
/// that logs a command once it ran could.
struct ReadsArgsAfterReply {
    reply: Vec<u8>,
    seen: std::cell::RefCell<Vec<Vec<u8>>>,
}

impl super::host::Host for ReadsArgsAfterReply {
    fn call(&self, argv: &[&[u8]], on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        on_reply(&self.reply);
        self.seen.borrow_mut().extend(argv.iter().map(|a| a.to_vec()));
        Ok(())
    }
    fn acl_check(&self, _argv: &[&[u8]]) -> Option<bool> {
        Some(true)
    }
    fn resp3(&self) -> bool {
        false
    }
    fn set_resp3(&self, _on: bool) {}
    fn set_repl(&self, _flags: i32) {}
    fn log(&self, _level: i32, _msg: &[u8]) {}
    fn interrupt(&self) -> super::host::Interrupt {
        super::host::Interrupt::Continue
    }
}

/// Redis pops `redis.call`'s arguments before converting the reply; what the host reads of
/// them must not be strings the collector freed meanwhile (here every allocation runs it,
/// and the reply's strings are the size of the freed arguments).
#[test]
fn command_arguments_outlive_the_reply_conversion() {
    let mut vm = new_vm();
    let item = format!("$303\r\n{}\r\n", "z".repeat(303));
    let host =
        ReadsArgsAfterReply { reply: format!("*200\r\n{}", item.repeat(200)).into_bytes(), seen: Default::default() };
    let mut out = crate::convert::sink::RespWriter::new(false);
    vm.eval_for_test(
        b"collectgarbage('setpause', 0) collectgarbage('setstepmul', 1000000) \
          for i = 100, 119 do redis.call('set', 'key' .. i, string.rep('v', 300) .. i) end return 1",
        &host,
        &mut out,
    );
    assert_eq!(out.out, b":1\r\n");
    let want: Vec<Vec<u8>> = (100..120)
        .flat_map(|i| [b"set".to_vec(), format!("key{i}").into_bytes(), format!("{}{i}", "v".repeat(300)).into_bytes()])
        .collect();
    assert!(host.seen.borrow().as_slice() == want.as_slice(), "the arguments changed under the host");
}

/// A reply too large for the heap limit: `redis.call` raises Lua's memory error after the
/// reply was converted (with the limit lifted, so no `longjmp` crosses Rust frames), drops
/// what it built, and a script that catches the error goes on with the memory it had.
#[test]
fn a_reply_over_the_heap_limit_is_a_memory_error_the_script_can_catch() {
    let mut vm = super::Vm::new(super::testing::VERSION, 2 << 20).expect("a VM");
    // 60,000 distinct strings: well over 2 MB as Lua values.
    let items: String = (0..60_000).map(|i| format!("$20\r\n{i:020}\r\n")).collect();
    let mut host = FakeHost::default();
    host.replies.insert(b"lrange".to_vec(), format!("*60000\r\n{items}").into_bytes());
    host.replies.insert(b"get".to_vec(), b"$2\r\nok\r\n".to_vec());
    let script = "local ok, e = pcall(redis.call, 'lrange', 'k', 0, -1) \
                  return {tostring(ok), tostring(e), redis.call('get', 'k'), string.rep('x', 100000):len()}";
    assert_eq!(
        eval_with(&mut vm, &host, script, false),
        "*4\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n$2\r\nok\r\n:100000\r\n"
    );
    assert!(vm.memory() < 1 << 20, "{} bytes left", vm.memory());
}
