//! The only place that calls the Redis module API.
//!
//! Every entry point used here is checked present when the module loads (`check_api`), so
//! calling through the function pointers is sound afterwards. A [`Ctx`] wraps the context
//! Redis hands to a command or callback and is only used during that call, on the main thread.

use std::ffi::{c_char, c_int, c_long, c_longlong, c_uchar, c_void, CStr, CString};
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use redis_module::raw;
use smallvec::SmallVec;

use crate::engine::server::AclDenied;
use crate::error::ReplyError;
use crate::util::cut_at_nul;

pub use raw::{RedisModuleCtx, RedisModuleString};

/// Fetches an API function pointer; presence is verified by `check_api` at load.
macro_rules! rm {
    ($name:ident) => {{
        // SAFETY: reading a function pointer filled once by RedisModule_Init.
        #[allow(unused_unsafe)]
        let f = unsafe { raw::$name };
        match f {
            Some(f) => f,
            None => missing_api(stringify!($name)),
        }
    }};
}

#[cold]
fn missing_api(name: &str) -> ! {
    // Unreachable after a successful check_api; abort rather than call a null pointer.
    eprintln!("luax: Redis module API {name} is missing");
    std::process::abort()
}

/// Entry points luax needs; `None` if all exist, else the first missing one.
pub fn check_api() -> Option<&'static str> {
    macro_rules! require {
        ($($name:ident),* $(,)?) => {
            $(
                // SAFETY: reading a function pointer filled once by RedisModule_Init.
                if unsafe { raw::$name }.is_none() {
                    return Some(stringify!($name));
                }
            )*
        };
    }
    require!(
        RedisModule_CreateCommand,
        RedisModule_GetCommand,
        RedisModule_CreateSubcommand,
        RedisModule_SetCommandInfo,
        RedisModule_StringPtrLen,
        RedisModule_CreateString,
        RedisModule_FreeString,
        RedisModule_Call,
        RedisModule_CallReplyProto,
        RedisModule_FreeCallReply,
        RedisModule_ReplyWithLongLong,
        RedisModule_ReplyWithStringBuffer,
        RedisModule_ReplyWithNull,
        RedisModule_ReplyWithBool,
        RedisModule_ReplyWithSimpleString,
        RedisModule_ReplyWithError,
        RedisModule_ReplyWithArray,
        RedisModule_ReplyWithMap,
        RedisModule_ReplyWithSet,
        RedisModule_ReplyWithDouble,
        RedisModule_ReplyWithBigNumber,
        RedisModule_ReplyWithVerbatimStringType,
        RedisModule_Log,
        RedisModule_GetContextFlags,
        RedisModule_Yield,
        RedisModule_SelectDb,
        RedisModule_GetSelectedDb,
        RedisModule_GetServerVersion,
        RedisModule_MonotonicMicroseconds,
        RedisModule_GetCurrentUserName,
        RedisModule_GetModuleUserFromUserName,
        RedisModule_FreeModuleUser,
        RedisModule_ACLCheckCommandPermissions,
        RedisModule_ACLAddLogEntry,
        RedisModule_GetDetachedThreadSafeContext,
        RedisModule_RegisterInfoFunc,
        RedisModule_InfoAddSection,
        RedisModule_InfoAddFieldULongLong,
        RedisModule_InfoAddFieldCString,
        RedisModule_RegisterCommandFilter,
        RedisModule_CommandFilterArgsCount,
        RedisModule_CommandFilterArgGet,
        RedisModule_CommandFilterArgReplace,
        RedisModule_SubscribeToServerEvent,
        RedisModule_IsKeysPositionRequest,
        RedisModule_KeyAtPos,
        RedisModule_Replicate,
        RedisModule_SetModuleOptions,
        RedisModule_CreateDataType,
        RedisModule_SaveUnsigned,
        RedisModule_LoadUnsigned,
        RedisModule_SaveStringBuffer,
        RedisModule_LoadStringBuffer,
        RedisModule_IsIOError,
        RedisModule_Free,
    );
    None
}

/// Log levels of `RedisModule_Log`.
pub fn log_level_name(level: i32) -> &'static CStr {
    match level {
        0 => c"debug",
        1 => c"verbose",
        2 => c"notice",
        _ => c"warning",
    }
}

/// Context of a command, callback or load; valid for that call only.
#[derive(Clone, Copy, Debug)]
pub struct Ctx(NonNull<RedisModuleCtx>);

impl Ctx {
    /// # Safety
    /// `ctx` must be the context Redis passed to the current callback.
    pub unsafe fn from_raw(ctx: *mut RedisModuleCtx) -> Option<Ctx> {
        NonNull::new(ctx).map(Ctx)
    }

    fn ptr(self) -> *mut RedisModuleCtx {
        self.0.as_ptr()
    }

    // ---- replies ----

    pub fn reply_integer(self, v: i64) {
        // SAFETY: valid context (type invariant).
        unsafe { rm!(RedisModule_ReplyWithLongLong)(self.ptr(), v as c_longlong) };
    }

    pub fn reply_bulk(self, b: &[u8]) {
        // SAFETY: valid context; Redis copies the buffer.
        unsafe { rm!(RedisModule_ReplyWithStringBuffer)(self.ptr(), b.as_ptr().cast(), b.len()) };
    }

