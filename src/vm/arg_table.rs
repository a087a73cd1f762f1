//! The KEYS and ARGV globals, refilled in place when the script left them untouched.

use std::cell::Cell;
use std::ffi::c_int;

use crate::lua::state::{Lua, GLOBALS, REGISTRY};

/// The KEYS or ARGV global. Redis builds a new table for every run; when the previous
/// run's table was not touched by the script (its write counter did not move and it got
/// no metatable) and has the array size a new one would have, it is refilled instead:
/// the same contents in the same layout, without the allocations.
pub struct ArgTable {
    /// Registry references: the global's name, and the current table (0 = none yet).
    name: c_int,
    table: Cell<c_int>,
    capacity: Cell<usize>,
    len: Cell<usize>,
    writes: Cell<u32>,
}

impl ArgTable {
    pub fn new(lua: &mut Lua, name: &[u8]) -> ArgTable {
        lua.push_bytes(name);
        let name = lua.registry_ref();
        ArgTable { name, table: Cell::new(0), capacity: Cell::new(0), len: Cell::new(0), writes: Cell::new(0) }
    }

    /// Makes the global hold `items`.
    pub fn fill(&self, lua: &mut Lua, items: &[&[u8]]) {
        let capacity = if items.is_empty() { 0 } else { items.len().next_power_of_two().min(1 << 26) };
        if self.table.get() != 0 && self.capacity.get() == capacity {
            lua.raw_geti(REGISTRY, self.table.get());
            if lua.get_metatable(-1) {
                lua.pop(2);
            } else if lua.table_writes(-1) == self.writes.get() {
                refill_items(lua, items, self.len.get());
                self.remember(lua, items.len());
                lua.pop(1);
                return;
            } else {
                lua.pop(1);
            }
        }
        lua.create_table(capacity as c_int, 0);
        store_items(lua, items);
        self.remember(lua, items.len());
        lua.push_value(-1);
        let old = self.table.replace(lua.registry_ref());
        if old != 0 {
            lua.registry_unref(old);
        }
        self.capacity.set(capacity);
        lua.raw_geti(REGISTRY, self.name);
        lua.insert(-2);
        lua.set_readonly(GLOBALS, false);
        lua.raw_set(GLOBALS);
        lua.set_readonly(GLOBALS, true);
    }

    fn remember(&self, lua: &mut Lua, len: usize) {
        self.len.set(len);
        self.writes.set(lua.table_writes(-1));
    }
}

/// Like `store_items` for a table already holding the previous run's items: a slot that
/// already holds the same bytes keeps its string (an argument repeated from call to call,
/// such as a large document, is then not hashed and interned again).
fn refill_items(lua: &mut Lua, items: &[&[u8]], old_len: usize) {
    for (i, item) in items.iter().enumerate() {
        let slot = i as c_int + 1;
        if i < old_len {
            lua.raw_geti(-1, slot);
            let same = lua.string_bytes(-1) == Some(*item);
            lua.pop(1);
            if same {
                continue;
            }
        }
        lua.push_bytes(item);
        lua.raw_seti(-2, slot);
    }
    for i in items.len()..old_len {
        lua.push_nil();
        lua.raw_seti(-2, i as c_int + 1);
    }
}

/// `t[1..] = items` for the (new) table on top.
fn store_items(lua: &mut Lua, items: &[&[u8]]) {
    for (i, item) in items.iter().enumerate() {
        lua.push_bytes(item);
        lua.raw_seti(-2, i as c_int + 1);
    }
}
