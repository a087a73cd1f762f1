//! The only place that calls the Lua C API.
//!
//! [`Lua`] is an opaque, zero-sized stand-in for a `lua_State`, used only by reference, with
//! one safe method per API call we use. The invariants every `// SAFETY:` below relies on:
//! * a `&Lua` is lent by an [`OwnedState`] (so it cannot outlive it), or made for the length
//!   of Lua's call into one of our C functions or hooks, and is only used on the thread that
//!   owns the VM (Redis's main thread);
//! * stack indices passed in are valid (acceptable indices, as the Lua manual defines them);
//! * whoever pushes more than `LUA_MINSTACK` (20) values first reserves room with
//!   [`Lua::check_stack`].
//!
//! Slices of Lua strings borrow the state (`bytes_at(&self)`), and every method that can
//! take a value off the stack or move one (pop, set, call, `next`, insert...) needs
//! `&mut self`, so a slice cannot outlive the stack slot that keeps its string alive. Methods
//! that only push or read take `&self`: the collector they may run treats the stack as a
//! root. Each C frame gets its own `&mut Lua` (a nested frame cannot reach the slots below its
//! own), and [`Lua::pin_string`] lends a string argument together with the stack above it
//! for code that reads the one while building on the other.
//!
//! Lua reports errors with `longjmp`. The raw (`rawget`/`rawset`) calls used here never raise,
//! except when memory runs out; the heap limit is lifted while Rust code runs (see `Heap`),
//! and held again when it returns, so only the machine running out could raise there. The few
//! calls that can run metamethods or raise are named (`get_field`, `call`) and are only used
//! where no Rust value with a destructor lives in the frames being unwound. Rust functions
//! raise errors by returning them: the trampolines here (`call_rust`, `call_hook`) raise after
//! the Rust code has returned.

use std::ffi::{c_int, c_void, CStr};
use std::marker::{PhantomData, PhantomPinned};
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use mlua_sys as ffi;

use super::callback::{LuaResult, Raise};
use super::heap::Heap;

pub use ffi::lua_CFunction as CFunction;
pub use ffi::lua_Debug as Debug;
pub use ffi::lua_State as RawState;

pub const REGISTRY: c_int = ffi::LUA_REGISTRYINDEX;
pub const GLOBALS: c_int = ffi::LUA_GLOBALSINDEX;
pub const MULTRET: c_int = ffi::LUA_MULTRET;
pub const MASK_COUNT: c_int = ffi::LUA_MASKCOUNT;
pub const MASK_LINE: c_int = ffi::LUA_MASKLINE;

/// Pseudo-index of a C closure's upvalue `n` (1-based).
pub const fn upvalue_index(n: c_int) -> c_int {
    GLOBALS - n
}

// Redis's VM additions (see build/lua_patches.rs).
unsafe extern "C-unwind" {
    fn lua_enablereadonlytable(l: *mut RawState, idx: c_int, enabled: c_int);
    fn lua_isreadonlytable(l: *mut RawState, idx: c_int) -> c_int;
    fn lua_tablewrites(l: *mut RawState, idx: c_int) -> std::ffi::c_uint;
}

/// Status codes of `lua_pcall` and `luaL_loadbuffer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Runtime,
    Syntax,
    Memory,
    ErrorHandler,
}

impl Status {
    fn from_code(code: c_int) -> Status {
        match code {
            0 => Status::Ok,
            ffi::LUA_ERRSYNTAX => Status::Syntax,
            ffi::LUA_ERRMEM => Status::Memory,
            ffi::LUA_ERRERR => Status::ErrorHandler,
            _ => Status::Runtime,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    None,
    Nil,
    Boolean,
    LightUserdata,
    Number,
    String,
    Table,
    Function,
    Userdata,
    Thread,
}

impl Type {
    fn from_code(code: c_int) -> Type {
        match code {
            ffi::LUA_TNIL => Type::Nil,
            ffi::LUA_TBOOLEAN => Type::Boolean,
            ffi::LUA_TLIGHTUSERDATA => Type::LightUserdata,
            ffi::LUA_TNUMBER => Type::Number,
            ffi::LUA_TSTRING => Type::String,
            ffi::LUA_TTABLE => Type::Table,
            ffi::LUA_TFUNCTION => Type::Function,
            ffi::LUA_TUSERDATA => Type::Userdata,
            ffi::LUA_TTHREAD => Type::Thread,
            _ => Type::None,
        }
    }

    /// Lua's own name for the type, as in error messages ("no value" for none).
    pub fn name(&self) -> &'static str {
        match self {
            Type::None => "no value",
            Type::Nil => "nil",
            Type::Boolean => "boolean",
            Type::LightUserdata | Type::Userdata => "userdata",
            Type::Number => "number",
            Type::String => "string",
            Type::Table => "table",
            Type::Function => "function",
            Type::Thread => "thread",
        }
    }
}

/// A Lua state together with the heap its allocator accounts to. Dropping it runs a full
/// collection (so finalizers see a whole VM, as Debian's CVE-2024-46981 fix does) and closes
/// the state before the heap goes; the `&Lua` it lends cannot outlive it.
pub struct OwnedState {
    state: NonNull<RawState>,
    heap: Box<Heap>,
}

impl OwnedState {
    /// A new state whose allocator counts into a fresh heap; `None` if memory is refused.
    pub fn new() -> Option<OwnedState> {
        let heap = Box::new(Heap::new(0));
        let ud = (&*heap as *const Heap).cast_mut().cast::<c_void>();
        // SAFETY: `lua_alloc` follows lua_Alloc for user data pointing to a `Heap`; the boxed
        // heap does not move and lives in this struct, whose Drop closes the state first.
        let l = unsafe { ffi::lua_newstate(lua_alloc, ud) };
        NonNull::new(l).map(|state| OwnedState { state, heap })
    }