    pub fn reply_null(self) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithNull)(self.ptr()) };
    }

    pub fn reply_bool(self, b: bool) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithBool)(self.ptr(), c_int::from(b)) };
    }

    /// `+text`; `text` must not contain NUL, CR or LF (callers sanitise).
    pub fn reply_status(self, text: &[u8]) {
        let c = c_string(text);
        // SAFETY: valid context and NUL-terminated string.
        unsafe { rm!(RedisModule_ReplyWithSimpleString)(self.ptr(), c.as_ptr()) };
    }

    /// `-text` (no code is added; Redis trims trailing CR/LF and maps the others to spaces).
    pub fn reply_error(self, text: &[u8]) {
        let c = c_string(text);
        // SAFETY: valid context and NUL-terminated string.
        unsafe { rm!(RedisModule_ReplyWithError)(self.ptr(), c.as_ptr()) };
    }

    pub fn reply_double(self, d: f64) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithDouble)(self.ptr(), d) };
    }

    pub fn reply_big_number(self, digits: &[u8]) {
        // SAFETY: valid context; Redis copies the buffer.
        unsafe { rm!(RedisModule_ReplyWithBigNumber)(self.ptr(), digits.as_ptr().cast(), digits.len()) };
    }

    pub fn reply_verbatim(self, text: &[u8], format: &[u8]) {
        let fmt = c_string(format);
        // SAFETY: valid context; Redis copies the buffer and reads at most 3 format bytes.
        unsafe {
            rm!(RedisModule_ReplyWithVerbatimStringType)(self.ptr(), text.as_ptr().cast(), text.len(), fmt.as_ptr())
        };
    }

    pub fn reply_array(self, len: usize) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithArray)(self.ptr(), len as c_long) };
    }

    pub fn reply_map(self, len: usize) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithMap)(self.ptr(), len as c_long) };
    }

    pub fn reply_set(self, len: usize) {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_ReplyWithSet)(self.ptr(), len as c_long) };
    }

    // ---- key positions (cluster routing asks commands with "getkeys-api") ----

    /// Whether Redis is only asking which arguments are keys.
    pub fn is_keys_position_request(self) -> bool {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_IsKeysPositionRequest)(self.ptr()) != 0 }
    }

    pub fn key_at(self, pos: usize) {
        // SAFETY: valid context during a keys-position request.
        unsafe { rm!(RedisModule_KeyAtPos)(self.ptr(), pos as c_int) };
    }

    // ---- calling commands ----

    /// `RedisModule_Call(ctx, argv[0], "b…b<flags>", argv[1..])`; the reply, or the errno
    /// Redis set when it refused the call without one. `flags` are the format letters after
    /// the arguments (e.g. `b"EC!"`). Arguments go as (pointer, length) pairs ("b"), so Redis
    /// builds its own string objects in one pass; longer argument lists than
    /// `MAX_INLINE_CALL_ARGS` use a vector ("v").
    pub fn call(self, argv: &[&[u8]], flags: &[u8]) -> Result<CallReply, i32> {
        let Some((name, rest)) = argv.split_first() else {
            return Err(libc::EINVAL);
        };
        // The command name as a C string (cut at a NUL, which no command name contains).
        let name = cut_at_nul(name);
        let mut cname_buf = [0u8; 64];
        let cname_heap;
        let cname: &[u8] = if name.len() < cname_buf.len() {
            cname_buf[..name.len()].copy_from_slice(name);
            &cname_buf[..=name.len()]
        } else {
            cname_heap = [name, &[0]].concat();
            &cname_heap
        };
        // "b" per argument, or one "v" for a long list, then the flags and the NUL.
        let inline = rest.len() <= MAX_INLINE_CALL_ARGS;
        let mut fmt = [0u8; MAX_INLINE_CALL_ARGS + 16];
        let letters = if inline { rest.len() } else { 1 };
        fmt[..letters].fill(if inline { b'b' } else { b'v' });
        let flags = &flags[..flags.len().min(fmt.len() - letters - 1)];
        fmt[letters..letters + flags.len()].copy_from_slice(flags);
        let f = rm!(RedisModule_Call);
        let (ctx, cmd, fmt_ptr) = (self.ptr(), cname.as_ptr().cast::<c_char>(), fmt.as_ptr().cast::<c_char>());
        macro_rules! call_with {
            ($($i:literal)*) => {
                // SAFETY: one (char *, size_t) pair per "b" in the format; the buffers are
                // read during the call only.
                unsafe { f(ctx, cmd, fmt_ptr $(, rest[$i].as_ptr().cast::<c_char>(), rest[$i].len())*) }
            };
        }
        // One match arm per argument count: arm `n` passes rest[0..n].
        macro_rules! by_count {
            ([$($done:literal)*] [] $($arms:tt)*) => {
                match rest.len() {
                    $($arms)*
                    _ => self.call_vector(f, cmd, fmt_ptr, rest),
                }
            };
            ([$($done:literal)*] [$next:literal $($rest:literal)*] $($arms:tt)*) => {
                by_count!([$($done)* $next] [$($rest)*] $($arms)* $next => call_with!($($done)*),)
            };
        }
        // The counts 0..=MAX_INLINE_CALL_ARGS.
        const { assert!(MAX_INLINE_CALL_ARGS == 64) };
        let reply = by_count!([] [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64]);
        match NonNull::new(reply) {
            Some(r) => Ok(CallReply(r)),
            None => Err(errno()),
        }
    }

    /// `RedisModule_Call` with a vector of string objects ("v"), for long argument lists.
    fn call_vector(
        self,
        f: unsafe extern "C" fn(
            *mut RedisModuleCtx,
            *const c_char,
            *const c_char,
            ...
        ) -> *mut raw::RedisModuleCallReply,
        cmd: *const c_char,
        fmt: *const c_char,
        rest: &[&[u8]],
    ) -> *mut raw::RedisModuleCallReply {
        // SAFETY: "v" takes (RedisModuleString **, size_t); the strings live until
        // `with_strings` frees them, after Redis has taken its own references.
        with_strings(rest, |args| unsafe { f(self.ptr(), cmd, fmt, args.as_ptr(), args.len()) })
    }

    // ---- server state ----

    pub fn context_flags(self) -> u32 {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_GetContextFlags)(self.ptr()) as u32 }
    }

    /// Lets Redis serve other clients (they get `busy_reply` as error) while a script runs.
    pub fn yield_clients(self, busy_reply: &CStr) {
        // SAFETY: valid context; called from the main thread inside a command.
        unsafe {
            rm!(RedisModule_Yield)(self.ptr(), raw::REDISMODULE_YIELD_FLAG_CLIENTS as c_int, busy_reply.as_ptr())
        };
    }

    pub fn select_db(self, db: i32) -> bool {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_SelectDb)(self.ptr(), db) == raw::REDISMODULE_OK as c_int }
    }

    pub fn selected_db(self) -> i32 {
        // SAFETY: valid context.
        unsafe { rm!(RedisModule_GetSelectedDb)(self.ptr()) }
    }

    /// The calling client's ACL user, for permission checks.
    pub fn current_user(self) -> Option<User> {
        // SAFETY: valid context; the name string is ours to free.
        unsafe {
            let name = rm!(RedisModule_GetCurrentUserName)(self.ptr());
            if name.is_null() {
                return None;
            }
            let user = rm!(RedisModule_GetModuleUserFromUserName)(name);
            rm!(RedisModule_FreeString)(std::ptr::null_mut(), name);
            NonNull::new(user).map(User)
        }
    }

    /// Adds an ACL LOG entry for `user` refused `object` (a command's full name or a key),
    /// as the server's own refusals do.
    pub fn acl_log(self, user: &User, object: &[u8], denied: AclDenied) {
        let reason = match denied {
            AclDenied::Command => raw::RedisModuleACLLogEntryReason_REDISMODULE_ACL_LOG_CMD,
            AclDenied::Key => raw::RedisModuleACLLogEntryReason_REDISMODULE_ACL_LOG_KEY,
            AclDenied::Channel => raw::RedisModuleACLLogEntryReason_REDISMODULE_ACL_LOG_CHANNEL,
        };
        with_strings(&[object], |strings| {
            // SAFETY: valid context and live user; Redis copies the object string.
            unsafe { rm!(RedisModule_ACLAddLogEntry)(self.ptr(), user.0.as_ptr(), strings[0], reason) };
        });
    }

    pub fn log(self, level: i32, msg: &[u8]) {
        log_raw(Some(self), level, msg)
    }

    // ---- registration ----

    /// A context of the module's own, without a client, for callbacks Redis calls without
    /// one (command filters); it lives as long as the module.
    pub fn detached(self) -> Option<Ctx> {
        // SAFETY: valid load context; the new context is never freed (module lifetime).
        NonNull::new(unsafe { rm!(RedisModule_GetDetachedThreadSafeContext)(self.ptr()) }).map(Ctx)
    }

    /// Creates a top-level command; returns false if Redis refused.
    pub fn create_command(self, name: &CStr, handler: raw::RedisModuleCmdFunc, flags: &CStr) -> bool {
        // SAFETY: valid load context; strings are NUL-terminated and copied by Redis.
        unsafe {
            rm!(RedisModule_CreateCommand)(self.ptr(), name.as_ptr(), handler, flags.as_ptr(), 0, 0, 0)
                == raw::REDISMODULE_OK as c_int
        }
    }

    pub fn get_command(self, name: &CStr) -> Option<Command> {
        // SAFETY: valid load context.
        NonNull::new(unsafe { rm!(RedisModule_GetCommand)(self.ptr(), name.as_ptr()) }).map(Command)
    }

    pub fn register_info(self, cb: raw::RedisModuleInfoFunc) -> bool {
        // SAFETY: valid load context; `cb` is an extern "C" fn of ours.
        unsafe { rm!(RedisModule_RegisterInfoFunc)(self.ptr(), cb) == raw::REDISMODULE_OK as c_int }
    }

    pub fn register_command_filter(self, cb: raw::RedisModuleCommandFilterFunc, flags: c_int) -> bool {
        // SAFETY: valid load context; `cb` is an extern "C" fn of ours.
        !unsafe { rm!(RedisModule_RegisterCommandFilter)(self.ptr(), cb, flags) }.is_null()
    }

    /// Subscribes to a server event (`REDISMODULE_EVENT_*` id, data version 1).
    pub fn subscribe(self, event_id: u64, cb: raw::RedisModuleEventCallback) -> bool {
        let event = raw::RedisModuleEvent { id: event_id, dataver: 1 };
        // SAFETY: valid load context; `cb` is an extern "C" fn of ours.
        unsafe { rm!(RedisModule_SubscribeToServerEvent)(self.ptr(), event, cb) == raw::REDISMODULE_OK as c_int }
    }

    /// Propagates `cmd args...` to replicas and the AOF (with the command's own effects).
    /// Takes one or two arguments, all luax propagates.
    pub fn replicate(self, cmd: &CStr, args: &[&[u8]]) -> bool {
        let f = rm!(RedisModule_Replicate);
        // SAFETY: valid command context; one (char *, size_t) pair per "b"; Redis copies them.
        let status = unsafe {
            match args {
                [a] => f(self.ptr(), cmd.as_ptr(), c"b".as_ptr(), a.as_ptr().cast::<c_char>(), a.len()),
                [a, b] => f(
                    self.ptr(),
                    cmd.as_ptr(),
                    c"bb".as_ptr(),
                    a.as_ptr().cast::<c_char>(),
                    a.len(),
                    b.as_ptr().cast::<c_char>(),
                    b.len(),
                ),
                _ => return false,
            }
        };
        status == raw::REDISMODULE_OK as c_int
    }

    /// Tells Redis that luax checks for read errors itself (`Io::load_*` return `None`)
    /// instead of having the server abort on a truncated or corrupt record.
    pub fn handle_io_errors(self) {
        // SAFETY: valid load context.
        unsafe { rm!(RedisModule_SetModuleOptions)(self.ptr(), raw::REDISMODULE_OPTIONS_HANDLE_IO_ERRORS as c_int) };
    }

    /// Registers a data type that holds no keys, only module-wide (aux) data saved before
    /// the keys. `aux_save: None` reads existing sections but writes none.
    pub fn create_aux_type(
        self,
        name: &CStr,
        encver: i32,
        aux_load: raw::RedisModuleTypeAuxLoadFunc,
        aux_save: raw::RedisModuleTypeAuxSaveFunc,
    ) -> bool {
        let mut methods = raw::RedisModuleTypeMethods {
            version: u64::from(raw::REDISMODULE_TYPE_METHOD_VERSION),
            rdb_load: Some(no_key_load),
            rdb_save: Some(no_key_save),
            aof_rewrite: None,
            mem_usage: None,
            digest: None,
            free: Some(no_key_free),
            aux_load,
            aux_save,
            aux_save_triggers: raw::REDISMODULE_AUX_BEFORE_RDB as c_int,
            free_effort: None,
            unlink: None,
            copy: None,
            defrag: None,
            mem_usage2: None,
            free_effort2: None,
            unlink2: None,
            copy2: None,
            aux_save2: None,
        };
        // SAFETY: valid load context; Redis copies the method table and the name.
        !unsafe { rm!(RedisModule_CreateDataType)(self.ptr(), name.as_ptr(), encver, &mut methods) }.is_null()
    }

    pub fn server_version(self) -> (u32, u32, u32) {
        // SAFETY: no arguments; returns 0x00MMmmpp.
        let v = unsafe { rm!(RedisModule_GetServerVersion)() } as u32;
        ((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
    }
}

// The aux-only type never has keys; these exist because a type must name them.
extern "C" fn no_key_load(_io: *mut raw::RedisModuleIO, _encver: c_int) -> *mut std::ffi::c_void {
    std::ptr::null_mut()
}
extern "C" fn no_key_save(_io: *mut raw::RedisModuleIO, _value: *mut std::ffi::c_void) {}
extern "C" fn no_key_free(_value: *mut std::ffi::c_void) {}

/// An RDB stream during an aux save or load callback.
#[derive(Clone, Copy)]
pub struct Io(NonNull<raw::RedisModuleIO>);

impl Io {
    /// # Safety
    /// `io` must be the stream Redis passed to the current aux callback.
    pub unsafe fn from_raw(io: *mut raw::RedisModuleIO) -> Option<Io> {
        NonNull::new(io).map(Io)
    }

    pub fn save_unsigned(self, v: u64) {
        // SAFETY: valid stream during the callback.
        unsafe { rm!(RedisModule_SaveUnsigned)(self.0.as_ptr(), v) };
    }

    pub fn save_bytes(self, b: &[u8]) {
        // SAFETY: valid stream; Redis copies the buffer.
        unsafe { rm!(RedisModule_SaveStringBuffer)(self.0.as_ptr(), b.as_ptr().cast::<c_char>(), b.len()) };
    }

    fn failed(self) -> bool {
        // SAFETY: valid stream.
        unsafe { rm!(RedisModule_IsIOError)(self.0.as_ptr()) != 0 }
    }

    /// The next unsigned, or `None` on a read error (truncated or corrupt record).
    pub fn load_unsigned(self) -> Option<u64> {
        // SAFETY: valid stream; with HANDLE_IO_ERRORS a failed read sets the error flag.
        let v = unsafe { rm!(RedisModule_LoadUnsigned)(self.0.as_ptr()) };
        (!self.failed()).then_some(v)
    }

    /// The next string, or `None` on a read error.
    pub fn load_bytes(self) -> Option<Vec<u8>> {
        let mut len = 0usize;
        // SAFETY: valid stream; a non-null result is `len` bytes we own and free here.
        unsafe {
            let p = rm!(RedisModule_LoadStringBuffer)(self.0.as_ptr(), &mut len);
            let out = (!p.is_null()).then(|| std::slice::from_raw_parts(p.cast::<u8>(), len).to_vec());
            if !p.is_null() {
                rm!(RedisModule_Free)(p.cast());
            }
            if self.failed() {
                return None;
            }
            out
        }
    }
}

/// Microseconds from a monotonic clock.
pub fn monotonic_us() -> u64 {
    // SAFETY: no arguments.
    unsafe { rm!(RedisModule_MonotonicMicroseconds)() }
}

/// Writes a line to the Redis log (the context, when given, prefixes the module name).
pub fn log_raw(ctx: Option<Ctx>, level: i32, msg: &[u8]) {
    let text = c_string(msg);
    let ctx = ctx.map_or(std::ptr::null_mut(), |c| c.ptr());
    // SAFETY: ctx is valid or null (allowed); "%s" consumes exactly one C string.
    unsafe { rm!(RedisModule_Log)(ctx, log_level_name(level).as_ptr(), c"%s".as_ptr(), text.as_ptr()) };
}

/// Bytes of a Redis string.
///
/// # Safety
/// `s` must be a live string that outlives the returned slice's use.
unsafe fn string_bytes<'a>(s: *mut RedisModuleString) -> &'a [u8] {
    let mut len = 0usize;
    // SAFETY: per the contract; Redis returns a pointer to `len` bytes.
    unsafe {
        let p = rm!(RedisModule_StringPtrLen)(s, &mut len);
        if p.is_null() {
            &[]
        } else {
            std::slice::from_raw_parts(p.cast::<u8>(), len)
        }
    }
}

/// The arguments of a command call as byte slices.
///
/// # Safety
/// `argv`/`argc` must be the arguments Redis passed to the current command.
pub unsafe fn args<'a>(argv: *mut *mut RedisModuleString, argc: c_int) -> SmallVec<[&'a [u8]; 16]> {
    if argv.is_null() || argc <= 0 {
        return SmallVec::new();
    }
    // SAFETY: per the contract, argv points to argc live strings.
    let slice = unsafe { std::slice::from_raw_parts(argv, argc as usize) };
    // SAFETY: the argument strings live for the whole command call.
    slice.iter().map(|&s| unsafe { string_bytes(s) }).collect()
}

