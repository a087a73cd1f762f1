//! Test support: a VM driven by a fake host that answers commands from a table of canned
//! RESP replies, with results captured as the exact RESP bytes Redis would send.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::host::{Host, Interrupt};
use super::vm::{ServerVersion, Vm};
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
    Vm::new(VERSION, 0).unwrap_or_else(|| std::process::abort())
}

/// Runs `body` and returns the RESP the client would get (RESP2 or RESP3 client).
pub fn eval_with(vm: &Vm, host: &FakeHost, body: &str, resp3_client: bool) -> String {
    let mut out = RespWriter::new(resp3_client);
    vm.eval_for_test(body.as_bytes(), host, &mut out);
    String::from_utf8_lossy(&out.out).into_owned()
}

pub fn eval(body: &str) -> String {
    eval_with(&new_vm(), &FakeHost::default(), body, false)
}