    pub fn lua(&self) -> &Lua {
        // SAFETY: the state lives as long as `self`, which the reference borrows.
        unsafe { Lua::from_raw(self.state.as_ptr()) }
    }

    /// The state and the heap together, for running code while watching the heap.
    pub fn parts(&mut self) -> (&mut Lua, &Heap) {
        // SAFETY: as in `lua`; `&mut self` makes this the only reference lent.
        (unsafe { Lua::from_raw(self.state.as_ptr()) }, &self.heap)
    }

    pub fn heap(&self) -> &Heap {
        &self.heap
    }
}

impl Drop for OwnedState {
    fn drop(&mut self) {
        self.lua().gc(GcOp::Collect, 0);
        // SAFETY: the state is ours and closed once; every reference lent borrowed `self`.
        unsafe { ffi::lua_close(self.state.as_ptr()) }
    }
}

/// `lua_Alloc` over libc, accounted in the `Heap` given as user data (see `Heap::admit`).
unsafe extern "C" fn lua_alloc(ud: *mut c_void, ptr: *mut c_void, osize: usize, nsize: usize) -> *mut c_void {
    // SAFETY: `ud` is the boxed Heap of the OwnedState that created the state; it outlives
    // every allocation of that state.
    let heap = unsafe { &*(ud as *const Heap) };
    let old = if ptr.is_null() { 0 } else { osize };
    if nsize == 0 {
        // SAFETY: `ptr` is null or a block from the realloc below.
        unsafe { libc::free(ptr) };
        heap.record(old, 0);
        return std::ptr::null_mut();
    }
    if !heap.admit(old, nsize) {
        return std::ptr::null_mut();
    }
    // SAFETY: `ptr` is null or a live block from this allocator.
    let p = unsafe { libc::realloc(ptr, nsize) };
    if !p.is_null() {
        heap.record(old, nsize);
    }
    p
}

/// A Rust function Lua can call: [`lua_fn!`](crate::lua_fn) makes one of a
/// `fn(&mut Lua) -> LuaResult<c_int>`.
pub trait LuaFunction {
    const FUNC: fn(&mut Lua) -> LuaResult<c_int>;
}

/// The heap the allocator of `l` accounts to.
///
/// # Safety
/// `l` must be a live state of ours, and `'a` must not outlive it.
unsafe fn heap_of<'a>(l: *mut RawState) -> &'a Heap {
    let mut ud: *mut c_void = std::ptr::null_mut();
    // SAFETY: every state is made by `OwnedState::new` (coroutines share its allocator), whose
    // user data is the boxed `Heap`, which outlives the state.
    unsafe {
        ffi::lua_getallocf(l, &mut ud);
        &*ud.cast::<Heap>()
    }
}

/// The C function Lua calls for `F`.
pub const fn c_function<F: LuaFunction>() -> CFunction {
    call_rust::<F>
}

/// Runs `F::FUNC` for Lua: catches panics, and raises a Lua error only after the Rust function
/// has returned and dropped everything it owned, so the `longjmp` never skips a destructor.
/// The heap limit is lifted meanwhile (see `Heap`'s `in_rust`) and checked afterwards.
unsafe extern "C-unwind" fn call_rust<F: LuaFunction>(l: *mut RawState) -> c_int {
    // SAFETY: Lua calls C functions with its live state, on the VM's thread.
    let lua = unsafe { Lua::from_raw(l) };
    // SAFETY: as above; the heap outlives this call.
    let heap = unsafe { heap_of(l) };
    let was_rust = heap.set_running_rust(true);
    let outcome = catch_unwind(AssertUnwindSafe(|| (F::FUNC)(&mut *lua)));
    let raise = match outcome {
        Ok(Ok(n)) => {
            heap.set_running_rust(was_rust);
            lua.fail_if_over_limit(heap);
            return n;
        }
        Ok(Err(raise)) => raise,
        Err(_) => Raise::located(crate::error::INTERNAL_ERROR),
    };
    raise_now(lua, raise, heap, was_rust)
}

#[cold]
#[inline(never)]
fn raise_now(lua: &mut Lua, raise: Raise, heap: &Heap, was_rust: bool) -> ! {
    // The error may be that the stack is full (a nesting limit). The message needs room;
    // this frame's values can go, the error unwinds them anyway.
    if !matches!(raise, Raise::Pushed) && !lua.check_stack(3) {
        lua.set_top(0);
    }
    match raise {
        Raise::Pushed => {}
        Raise::Located(msg) => {
            lua.push_where(1);
            lua.push_bytes(&msg);
            drop(msg);
            lua.concat(2);
        }
        Raise::Arg(narg, msg) => {
            // Keep the message in Lua memory so nothing Rust-owned outlives this frame (Lua
            // strings are NUL-terminated).
            lua.push_bytes(&msg);
            drop(msg);
            heap.set_running_rust(was_rust);
            lua.fail_if_over_limit(heap);
            let text = lua.bytes_at(-1).map_or(std::ptr::null(), |b| b.as_ptr().cast());
            // SAFETY: only reached from `call_rust`, directly inside a C function called by
            // Lua; the message lives on the Lua stack and nothing in these frames needs drop.
            unsafe { ffi::luaL_argerror(lua.as_ptr(), narg, text) };
            unreachable_after_raise()
        }
    }
    heap.set_running_rust(was_rust);
    lua.fail_if_over_limit(heap);
    // SAFETY: as above; the error value is on top of the stack.
    unsafe { ffi::lua_error(lua.as_ptr()) }
}

/// What a count hook decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookVerdict {
    Continue,
    /// Raise the value the hook left on top of the stack.
    RaisePushed,
}