/// The argument objects of the current command (or filter call), for ACL checks that read
/// them in place.
#[derive(Clone, Copy)]
pub struct Argv<'a>(&'a [RawString]);

/// # Safety
/// `argv`/`argc` must be the arguments Redis passed to the current command.
pub unsafe fn argv<'a>(argv: *mut RawString, argc: c_int) -> Argv<'a> {
    if argv.is_null() || argc <= 0 {
        return Argv(&[]);
    }
    // SAFETY: per the contract, argv points to argc live strings for the whole call.
    Argv(unsafe { std::slice::from_raw_parts(argv, argc as usize) })
}

/// A reply from `Ctx::call`, freed on drop.
pub struct CallReply(NonNull<raw::RedisModuleCallReply>);

impl CallReply {
    /// The reply's raw RESP bytes.
    pub fn proto(&self) -> &[u8] {
        let mut len = 0usize;
        // SAFETY: live reply; the protocol buffer lives as long as the reply.
        unsafe {
            let p = rm!(RedisModule_CallReplyProto)(self.0.as_ptr(), &mut len);
            if p.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(p.cast::<u8>(), len)
            }
        }
    }
}

impl Drop for CallReply {
    fn drop(&mut self) {
        // SAFETY: live reply, freed once.
        unsafe { rm!(RedisModule_FreeCallReply)(self.0.as_ptr()) };
    }
}

