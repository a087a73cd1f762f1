//! The engine's rules, against a fake server: what a run leaves behind (the database it
//! selected), when a kill is refused or counted, the cluster slot rule, write refusals.

use std::cell::RefCell;
use std::rc::Rc;

use super::busy::request_kill;
use super::cluster::key_slot;
use super::counters::COUNTERS;
use super::fake::FakeServer;
use super::{Engine, Invocation, Origin, Settings};
use crate::convert::sink::RespWriter;
use crate::error::{LuaApiError, ReplyError, KILLED_TEXT};
use crate::vm::ServerVersion;

fn engine() -> Engine {
    let version = ServerVersion { major: 7, minor: 0, patch: 15 };
    Engine::new(Settings { version, heap_limit: 0, kill_readonly_after_ms: 0, max_eval_scripts: 500 }).unwrap()
}

fn run_as(engine: &mut Engine, server: &FakeServer, body: &str, keys: &[&str], read_only: bool) -> String {
    let found = engine.load(body.as_bytes(), Origin::Eval).unwrap();
    let keys: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes()).collect();
    let inv = Invocation { keys: &keys, args: &[], read_only };
    let mut out = RespWriter::new(false);
    engine.run(&found, &inv, server, &mut out);
    String::from_utf8_lossy(&out.out).into_owned()
}

fn run(engine: &mut Engine, server: &FakeServer, body: &str) -> String {
    run_as(engine, server, body, &[], false)
}

/// A server that sees a busy script at every hook check, with `client` run at each yield.
fn busy_server(client: impl Fn() + 'static) -> FakeServer {
    let server = FakeServer::default();
    server.threshold_ms.set(1);
    server.tick_us.set(1000);
    *server.on_yield.borrow_mut() = Some(Box::new(client));
    server
}

#[test]
fn the_database_a_script_selected_is_restored() {
    let mut e = engine();
    let server = FakeServer::default();
    server.db.set(4);
    assert_eq!(run(&mut e, &server, "redis.call('select', 9) return redis.call('ping')"), "+PONG\r\n");
    assert_eq!(*server.selects.borrow(), vec![9, 4]);
    assert_eq!(server.db.get(), 4);
    server.selects.borrow_mut().clear();
    run(&mut e, &server, "return redis.call('ping')");
    assert!(server.selects.borrow().is_empty(), "no SELECT, nothing to restore");
}

#[test]
fn a_script_that_wrote_cannot_be_killed() {
    let refusals = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&refusals);
    let server = busy_server(move || seen.borrow_mut().push(request_kill()));
    let mut e = engine();
    let kills_before = COUNTERS.with(|c| c.kills.get());
    let reply =
        run(&mut e, &server, "redis.call('set', 'k', 'v') local n = 0 for i = 1, 500000 do n = n + 1 end return n");
    assert_eq!(reply, ":500000\r\n");
    let refusals = refusals.borrow();
    assert!(!refusals.is_empty(), "the script yielded");
    assert!(refusals.iter().all(|r| *r == Err(ReplyError::Unkillable)), "{refusals:?}");
    assert_eq!(COUNTERS.with(|c| c.kills.get()), kills_before);
}

#[test]
fn a_killed_script_stops_even_under_pcall_and_is_counted_once() {
    let server = busy_server(|| {
        let _ = request_kill();
    });
    let mut e = engine();
    let kills_before = COUNTERS.with(|c| c.kills.get());
    let reply = run(
        &mut e,
        &server,
        "redis.call('get', 'k') while true do pcall(function() local n = 0 while true do n = n + 1 end end) end",
    );
    assert!(reply.starts_with('-') && reply.contains(KILLED_TEXT), "{reply}");
    assert_eq!(COUNTERS.with(|c| c.kills.get()), kills_before + 1);
    assert!(server.logs.borrow().iter().any(|(_, line)| line.contains("killed by user")));
}

#[test]
fn outside_a_run_there_is_nothing_to_kill() {
    assert_eq!(request_kill(), Err(ReplyError::NotBusy));
}