/// A Rust count/line hook: `on_hook` gets the state and the chunk name of the running
/// function (read only when asked for).
pub trait LuaHook {
    fn on_hook(lua: &mut Lua, source: &dyn Fn() -> Vec<u8>) -> HookVerdict;
}

unsafe extern "C-unwind" fn call_hook<H: LuaHook>(l: *mut RawState, ar: *mut Debug) {
    // SAFETY: Lua passes its live state to hooks.
    let lua = unsafe { Lua::from_raw(l) };
    let source = || {
        if ar.is_null() {
            return Vec::new();
        }
        // SAFETY: `ar` is the activation record of this hook call; "S" fills `source` with
        // a NUL-terminated string owned by the running function's prototype.
        unsafe {
            if ffi::lua_getinfo(l, c"S".as_ptr(), ar) == 0 || (*ar).source.is_null() {
                return Vec::new();
            }
            CStr::from_ptr((*ar).source).to_bytes().to_vec()
        }
    };
    // SAFETY: as above; the heap outlives this call.
    let heap = unsafe { heap_of(l) };
    let was_rust = heap.set_running_rust(true);
    let verdict = catch_unwind(AssertUnwindSafe(|| H::on_hook(&mut *lua, &source)));
    let raise = matches!(verdict, Ok(HookVerdict::RaisePushed));
    drop(verdict);
    heap.set_running_rust(was_rust);
    lua.fail_if_over_limit(heap);
    if raise {
        // SAFETY: raising from a hook is allowed; what this frame owned is dropped above (the
        // closure owns nothing), so the longjmp skips no destructor.
        unsafe { ffi::lua_error(lua.as_ptr()) };
    }
}

/// A Lua state (or a coroutine of it), only ever seen through a reference: `&Lua` and
/// `&mut Lua` are the `lua_State` pointer itself. The type is opaque and zero-sized, so there
/// is no handle value that could be copied, swapped or kept past its frame. See the module
/// docs for the invariants.
pub struct Lua {
    _opaque: [u8; 0],
    /// Not `Send`/`Sync` (the VM belongs to one thread), and not `Unpin`.
    _state: PhantomData<(*mut RawState, PhantomPinned)>,
}

impl Lua {
    /// The state handed to us by Lua (C function or hook argument), or owned by an
    /// `OwnedState`, for as long as the caller chooses.
    ///
    /// # Safety
    /// `l` must be a live, non-null Lua state of our VM, used on the VM's thread, for all of `'a`.
    #[inline]
    unsafe fn from_raw<'a>(l: *mut RawState) -> &'a mut Lua {
        // SAFETY: `Lua` is zero-sized, so the reference covers no bytes; `l` is non-null and
        // a zero-sized type has alignment 1.
        unsafe { &mut *l.cast::<Lua>() }
    }