/// An ACL user handle, freed on drop.
pub struct User(NonNull<raw::RedisModuleUser>);

impl User {
    /// The ACL user of client `id` (`None` for an unknown client or one without a user,
    /// such as a master's).
    pub fn of_client(ctx: Ctx, id: u64) -> Option<User> {
        // SAFETY: reading a function pointer filled once by RedisModule_Init (present on
        // every server luax loads on, but not in check_api's list: only drop-in needs it).
        let by_id = unsafe { raw::RedisModule_GetClientUserNameById }?;
        // SAFETY: valid context (Valkey dereferences it: a null one crashes); the name is
        // ours to free.
        unsafe {
            let name = by_id(ctx.ptr(), id);
            if name.is_null() {
                return None;
            }
            let user = rm!(RedisModule_GetModuleUserFromUserName)(name);
            rm!(RedisModule_FreeString)(std::ptr::null_mut(), name);
            NonNull::new(user).map(User)
        }
    }

    /// Whether the user may run the command of `argv` with `argv[0]` replaced by `name`
    /// (command and keys), without copying the other arguments.
    pub fn may_run_as(&self, name: &[u8], argv: Argv<'_>) -> bool {
        let mut strings: SmallVec<[*mut RedisModuleString; 16]> = argv.0.iter().copied().collect();
        let Some(first) = strings.first_mut() else {
            return false;
        };
        // SAFETY: a null context is allowed; the string is freed below.
        let native = unsafe { rm!(RedisModule_CreateString)(std::ptr::null_mut(), name.as_ptr().cast(), name.len()) };
        *first = native;
        // SAFETY: live user; `strings` holds argc live string objects (Redis only reads them).
        let allowed = unsafe {
            rm!(RedisModule_ACLCheckCommandPermissions)(self.0.as_ptr(), strings.as_mut_ptr(), strings.len() as c_int)
                == raw::REDISMODULE_OK as c_int
        };
        // SAFETY: created above without a context, freed once.
        unsafe { rm!(RedisModule_FreeString)(std::ptr::null_mut(), native) };
        allowed
    }

