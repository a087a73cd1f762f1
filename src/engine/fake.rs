//! A `Server` without Redis, for the engine's unit tests: commands from a small table with
//! canned replies, a clock that moves a set step per reading, and hooks for what a client
//! does while a script yields (`SCRIPT KILL`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::cluster::key_slot;
use super::server::{AclDenied, CommandKind, CommandSpec, ExecOptions, Server, ServerState};
use crate::error::ReplyError;

pub struct FakeServer {
    pub specs: HashMap<&'static str, CommandSpec>,
    pub replies: HashMap<&'static str, &'static [u8]>,
    /// Every command executed, lowercased name first.
    pub executed: RefCell<Vec<Vec<Vec<u8>>>>,
    pub state: Cell<ServerState>,
    pub denial: RefCell<Option<ReplyError>>,
    pub local_slots: RefCell<Vec<u16>>,
    pub logs: RefCell<Vec<(i32, String)>>,
    /// Microseconds the clock moves at each reading.
    pub tick_us: Cell<u64>,
    pub clock_us: Cell<u64>,
    pub threshold_ms: Cell<u64>,
    pub db: Cell<i32>,
    pub selects: RefCell<Vec<i32>>,
    /// Runs at every yield (as a client's command would, served while the script is busy).
    pub on_yield: RefCell<Option<Box<dyn Fn()>>>,
    pub yields: Cell<u64>,
    /// `DEBUG set-disable-deny-scripts 1` is in effect.
    pub deny_scripts_disabled: Cell<bool>,
}

fn spec(arity: i32, write: bool, kind: CommandKind) -> CommandSpec {
    CommandSpec { arity, kind, write, ..CommandSpec::default() }
}

impl Default for FakeServer {
    fn default() -> FakeServer {
        let specs = HashMap::from([
            ("get", spec(2, false, CommandKind::Plain)),
            ("set", spec(-3, true, CommandKind::Plain)),
            ("ping", spec(-1, false, CommandKind::Plain)),
            ("select", spec(2, false, CommandKind::Select)),
            ("debug", CommandSpec { no_script: true, ..spec(-2, false, CommandKind::Plain) }),
        ]);
        let replies = HashMap::from([("get", &b"$1\r\nv\r\n"[..]), ("set", b"+OK\r\n"), ("ping", b"+PONG\r\n")]);
        FakeServer {
            specs,
            replies,
            executed: RefCell::default(),
            state: Cell::default(),
            denial: RefCell::new(None),
            local_slots: RefCell::default(),
            logs: RefCell::default(),
            tick_us: Cell::new(0),
            clock_us: Cell::new(1_000_000),
            threshold_ms: Cell::new(0),
            db: Cell::new(0),
            selects: RefCell::default(),
            on_yield: RefCell::new(None),
            yields: Cell::new(0),
            deny_scripts_disabled: Cell::new(false),
        }
    }
}

impl FakeServer {
    fn name(argv: &[&[u8]]) -> String {
        argv.first().map(|n| String::from_utf8_lossy(n).to_ascii_lowercase()).unwrap_or_default()
    }

    pub fn executed_names(&self) -> Vec<String> {
        self.executed.borrow().iter().map(|argv| String::from_utf8_lossy(&argv[0]).into_owned()).collect()
    }
}

impl Server for FakeServer {
    fn command(&self, argv: &[&[u8]]) -> Option<CommandSpec> {
        self.specs.get(Self::name(argv).as_str()).copied()
    }

    fn acl(&self, _argv: &[&[u8]]) -> Result<(), AclDenied> {
        Ok(())
    }

    fn acl_allows(&self, _argv: &[&[u8]]) -> bool {
        true
    }

    fn execute(&self, argv: &[&[u8]], opts: ExecOptions, on_reply: &mut dyn FnMut(&[u8])) -> Result<(), Vec<u8>> {
        let name = Self::name(argv);
        if opts.check_write_state {
            if let Some(denial) = self.denial.borrow().as_ref() {
                return Err(denial.to_wire().into_owned());
            }
        }
        let mut recorded: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
        recorded[0] = name.clone().into_bytes();
        self.executed.borrow_mut().push(recorded);
        let reply: &[u8] = match name.as_str() {
            "select" => b"+OK\r\n",
            other => self.replies.get(other).copied().unwrap_or(b"+OK\r\n"),
        };
        on_reply(reply);
        Ok(())
    }

    fn state(&self) -> ServerState {
        self.state.get()
    }

    fn write_denial(&self) -> Option<ReplyError> {
        self.denial.borrow().clone()
    }

    fn keys_slot(&self, argv: &[&[u8]]) -> Option<u16> {
        let spec = self.command(argv)?;
        (spec.kind == CommandKind::Plain && argv.len() > 1 && Self::name(argv) != "ping").then(|| key_slot(argv[1]))
    }

    fn slot_is_local(&self, slot: u16) -> bool {
        self.local_slots.borrow().contains(&slot)
    }

    fn log(&self, level: i32, msg: &[u8]) {
        self.logs.borrow_mut().push((level, String::from_utf8_lossy(msg).into_owned()));
    }

    fn yield_busy(&self) {
        self.yields.set(self.yields.get() + 1);
        if let Some(client) = self.on_yield.borrow().as_ref() {
            client();
        }
    }

    fn now_us(&self) -> u64 {
        let now = self.clock_us.get();
        self.clock_us.set(now + self.tick_us.get());
        now
    }

    fn busy_threshold_ms(&self) -> u64 {
        self.threshold_ms.get()
    }

    fn deny_scripts_disabled(&self) -> bool {
        self.deny_scripts_disabled.get()
    }

    fn selected_db(&self) -> i32 {
        self.db.get()
    }

    fn select_db(&self, db: i32) -> bool {
        self.selects.borrow_mut().push(db);
        self.db.set(db);
        true
    }
}