    #[inline]
    fn as_ptr(&self) -> *mut RawState {
        (self as *const Lua).cast_mut().cast::<RawState>()
    }

    /// The heap the state's allocator accounts to.
    fn heap(&self) -> &Heap {
        // SAFETY: `self` is a live state, and the borrow ends with it.
        unsafe { heap_of(self.as_ptr()) }
    }

    /// After Rust code ran with the limit lifted: where the limit applies and is passed,
    /// collects garbage (what the code built stays), and if that is not enough raises Lua's
    /// memory error, as the allocation that crossed the limit would have. Only called where
    /// the `longjmp` skips no destructor.
    #[inline]
    fn fail_if_over_limit(&mut self, heap: &Heap) {
        if heap.limit_applies() && heap.over_limit() {
            self.collect_or_raise(heap);
        }
    }

    #[cold]
    fn collect_or_raise(&mut self, heap: &Heap) {
        // Our own collections run without the limit: shrinking the string table allocates
        // the smaller one before freeing the larger.
        heap.set_running_rust(true);
        self.gc(GcOp::Collect, 0);
        if !heap.over_limit() {
            heap.set_running_rust(false);
            return;
        }
        // What the frame holds goes and is collected, so a script that catches the error
        // goes on with the memory it had.
        self.set_top(0);
        self.gc(GcOp::Collect, 0);
        heap.set_running_rust(false);
        heap.refuse_next_growth();
        // Raises LUA_ERRMEM ("not enough memory"), as any refused allocation does.
        self.new_userdata(0);
        unreachable_after_raise()
    }

    /// Runs `f`, a call that may run Lua code, with the heap limit applying to that code
    /// (see `Heap`'s `in_rust`). An error raised in the Lua code skips setting it back, which
    /// is right: it unwinds to a protected call made from Lua code, or from `pcall` here,
    /// which sets it back itself.
    #[inline]
    fn running_lua<R>(&self, f: impl FnOnce() -> R) -> R {
        let was_rust = self.heap().set_running_rust(false);
        let out = f();
        self.heap().set_running_rust(was_rust);
        out
    }

    // ---- stack ----

    #[inline]
    pub fn top(&self) -> c_int {
        // SAFETY: `self` is a live state on its own thread; gettop only reads the frame's
        // bounds.
        unsafe { ffi::lua_gettop(self.as_ptr()) }
    }

    #[inline]
    pub fn set_top(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` is a height within this frame
        // (API checks verify it in tests), and growing fills with nil; `&mut self` ends every
        // borrowed slice first.
        unsafe { ffi::lua_settop(self.as_ptr(), idx) }
    }

    #[inline]
    pub fn pop(&mut self, n: c_int) {
        self.set_top(-n - 1)
    }

    /// Makes room for `n` more values; false when the stack cannot grow (LUAI_MAXCSTACK).
    #[inline]
    pub fn check_stack(&self, n: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; checkstack reports failure instead
        // of raising.
        unsafe { ffi::lua_checkstack(self.as_ptr(), n) != 0 }
    }

    #[inline]
    pub fn push_value(&self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` is an acceptable index, and
        // the frame has room for one more value.
        unsafe { ffi::lua_pushvalue(self.as_ptr(), idx) }
    }

    /// Moves the top value to `idx`, shifting those above up (so it needs `&mut self`: it can
    /// move a pinned string within reach of a pop).
    #[inline]
    pub fn insert(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` is a valid index of this
        // frame; no value leaves the stack, and `&mut self` keeps pinned strings in place.
        unsafe { ffi::lua_insert(self.as_ptr(), idx) }
    }

    #[inline]
    pub fn remove(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` is a valid index of this
        // frame; `&mut self` ends every borrowed slice first.
        unsafe { ffi::lua_remove(self.as_ptr(), idx) }
    }