    /// Whether the user may run `argv` (command, keys and channels).
    pub fn may_run(&self, argv: &[&[u8]]) -> bool {
        with_strings(argv, |strings| {
            // SAFETY: live user; `strings` holds argc live string objects.
            unsafe {
                rm!(RedisModule_ACLCheckCommandPermissions)(
                    self.0.as_ptr(),
                    strings.as_ptr().cast_mut(),
                    strings.len() as c_int,
                ) == raw::REDISMODULE_OK as c_int
            }
        })
    }
}

impl Drop for User {
    fn drop(&mut self) {
        // SAFETY: obtained from GetModuleUserFromUserName, freed once.
        unsafe { rm!(RedisModule_FreeModuleUser)(self.0.as_ptr()) };
    }
}

/// Runs `f` with temporary Redis string objects for `items` (no context: freed explicitly).
fn with_strings<R>(items: &[&[u8]], f: impl FnOnce(&[*mut RedisModuleString]) -> R) -> R {
    let strings: Vec<*mut RedisModuleString> = items
        .iter()
        // SAFETY: a null context is allowed; the string is freed below.
        .map(|b| unsafe { rm!(RedisModule_CreateString)(std::ptr::null_mut(), b.as_ptr().cast(), b.len()) })
        .collect();
    let out = f(&strings);
    for s in strings {
        // SAFETY: created above without a context, freed once.
        unsafe { rm!(RedisModule_FreeString)(std::ptr::null_mut(), s) };
    }
    out
}

/// A registered command, for subcommands and command info.
#[derive(Clone, Copy)]
pub struct Command(NonNull<raw::RedisModuleCommand>);

/// A key spec of a command: where the keys are and how they are accessed.
pub struct KeySpec {
    pub flags: u64,
    /// Argument index where the key search begins.
    pub begin_index: i32,
    /// Keynum find-keys: index of numkeys relative to begin, first key, step.
    pub keynum: (i32, i32, i32),
}

impl Command {
    pub fn create_subcommand(self, name: &CStr, handler: raw::RedisModuleCmdFunc, flags: &CStr) -> bool {
        // SAFETY: parent from GetCommand at load; strings copied by Redis.
        unsafe {
            rm!(RedisModule_CreateSubcommand)(self.0.as_ptr(), name.as_ptr(), handler, flags.as_ptr(), 0, 0, 0)
                == raw::REDISMODULE_OK as c_int
        }
    }

    /// Puts the command in ACL categories (`"slow scripting"`); `None` when the server has no
    /// `RedisModule_SetCommandACLCategories` (Redis 7.0), else whether it accepted them.
    pub fn set_acl_categories(self, categories: &CStr) -> Option<bool> {
        // SAFETY: reading a function pointer filled once by RedisModule_Init.
        let set = unsafe { raw::RedisModule_SetCommandACLCategories }?;
        // SAFETY: command from GetCommand at load; the string is copied by Redis.
        Some(unsafe { set(self.0.as_ptr(), categories.as_ptr()) } == raw::REDISMODULE_OK as c_int)
    }

    /// Sets arity, summary and key specs (`RedisModule_SetCommandInfo`).
    pub fn set_info(self, arity: i32, summary: &CStr, since: &CStr, key_specs: &[KeySpec]) -> bool {
        let mut specs: Vec<raw::RedisModuleCommandKeySpec> = key_specs
            .iter()
            .map(|k| {
                // SAFETY: an all-zero key spec is a valid "empty" value of this C struct.
                let mut spec: raw::RedisModuleCommandKeySpec = unsafe { std::mem::zeroed() };
                spec.flags = k.flags;
                spec.begin_search_type = raw::RedisModuleKeySpecBeginSearchType_REDISMODULE_KSPEC_BS_INDEX;
                spec.bs.index = raw::RedisModuleCommandKeySpec__bindgen_ty_1__bindgen_ty_1 { pos: k.begin_index };
                spec.find_keys_type = raw::RedisModuleKeySpecFindKeysType_REDISMODULE_KSPEC_FK_KEYNUM;
                spec.fk.keynum = raw::RedisModuleCommandKeySpec__bindgen_ty_2__bindgen_ty_2 {
                    keynumidx: k.keynum.0,
                    firstkey: k.keynum.1,
                    keystep: k.keynum.2,
                };
                spec
            })
            .collect();
        // SAFETY: zeroed terminator entry, as the API expects.
        specs.push(unsafe { std::mem::zeroed() });
        let version = raw::RedisModuleCommandInfoVersion {
            version: 1,
            sizeof_historyentry: std::mem::size_of::<raw::RedisModuleCommandHistoryEntry>(),
            sizeof_keyspec: std::mem::size_of::<raw::RedisModuleCommandKeySpec>(),
            sizeof_arg: std::mem::size_of::<raw::RedisModuleCommandArg>(),
        };
        let info = raw::RedisModuleCommandInfo {
            version: &version,
            summary: summary.as_ptr(),
            complexity: std::ptr::null(),
            since: since.as_ptr(),
            history: std::ptr::null_mut(),
            tips: std::ptr::null(),
            arity,
            key_specs: if key_specs.is_empty() { std::ptr::null_mut() } else { specs.as_mut_ptr() },
            args: std::ptr::null_mut(),
        };
        // SAFETY: all pointers are valid for the call; Redis copies what it keeps.
        unsafe { rm!(RedisModule_SetCommandInfo)(self.0.as_ptr(), &info) == raw::REDISMODULE_OK as c_int }
    }
}