#[test]
fn a_cluster_script_keeps_to_the_slot_of_its_first_key() {
    let mut e = engine();
    let server = FakeServer::default();
    server.state.set(super::server::ServerState { cluster: true, ..Default::default() });
    let (a, b) = ("a", "b");
    assert_ne!(key_slot(a.as_bytes()), key_slot(b.as_bytes()));
    server.local_slots.borrow_mut().extend([key_slot(a.as_bytes()), key_slot(b.as_bytes())]);
    let cross = LuaApiError::ClusterCrossSlot.text();
    let reply = run_as(&mut e, &server, "#!lua\nreturn redis.pcall('get', 'b')", &[a], false);
    assert!(reply.contains(cross), "{reply}");
    // Without declared keys the first key touched pins the slot.
    let reply = run(&mut e, &server, "#!lua\nredis.call('get', 'a') return redis.pcall('get', 'b')");
    assert!(reply.contains(cross), "{reply}");
    // Scripts without a shebang, and those flagged so, may touch any local key.
    let reply = run_as(&mut e, &server, "return redis.call('get', 'b')", &[a], false);
    assert_eq!(reply, "$1\r\nv\r\n");
    let flagged = "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get', 'b')";
    assert_eq!(run_as(&mut e, &server, flagged, &[a], false), "$1\r\nv\r\n");
    server.local_slots.borrow_mut().retain(|s| *s == key_slot(a.as_bytes()));
    let reply = run_as(&mut e, &server, "#!lua\nreturn redis.pcall('get', 'b')", &[a], false);
    assert!(reply.contains(LuaApiError::ClusterNonLocalKey.text()), "{reply}");
}

#[test]
fn writes_are_refused_where_redis_refuses_them() {
    let mut e = engine();
    let server = FakeServer::default();
    // A read-only command: the script's write is refused, nothing runs.
    let reply = run_as(&mut e, &server, "return redis.pcall('set', 'k', 'v')", &[], true);
    assert!(reply.contains(LuaApiError::WriteInReadOnlyScript.text()), "{reply}");
    assert!(server.executed.borrow().is_empty());
    // A persistence error: a shebang script that may write is refused before it starts...
    *server.denial.borrow_mut() = Some(ReplyError::MisconfRdb);
    let misconf = String::from_utf8_lossy(&ReplyError::MisconfRdb.to_wire()).into_owned();
    let reply = run(&mut e, &server, "#!lua\nreturn redis.call('ping')");
    assert_eq!(reply, format!("-{misconf}\r\n"));
    assert!(server.executed.borrow().is_empty());
    // ...one without a shebang starts, and its first write is refused; reads still run.
    let reply = run(&mut e, &server, "redis.call('get', 'k') return redis.pcall('set', 'k', 'v')");
    assert!(reply.contains("MISCONF"), "{reply}");
    assert_eq!(server.executed_names(), vec!["get"]);
}

#[test]
fn deny_script_commands_run_only_while_redis_allows_them() {
    let mut e = engine();
    let server = FakeServer::default();
    let body = "return redis.pcall('debug', 'protocol', 'true')";
    let reply = run(&mut e, &server, body);
    assert!(reply.contains(LuaApiError::NotAllowedFromScript.text()), "{reply}");
    assert!(server.executed.borrow().is_empty());
    // `DEBUG set-disable-deny-scripts 1`, as Redis's test suite uses it.
    server.deny_scripts_disabled.set(true);
    assert_eq!(run(&mut e, &server, body), "+OK\r\n");
    assert_eq!(server.executed_names(), vec!["debug"]);
}

#[test]
fn info_memory_follows_the_statistics_of_scripts_that_ran() {
    let version = ServerVersion { major: 7, minor: 0, patch: 15 };
    let capped =
        |cap| Engine::new(Settings { version, heap_limit: 0, kill_readonly_after_ms: 0, max_eval_scripts: cap });
    let server = FakeServer::default();
    let mut e = capped(1).unwrap();
    e.admit(b"return 1", Origin::Load, false).unwrap();
    let loaded = e.snapshot().scripts_memory;
    run(&mut e, &server, "return 1");
    let ran = e.snapshot().scripts_memory;
    assert!(ran > loaded, "a run makes the script's statistics");
    run(&mut e, &server, "return 1");
    assert_eq!(e.snapshot().scripts_memory, ran, "once");
    // An EVAL-born script evicted by the cap takes its statistics along.
    run(&mut e, &server, "return 2");
    run(&mut e, &server, "return 3");
    let mut alone = capped(1).unwrap();
    alone.admit(b"return 1", Origin::Load, false).unwrap();
    run(&mut alone, &server, "return 1");
    run(&mut alone, &server, "return 3");
    assert_eq!(e.snapshot().scripts_memory, alone.snapshot().scripts_memory);
    e.flush().unwrap();
    assert_eq!(e.snapshot().scripts_memory, 0);
}