    #[inline]
    pub fn replace(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` is a valid index of this frame
        // and a value is on top; `&mut self` ends every borrowed slice first.
        unsafe { ffi::lua_replace(self.as_ptr(), idx) }
    }

    // ---- reading values ----

    #[inline]
    pub fn type_of(&self, idx: c_int) -> Type {
        // SAFETY: `self` is a live state on its own thread; lua_type accepts any acceptable
        // index, even one past the top.
        Type::from_code(unsafe { ffi::lua_type(self.as_ptr(), idx) })
    }

    #[inline]
    pub fn is_nil(&self, idx: c_int) -> bool {
        self.type_of(idx) == Type::Nil
    }

    /// Number, or a string convertible to one (`lua_isnumber`).
    #[inline]
    pub fn is_number(&self, idx: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index.
        unsafe { ffi::lua_isnumber(self.as_ptr(), idx) != 0 }
    }

    /// String or number (`lua_isstring`).
    #[inline]
    pub fn is_string(&self, idx: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index.
        unsafe { ffi::lua_isstring(self.as_ptr(), idx) != 0 }
    }

    /// `lua_tonumber`: 0 when not convertible.
    #[inline]
    pub fn to_number(&self, idx: c_int) -> f64 {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index (a
        // numeric string is read, not replaced).
        unsafe { ffi::lua_tonumber(self.as_ptr(), idx) }
    }

    #[inline]
    pub fn to_boolean(&self, idx: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index.
        unsafe { ffi::lua_toboolean(self.as_ptr(), idx) != 0 }
    }

    /// The bytes of a string value, without converting numbers. The slice stays valid while
    /// the value is on the stack (or otherwise referenced).
    #[inline]
    pub fn string_bytes(&self, idx: c_int) -> Option<&[u8]> {
        if self.type_of(idx) != Type::String {
            return None;
        }
        self.bytes_at(idx)
    }

    /// `lua_tolstring`: strings, and numbers converted in place with `%.14g` (so do not use it
    /// on a key during `next`). `None` for other types.
    #[inline]
    pub fn bytes_at(&self, idx: c_int) -> Option<&[u8]> {
        let mut len = 0usize;
        // SAFETY: `self` is a live state on its own thread; Lua returns a pointer to `len` bytes
        // owned by the string object.
        unsafe {
            let p = ffi::lua_tolstring(self.as_ptr(), idx, &mut len);
            if p.is_null() {
                None
            } else {
                Some(std::slice::from_raw_parts(p.cast::<u8>(), len))
            }
        }
    }

    #[inline]
    pub fn to_pointer(&self, idx: c_int) -> *const c_void {
        // SAFETY: `self` is a live state on its own thread; the pointer is only compared or
        // printed, never dereferenced.
        unsafe { ffi::lua_topointer(self.as_ptr(), idx) }
    }

    #[inline]
    pub fn to_userdata(&self, idx: c_int) -> *mut c_void {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index;
        // nothing is dereferenced here.
        unsafe { ffi::lua_touserdata(self.as_ptr(), idx) }
    }

    /// `lua_objlen`: string length, table border, userdata size.
    #[inline]
    pub fn objlen(&self, idx: c_int) -> usize {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index.
        unsafe { ffi::lua_objlen(self.as_ptr(), idx) }
    }

    // ---- pushing values ----

    #[inline]
    pub fn push_nil(&self) {
        // SAFETY: `self` is a live state on its own thread with room for one more value
        // (LUA_MINSTACK, or `check_stack`).
        unsafe { ffi::lua_pushnil(self.as_ptr()) }
    }

    #[inline]
    pub fn push_bool(&self, b: bool) {
        // SAFETY: `self` is a live state on its own thread with room for one more value.
        unsafe { ffi::lua_pushboolean(self.as_ptr(), c_int::from(b)) }
    }

    #[inline]
    pub fn push_number(&self, n: f64) {
        // SAFETY: `self` is a live state on its own thread with room for one more value.
        unsafe { ffi::lua_pushnumber(self.as_ptr(), n) }
    }

    #[inline]
    pub fn push_bytes(&self, s: &[u8]) {
        // SAFETY: `self` is a live state on its own thread; Lua copies the bytes.
        unsafe { ffi::lua_pushlstring_(self.as_ptr(), s.as_ptr().cast(), s.len()) }
    }

    #[inline]
    pub fn push_str(&self, s: &str) {
        self.push_bytes(s.as_bytes())
    }

    #[inline]
    #[allow(clippy::not_unsafe_ptr_arg_deref)] // Lua stores the pointer, never dereferences it
    pub fn push_light_userdata(&self, p: *mut c_void) {
        // SAFETY: `self` is a live state on its own thread; Lua stores the pointer without
        // dereferencing it.
        unsafe { ffi::lua_pushlightuserdata(self.as_ptr(), p) }
    }

    #[inline]
    pub fn push_cfunction(&self, f: CFunction) {
        self.push_cclosure(f, 0)
    }

    /// Pushes a C closure taking `n` upvalues from the top of the stack.
    #[inline]
    pub fn push_cclosure(&self, f: CFunction, n: c_int) {
        // SAFETY: `self` is a live state on its own thread; the `n` upvalues are on top, and `f`
        // is one of our trampolines or a Lua opener.
        unsafe { ffi::lua_pushcclosure(self.as_ptr(), f, n) }
    }

    /// Pushes a new full userdata of `size` bytes and returns its (aligned) memory.
    pub fn new_userdata(&self, size: usize) -> *mut c_void {
        // SAFETY: `self` is a live state on its own thread with room for one more value; Lua
        // owns and aligns the block.
        unsafe { ffi::lua_newuserdata(self.as_ptr(), size) }
    }

    // ---- tables ----

    #[inline]
    pub fn create_table(&self, narr: c_int, nrec: c_int) {
        // SAFETY: `self` is a live state on its own thread with room for one more value.
        unsafe { ffi::lua_createtable(self.as_ptr(), narr, nrec) }
    }

    /// Pushes `t[n]` without metamethods.
    #[inline]
    pub fn raw_geti(&self, idx: c_int, n: c_int) -> Type {
        // SAFETY: `self` is a live state on its own thread; `idx` holds a table (raw access runs
        // no Lua code) and there is room for the result.
        unsafe { ffi::lua_rawgeti_(self.as_ptr(), idx, n) };
        self.type_of(-1)
    }

    /// Pushes `t[key]` (raw) for a string key.
    #[inline]
    pub fn raw_get_str(&self, idx: c_int, key: &[u8]) -> Type {
        let idx = self.abs_index(idx);
        self.push_bytes(key);
        // SAFETY: `self` is a live state on its own thread; the key replaced is the one just
        // pushed.
        unsafe { ffi::lua_rawget_(self.as_ptr(), idx) };
        self.type_of(-1)
    }

    /// `t[k] = v` without metamethods; `k`, `v` on top (popped). Raises on a read-only table.
    #[inline]
    pub fn raw_set(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` holds a table, key and value
        // are on top; `&mut self` ends every borrowed slice before they are popped.
        unsafe { ffi::lua_rawset(self.as_ptr(), idx) }
    }