/// Info callback context.
#[derive(Clone, Copy)]
pub struct InfoCtx(NonNull<raw::RedisModuleInfoCtx>);

impl InfoCtx {
    /// # Safety
    /// `ctx` must be the context Redis passed to the info callback.
    pub unsafe fn from_raw(ctx: *mut raw::RedisModuleInfoCtx) -> Option<InfoCtx> {
        NonNull::new(ctx).map(InfoCtx)
    }

    pub fn section(self, name: &CStr) {
        // SAFETY: valid info context.
        unsafe { rm!(RedisModule_InfoAddSection)(self.0.as_ptr(), name.as_ptr()) };
    }

    pub fn field_u64(self, name: &CStr, v: u64) {
        // SAFETY: valid info context.
        unsafe { rm!(RedisModule_InfoAddFieldULongLong)(self.0.as_ptr(), name.as_ptr(), v) };
    }

    pub fn field_str(self, name: &CStr, v: &str) {
        let v = c_string(v.as_bytes());
        // SAFETY: valid info context.
        unsafe { rm!(RedisModule_InfoAddFieldCString)(self.0.as_ptr(), name.as_ptr(), v.as_ptr()) };
    }
}

/// Command filter context: read and rewrite the arguments of a command before it runs. It
/// lives for one filter call (`'call`); an argument read from it is borrowed from it, so it
/// cannot outlive the call or be held across `replace_arg`, which frees the old argument.
pub struct FilterCtx<'call>(NonNull<raw::RedisModuleCommandFilterCtx>, PhantomData<&'call mut ()>);

impl FilterCtx<'_> {
    /// # Safety
    /// `fctx` must be the context Redis passed to the filter callback, used only during it.
    unsafe fn from_raw<'call>(fctx: *mut raw::RedisModuleCommandFilterCtx) -> Option<FilterCtx<'call>> {
        NonNull::new(fctx).map(|f| FilterCtx(f, PhantomData))
    }

    pub fn arg(&self, pos: c_int) -> Option<&[u8]> {
        // SAFETY: valid filter context.
        let s = unsafe { rm!(RedisModule_CommandFilterArgGet)(self.0.as_ptr(), pos) };
        if s.is_null() {
            None
        } else {
            // SAFETY: the argument lives until the filter call ends or `replace_arg` frees
            // it; the borrow of `self` ends before either.
            Some(unsafe { string_bytes(s) })
        }
    }

    /// Runs `f` with the arguments in place, for ACL checks.
    pub fn with_argv<R>(&self, f: impl FnOnce(Argv<'_>) -> R) -> R {
        let strings: SmallVec<[RawString; 16]> = (0..self.args_count() as c_int)
            // SAFETY: valid filter context; positions below the count.
            .map(|pos| unsafe { rm!(RedisModule_CommandFilterArgGet)(self.0.as_ptr(), pos) })
            .collect();
        f(Argv(&strings))
    }

    /// The id of the client whose command this is, where the server tells it (Redis 7.2+,
    /// Valkey): `None` on Redis 7.0.
    pub fn client_id(&self) -> Option<u64> {
        // SAFETY: reading a function pointer filled once by RedisModule_Init.
        let get = unsafe { raw::RedisModule_CommandFilterGetClientId }?;
        // SAFETY: valid filter context.
        Some(unsafe { get(self.0.as_ptr()) })
    }

    /// Number of arguments, the command name included.
    pub fn args_count(&self) -> usize {
        // SAFETY: valid filter context.
        let n = unsafe { rm!(RedisModule_CommandFilterArgsCount)(self.0.as_ptr()) };
        usize::try_from(n).unwrap_or(0)
    }

    pub fn replace_arg(&mut self, pos: c_int, value: &[u8]) {
        // SAFETY: a null context is allowed; ownership of the new string passes to Redis.
        unsafe {
            let s = rm!(RedisModule_CreateString)(std::ptr::null_mut(), value.as_ptr().cast(), value.len());
            rm!(RedisModule_CommandFilterArgReplace)(self.0.as_ptr(), pos, s);
        }
    }
}

/// Arguments passed one by one to `RedisModule_Call` ("b": Redis builds each string object
/// itself, owned by the command alone, so a stored value is encoded as native EVAL stores it,
/// e.g. `int`). More go as a vector of our own strings ("v"), which the command then shares
/// with us while it runs, so it leaves their encoding as it is (`embstr`/`raw`).
const MAX_INLINE_CALL_ARGS: usize = 64;

/// The cluster bus (module messages) and timers, for the cluster-wide script registry.
impl Ctx {
    /// Receives module messages of type `kind`; only called on a cluster node.
    pub fn register_cluster_receiver(self, kind: u8, cb: raw::RedisModuleClusterMessageReceiver) {
        // SAFETY: valid context; the callback is a static function.
        unsafe { rm!(RedisModule_RegisterClusterMessageReceiver)(self.ptr(), kind, cb) }
    }

    /// Sends a module message to the node named `target` (a 40-byte node id), or to every
    /// connected node. False if the bus refused it (not a cluster, unknown node, too large).
    pub fn send_cluster_message(self, target: Option<&[u8; 40]>, kind: u8, payload: &[u8]) -> bool {
        let Ok(len) = u32::try_from(payload.len()) else {
            return false;
        };
        // Redis looks the target up by its C string length: the id needs its NUL.
        let mut id = [0u8; 41];
        let target = match target {
            Some(node) => {
                id[..40].copy_from_slice(node);
                id.as_ptr().cast::<c_char>()
            }
            None => std::ptr::null(),
        };
        // SAFETY: valid context; `target` is null or a NUL-terminated id; `payload` has `len`.
        unsafe {
            rm!(RedisModule_SendClusterMessage)(self.ptr(), target, kind, payload.as_ptr().cast(), len)
                == raw::REDISMODULE_OK as c_int
        }
    }

    /// Calls `cb` once, `period_ms` from now, on the main thread.
    pub fn create_timer(self, period_ms: i64, cb: raw::RedisModuleTimerProc) {
        // SAFETY: valid context; the callback is a static function and takes no data.
        unsafe {
            rm!(RedisModule_CreateTimer)(self.ptr(), period_ms, cb, std::ptr::null_mut());
        }
    }
}

// ---- callbacks: Rust functions Redis calls ----
//
// A callback is a Rust function of the kind's body type (`InfoBody`, ...) behind the trait
// `Callback`; a generic `extern "C"` trampoline here turns it into the pointer Redis wants,
// so the unsafe part (reading what Redis passes) stays in this file. `callback!` declares
// such a pointer for a function (the `*_fn!` macros name the kind). Panics are caught: a
// command replies an error, an aux load fails, other callbacks do nothing.

/// A Rust function Redis calls, of type `F` (a `*Body` type).
pub trait Callback<F: 'static> {
    const RUN: F;
}

/// Declares `$name`, the C callback `$make` builds for `$handler: $body`.
#[macro_export]
macro_rules! callback {
    ($name:ident: $raw:ident = $make:ident($body:ty) <- $handler:expr) => {
        #[allow(non_upper_case_globals)]
        pub const $name: $crate::redis::api::$raw = {
            struct Handler;
            impl $crate::redis::api::Callback<$body> for Handler {
                const RUN: $body = $handler;
            }
            $crate::redis::api::$make::<Handler>()
        };
    };
}

/// A command: its context, its arguments as Redis's objects and as bytes
/// (`commands::command_fn!` declares them).
pub type CommandBody = fn(Ctx, Argv<'_>, &[&[u8]]) -> Result<(), ReplyError>;
pub type RawCommandFn = unsafe extern "C" fn(RawCtx, *mut RawString, c_int) -> c_int;

pub const fn command_callback<H: Callback<CommandBody>>() -> RawCommandFn {
    call_command::<H>
}

unsafe extern "C" fn call_command<H: Callback<CommandBody>>(ctx: RawCtx, argv: *mut RawString, argc: c_int) -> c_int {
    // SAFETY: Redis passes the context of the command being run.
    let Some(ctx) = (unsafe { Ctx::from_raw(ctx) }) else {
        return 1;
    };
    // SAFETY: Redis passes that command's `argc` arguments, alive for the whole call.
    let (args, objects) = unsafe { (args(argv, argc), self::argv(argv, argc)) };
    match catch_unwind(AssertUnwindSafe(|| (H::RUN)(ctx, objects, &args))) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => ctx.reply_error(&e.to_wire()),
        Err(_) => ctx.reply_error(&ReplyError::Internal.to_wire()),
    }
    0
}

/// A command filter (it may rewrite the command through the context).
pub type FilterBody = for<'call> fn(FilterCtx<'call>);
pub type RawFilterFn = unsafe extern "C" fn(RawFilterCtx);

pub const fn filter_callback<H: Callback<FilterBody>>() -> RawFilterFn {
    call_filter::<H>
}

unsafe extern "C" fn call_filter<H: Callback<FilterBody>>(fctx: RawFilterCtx) {
    // SAFETY: Redis passes the context of the filter call in progress.
    if let Some(fctx) = unsafe { FilterCtx::from_raw(fctx) } {
        let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(fctx)));
    }
}

/// Declares `$name`, the C callback of the command filter `$handler`.
#[macro_export]
macro_rules! command_filter_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawFilterFn = filter_callback($crate::redis::api::FilterBody) <- $handler);
    };
}

/// An INFO section; the flag says whether the info is for a crash report.
pub type InfoBody = fn(InfoCtx, bool);
pub type RawInfoFn = unsafe extern "C" fn(RawInfoCtx, c_int);

pub const fn info_callback<H: Callback<InfoBody>>() -> RawInfoFn {
    call_info::<H>
}

unsafe extern "C" fn call_info<H: Callback<InfoBody>>(ctx: RawInfoCtx, for_crash_report: c_int) {
    // SAFETY: Redis passes the context of the INFO call in progress.
    if let Some(ctx) = unsafe { InfoCtx::from_raw(ctx) } {
        let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(ctx, for_crash_report != 0)));
    }
}

/// Declares `$name`, the C callback of the INFO handler `$handler`.
#[macro_export]
macro_rules! info_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawInfoFn = info_callback($crate::redis::api::InfoBody) <- $handler);
    };
}

/// A cluster bus message: context, the sender's node id, type, payload.
pub type ClusterMessageBody = fn(Ctx, &[u8; 40], u8, &[u8]);
pub type RawClusterReceiverFn = unsafe extern "C" fn(RawCtx, *const c_char, u8, *const c_uchar, u32);

pub const fn cluster_receiver_callback<H: Callback<ClusterMessageBody>>() -> RawClusterReceiverFn {
    call_cluster_receiver::<H>
}

unsafe extern "C" fn call_cluster_receiver<H: Callback<ClusterMessageBody>>(
    ctx: RawCtx,
    sender: *const c_char,
    kind: u8,
    payload: *const c_uchar,
    len: u32,
) {
    // SAFETY: Redis passes the current context.
    let Some(ctx) = (unsafe { Ctx::from_raw(ctx) }) else {
        return;
    };
    if sender.is_null() {
        return;
    }
    // SAFETY: the sender is a node id: 40 readable bytes.
    let Ok(sender) = <[u8; 40]>::try_from(unsafe { std::slice::from_raw_parts(sender.cast::<u8>(), 40) }) else {
        return;
    };
    let payload: &[u8] = if payload.is_null() {
        &[]
    } else {
        // SAFETY: Redis passes `len` readable bytes of payload, alive during this call.
        unsafe { std::slice::from_raw_parts(payload, len as usize) }
    };
    let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(ctx, &sender, kind, payload)));
}

/// Declares `$name`, the C callback of the cluster message receiver `$handler`.
#[macro_export]
macro_rules! cluster_receiver_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!(
            $name: RawClusterReceiverFn = cluster_receiver_callback($crate::redis::api::ClusterMessageBody) <- $handler
        );
    };
}

/// A timer firing, or a server event (whose data is not needed): the context alone.
pub type CtxBody = fn(Ctx);
pub type RawTimerFn = unsafe extern "C" fn(RawCtx, *mut c_void);
pub type RawEventFn = unsafe extern "C" fn(RawCtx, RawEvent, u64, *mut c_void);