    /// `t[n] = v` without metamethods; `v` on top (popped). Raises on a read-only table.
    #[inline]
    pub fn raw_seti(&mut self, idx: c_int, n: c_int) {
        // SAFETY: `self` is a live state on its own thread; `idx` holds a table and the value is
        // on top; `&mut self` ends every borrowed slice before it is popped.
        unsafe { ffi::lua_rawseti_(self.as_ptr(), idx, n) }
    }

    /// `t[key] = v` (raw) for a string key; `v` on top (popped).
    #[inline]
    pub fn raw_set_str(&mut self, idx: c_int, key: &[u8]) {
        let idx = self.abs_index(idx);
        self.push_bytes(key);
        self.insert(-2);
        self.raw_set(idx)
    }

    /// Pushes `t[key]` honouring `__index` (may run Lua code and raise).
    pub fn get_field(&self, idx: c_int, key: &CStr) {
        self.running_lua(|| {
            // SAFETY: `self` is a live state on its own thread; callers accept that
            // metamethods run.
            unsafe { ffi::lua_getfield_(self.as_ptr(), idx, key.as_ptr()) }
        })
    }

    /// `t[key] = v` honouring `__newindex` (may run Lua code and raise); `v` on top.
    pub fn set_field(&mut self, idx: c_int, key: &CStr) {
        self.running_lua(|| {
            // SAFETY: `self` is a live state on its own thread; callers accept that
            // metamethods run.
            unsafe { ffi::lua_setfield(self.as_ptr(), idx, key.as_ptr()) }
        })
    }

    /// Table traversal: pops a key, pushes the next key and value; false at the end.
    #[inline]
    pub fn next(&mut self, idx: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; the key on top came from a previous
        // `next` (or is nil).
        unsafe { ffi::lua_next(self.as_ptr(), idx) != 0 }
    }

    /// Pushes the metatable of the value at `idx`, if it has one.
    pub fn get_metatable(&self, idx: c_int) -> bool {
        // SAFETY: `self` is a live state on its own thread; a read of an acceptable index,
        // pushing at most one value.
        unsafe { ffi::lua_getmetatable(self.as_ptr(), idx) != 0 }
    }

    /// Pops a table (or nil) and sets it as the metatable of the value at `idx`.
    pub fn set_metatable(&mut self, idx: c_int) {
        // SAFETY: `self` is a live state on its own thread; a table or nil is on top, as
        // lua_setmetatable requires.
        unsafe {
            ffi::lua_setmetatable(self.as_ptr(), idx);
        }
    }

    pub fn set_readonly(&self, idx: c_int, on: bool) {
        debug_assert_eq!(self.type_of(idx), Type::Table);
        // SAFETY: `self` is a live state on its own thread; the value at idx is a table.
        unsafe { lua_enablereadonlytable(self.as_ptr(), idx, c_int::from(on)) }
    }

    pub fn is_readonly(&self, idx: c_int) -> bool {
        debug_assert_eq!(self.type_of(idx), Type::Table);
        // SAFETY: `self` is a live state on its own thread; the value at idx is a table.
        unsafe { lua_isreadonlytable(self.as_ptr(), idx) != 0 }
    }

    /// How many stores the table at `idx` has received (luax's VM patch W1-W6).
    pub fn table_writes(&self, idx: c_int) -> u32 {
        debug_assert_eq!(self.type_of(idx), Type::Table);
        // SAFETY: `self` is a live state on its own thread; the value at idx is a table.
        unsafe { lua_tablewrites(self.as_ptr(), idx) }
    }

    /// Stores the value on top in the registry and returns its reference.
    pub fn registry_ref(&mut self) -> c_int {
        // SAFETY: `self` is a live state on its own thread; the value to store is on top.
        unsafe { ffi::luaL_ref(self.as_ptr(), REGISTRY) }
    }

    pub fn registry_unref(&self, r: c_int) {
        // SAFETY: `self` is a live state on its own thread; `r` came from `registry_ref` and is
        // released once; the stack still roots any string a slice points into.
        unsafe { ffi::luaL_unref(self.as_ptr(), REGISTRY, r) }
    }

    #[inline]
    pub fn abs_index(&self, idx: c_int) -> c_int {
        if idx > 0 || idx <= REGISTRY {
            idx
        } else {
            self.top() + idx + 1
        }
    }

    // ---- running code ----

    /// `luaL_loadbuffer`: compiles a chunk and pushes the function, or an error message.
    pub fn load_buffer(&self, chunk: &[u8], name: &CStr) -> Status {
        // SAFETY: `self` is a live state on its own thread; Lua reads `chunk` only during the
        // call.
        let code = unsafe { ffi::luaL_loadbuffer(self.as_ptr(), chunk.as_ptr().cast(), chunk.len(), name.as_ptr()) };
        Status::from_code(code)
    }

    /// `lua_pcall`.
    pub fn pcall(&mut self, nargs: c_int, nresults: c_int, errfunc: c_int) -> Status {
        self.running_lua(|| {
            // SAFETY: `self` is a live state on its own thread; errors are caught by Lua's own
            // setjmp inside lua_pcall.
            Status::from_code(unsafe { ffi::lua_pcall(self.as_ptr(), nargs, nresults, errfunc) })
        })
    }

    /// `lua_call`: unprotected, errors propagate to the enclosing protected call.
    pub fn call(&mut self, nargs: c_int, nresults: c_int) {
        self.running_lua(|| {
            // SAFETY: `self` is a live state on its own thread; the function and its `nargs`
            // arguments are on top. Errors unwind to the enclosing protected call: only used
            // inside one, where no Rust frame with destructors lies between.
            unsafe { ffi::lua_call(self.as_ptr(), nargs, nresults) }
        })
    }

    /// Pushes "chunkname:currentline: " for the function at `level` (`luaL_where`).
    pub fn push_where(&self, level: c_int) {
        // SAFETY: `self` is a live state on its own thread with room for one more value.
        unsafe { ffi::luaL_where(self.as_ptr(), level) }
    }

    /// Concatenates the `n` values on top (Lua semantics; may raise on bad types).
    pub fn concat(&mut self, n: c_int) {
        // SAFETY: `self` is a live state on its own thread; callers only concatenate strings.
        unsafe { ffi::lua_concat(self.as_ptr(), n) }
    }

    pub fn gc(&self, what: GcOp, data: c_int) -> c_int {
        let op = match what {
            GcOp::Collect => ffi::LUA_GCCOLLECT,
            GcOp::Step => ffi::LUA_GCSTEP,
        };
        // SAFETY: `self` is a live state on its own thread; the collector keeps everything on
        // the stack, which is what borrowed slices point into.
        unsafe { ffi::lua_gc(self.as_ptr(), op, data) }
    }

    /// Arms the hook `H` for `mask` events (every `count` instructions with `MASK_COUNT`).
    pub fn set_hook<H: LuaHook>(&self, mask: c_int, count: c_int) {
        // SAFETY: `self` is a live state on its own thread; `call_hook::<H>` is a hook of ours
        // that catches panics.
        unsafe { ffi::lua_sethook(self.as_ptr(), Some(call_hook::<H>), mask, count) };
    }

    pub fn clear_hook(&self) {
        // SAFETY: `self` is a live state on its own thread; a null hook disarms.
        unsafe { ffi::lua_sethook(self.as_ptr(), None, 0, 0) };
    }

    /// `luaL_register(name, funcs)`: finds or creates the global table `name` (sized for the
    /// functions, registered in `package.loaded`) and sets the functions in order; leaves
    /// the table on the stack.
    pub fn register_lib(&mut self, name: &CStr, funcs: &[(&CStr, CFunction)]) {
        let mut reg: Vec<ffi::luaL_Reg> =
            funcs.iter().map(|(n, f)| ffi::luaL_Reg { name: n.as_ptr(), func: *f }).collect();
        // luaL_register stops at the NULL name; the function is never called.
        reg.push(ffi::luaL_Reg { name: std::ptr::null(), func: unused_terminator });
        // SAFETY: `self` is a live state on its own thread; `reg` is NUL-terminated and outlives
        // the call. On a Lua error (out of memory) `reg` leaks, which is harmless.
        unsafe { ffi::luaL_register(self.as_ptr(), name.as_ptr(), reg.as_ptr()) }
    }