pub const fn timer_callback<H: Callback<CtxBody>>() -> RawTimerFn {
    call_timer::<H>
}

pub const fn event_callback<H: Callback<CtxBody>>() -> RawEventFn {
    call_event::<H>
}

unsafe extern "C" fn call_timer<H: Callback<CtxBody>>(ctx: RawCtx, _data: *mut c_void) {
    // SAFETY: Redis passes the context of the timer call.
    if let Some(ctx) = unsafe { Ctx::from_raw(ctx) } {
        let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(ctx)));
    }
}

unsafe extern "C" fn call_event<H: Callback<CtxBody>>(ctx: RawCtx, _event: RawEvent, _sub: u64, _data: *mut c_void) {
    // SAFETY: Redis passes the context of the event callback.
    if let Some(ctx) = unsafe { Ctx::from_raw(ctx) } {
        let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(ctx)));
    }
}

/// Declares `$name`, the C callback of the timer handler `$handler`.
#[macro_export]
macro_rules! timer_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawTimerFn = timer_callback($crate::redis::api::CtxBody) <- $handler);
    };
}

/// Declares `$name`, the C callback of the server-event handler `$handler`.
#[macro_export]
macro_rules! event_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawEventFn = event_callback($crate::redis::api::CtxBody) <- $handler);
    };
}

/// Writing the module's section of an RDB (a panic leaves the record incomplete, so its
/// load fails).
pub type AuxSaveBody = fn(Io);
pub type RawAuxSaveFn = unsafe extern "C" fn(RawIo, c_int);

pub const fn aux_save_callback<H: Callback<AuxSaveBody>>() -> RawAuxSaveFn {
    call_aux_save::<H>
}

unsafe extern "C" fn call_aux_save<H: Callback<AuxSaveBody>>(io: RawIo, _when: c_int) {
    // SAFETY: Redis passes the stream being written.
    if let Some(io) = unsafe { Io::from_raw(io) } {
        let _ = catch_unwind(AssertUnwindSafe(|| (H::RUN)(io)));
    }
}

/// Declares `$name`, the C aux-save callback of `$handler`.
#[macro_export]
macro_rules! aux_save_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawAuxSaveFn = aux_save_callback($crate::redis::api::AuxSaveBody) <- $handler);
    };
}

/// Reading the module's section of an RDB of the given encoding version; false (or a
/// panic) fails the load.
pub type AuxLoadBody = fn(Io, i32) -> bool;
pub type RawAuxLoadFn = unsafe extern "C" fn(RawIo, c_int, c_int) -> c_int;

pub const fn aux_load_callback<H: Callback<AuxLoadBody>>() -> RawAuxLoadFn {
    call_aux_load::<H>
}

unsafe extern "C" fn call_aux_load<H: Callback<AuxLoadBody>>(io: RawIo, encver: c_int, _when: c_int) -> c_int {
    // SAFETY: Redis passes the stream being read.
    let Some(io) = (unsafe { Io::from_raw(io) }) else {
        return 1;
    };
    match catch_unwind(AssertUnwindSafe(|| (H::RUN)(io, encver))) {
        Ok(true) => 0,
        _ => 1,
    }
}

/// Declares `$name`, the C aux-load callback of `$handler`.
#[macro_export]
macro_rules! aux_load_fn {
    ($name:ident => $handler:path) => {
        $crate::callback!($name: RawAuxLoadFn = aux_load_callback($crate::redis::api::AuxLoadBody) <- $handler);
    };
}

/// Bytes → C string, cut at the first NUL (as Redis's C strings are).
pub fn c_string(b: &[u8]) -> CString {
    CString::new(cut_at_nul(b)).unwrap_or_default()
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Initialises the API table for this module.
///
/// # Safety
/// Must be called once from `RedisModule_OnLoad` with its context.
pub unsafe fn init(ctx: *mut RedisModuleCtx, name: &CStr, version: c_int) -> bool {
    // SAFETY: per the contract.
    unsafe {
        raw::Export_RedisModule_Init(ctx, name.as_ptr(), version, raw::REDISMODULE_APIVER_1 as c_int)
            == raw::REDISMODULE_OK as c_int
    }
}

pub const KEY_RW: u64 = raw::REDISMODULE_CMD_KEY_RW as u64;
pub const KEY_RO: u64 = raw::REDISMODULE_CMD_KEY_RO as u64;
pub const KEY_ACCESS: u64 = raw::REDISMODULE_CMD_KEY_ACCESS as u64;
pub const KEY_UPDATE: u64 = raw::REDISMODULE_CMD_KEY_UPDATE as u64;

pub const CTX_FLAGS_SLAVE: u32 = raw::REDISMODULE_CTX_FLAGS_SLAVE;
pub const CTX_FLAGS_READONLY: u32 = raw::REDISMODULE_CTX_FLAGS_READONLY;
pub const CTX_FLAGS_CLUSTER: u32 = raw::REDISMODULE_CTX_FLAGS_CLUSTER;
pub const CTX_FLAGS_OOM: u32 = raw::REDISMODULE_CTX_FLAGS_OOM;
pub const CTX_FLAGS_LOADING: u32 = raw::REDISMODULE_CTX_FLAGS_LOADING;
pub const CTX_FLAGS_REPLICA_IS_STALE: u32 = raw::REDISMODULE_CTX_FLAGS_REPLICA_IS_STALE;
pub const CTX_FLAGS_REPLICATED: u32 = raw::REDISMODULE_CTX_FLAGS_REPLICATED;

/// A command filter flag: commands the module itself runs with `RedisModule_Call` skip it.
pub const CMDFILTER_NOSELF: c_int = raw::REDISMODULE_CMDFILTER_NOSELF as c_int;

pub const EVENT_CONFIG: u64 = raw::REDISMODULE_EVENT_CONFIG;
pub const EVENT_MODULE_CHANGE: u64 = raw::REDISMODULE_EVENT_MODULE_CHANGE;

pub type CmdFunc = raw::RedisModuleCmdFunc;
pub type RawEvent = raw::RedisModuleEvent;
pub type RawCtx = *mut RedisModuleCtx;
pub type RawString = *mut RedisModuleString;
pub type RawInfoCtx = *mut raw::RedisModuleInfoCtx;
pub type RawFilterCtx = *mut raw::RedisModuleCommandFilterCtx;
pub type RawIo = *mut raw::RedisModuleIO;