    /// Sets `funcs` into the table below `nup` upvalues on top, each function getting those
    /// upvalues (as lua-cjson's `luaL_setfuncs`), then pops the upvalues.
    pub fn set_funcs(&mut self, funcs: &[(&CStr, CFunction)], nup: c_int) {
        for (name, f) in funcs {
            for _ in 0..nup {
                self.push_value(-nup);
            }
            self.push_cclosure(*f, nup);
            self.set_field(-(nup + 2), name);
        }
        self.pop(nup);
    }

    /// Opens a standard library by calling its `luaopen_*` with the library name.
    pub fn open_lib(&mut self, name: &CStr, open: CFunction) {
        self.push_cfunction(open);
        // SAFETY: `self` is a live state on its own thread; `name` is a valid C string.
        unsafe { ffi::lua_pushstring_(self.as_ptr(), name.as_ptr()) };
        self.call(1, 0);
    }
}

impl Lua {
    /// The bytes of the string at stack position `idx` (not a pseudo-index), and the stack
    /// above it as a [`Pinned`], which cannot take that string off: the bytes stay valid for
    /// as long as `self` is lent. For reading a string argument while building results.
    pub fn pin_string(&mut self, idx: c_int) -> Option<(&[u8], Pinned<'_>)> {
        let floor = self.abs_index(idx);
        if floor < 1 || floor > self.top() || self.type_of(floor) != Type::String {
            return None;
        }
        let mut len = 0usize;
        // SAFETY: `self` is a live state on its own thread and `floor` holds a string, whose
        // `len` bytes Lua owns. The string stays at `floor` while the slice lives: `self` is
        // lent to the `Pinned` for that long, and it refuses to shrink the stack below `floor`
        // or move values under it, so the collector cannot reach the string.
        let bytes = unsafe {
            let p = ffi::lua_tolstring(self.as_ptr(), floor, &mut len);
            std::slice::from_raw_parts(p.cast::<u8>(), len)
        };
        Some((bytes, Pinned { lua: self, floor }))
    }
}

/// A frame's stack with the string at `floor` held in place (see [`Lua::pin_string`]): reads
/// and pushes go through `Deref`, and the operations that take values off the stack are
/// checked to leave `floor` alone (a failed check is a bug of ours: it panics, and the
/// trampoline turns that into a Lua error).
pub struct Pinned<'a> {
    lua: &'a mut Lua,
    floor: c_int,
}

impl Deref for Pinned<'_> {
    type Target = Lua;

    fn deref(&self) -> &Lua {
        self.lua
    }
}

impl Pinned<'_> {
    /// Panics unless the stack keeps `floor` after `n` values are popped.
    #[inline]
    fn check_pops(&self, n: c_int) {
        assert!(self.lua.top() - n >= self.floor, "a pinned string would leave the stack");
    }

    /// Panics unless `idx` is above `floor`.
    #[inline]
    fn check_above(&self, idx: c_int) {
        assert!(self.lua.abs_index(idx) > self.floor, "a pinned string would move");
    }

    pub fn pop(&mut self, n: c_int) {
        self.check_pops(n);
        self.lua.pop(n)
    }

    pub fn set_top(&mut self, idx: c_int) {
        let top = self.lua.top();
        let new_top = if idx >= 0 { idx } else { top + idx + 1 };
        self.check_pops(top - new_top);
        self.lua.set_top(idx)
    }

    pub fn insert(&mut self, idx: c_int) {
        self.check_above(idx);
        self.lua.insert(idx)
    }

    pub fn replace(&mut self, idx: c_int) {
        self.check_above(idx);
        self.check_pops(1);
        self.lua.replace(idx)
    }

    pub fn raw_set(&mut self, idx: c_int) {
        self.check_pops(2);
        self.lua.raw_set(idx)
    }

    pub fn raw_seti(&mut self, idx: c_int, n: c_int) {
        self.check_pops(1);
        self.lua.raw_seti(idx, n)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum GcOp {
    Collect,
    Step,
}

unsafe extern "C-unwind" fn unused_terminator(_l: *mut RawState) -> c_int {
    0
}

#[cold]
fn unreachable_after_raise() -> ! {
    std::process::abort()
}

/// The standard library openers we load (as Redis does: no io, os, package).
pub mod libs {
    pub use mlua_sys::{luaopen_base, luaopen_debug, luaopen_math, luaopen_string, luaopen_table};
}
