//! Command registration: names, flags, arity and key specs (so ACL, cluster routing and
//! CROSSSLOT checks see a script's declared keys).

use std::ffi::CStr;

use super::api::{self, Command, Ctx, KeySpec};

/// A command or a subcommand of a container.
pub struct CommandDef {
    pub name: &'static CStr,
    pub handler: api::CmdFunc,
    pub flags: &'static CStr,
    pub arity: i32,
    pub summary: &'static CStr,
    /// Key access flags for the keynum key spec (numkeys at argument 2), if the command
    /// takes keys.
    pub key_flags: Option<u64>,
    /// ACL categories, as the native counterpart has them (`slow scripting`); set where the
    /// server lets modules set them (Redis 7.2+, Valkey), ignored on Redis 7.0.
    pub acl_categories: &'static CStr,
}

const SINCE: &CStr = c"0.1.0";

pub fn command(ctx: Ctx, def: &CommandDef) -> Result<(), String> {
    let fail = || format!("cannot register {}", def.name.to_string_lossy());
    if !ctx.create_command(def.name, def.handler, def.flags) {
        return Err(fail());
    }
    let cmd = ctx.get_command(def.name).ok_or_else(fail)?;
    set_info(cmd, def)
}

fn set_info(cmd: Command, def: &CommandDef) -> Result<(), String> {
    set_categories(cmd, def.name, def.acl_categories)?;
    let specs: Vec<KeySpec> =
        def.key_flags.map(|flags| KeySpec { flags, begin_index: 2, keynum: (0, 1, 1) }).into_iter().collect();
    if !cmd.set_info(def.arity, def.summary, SINCE, &specs) {
        return Err(format!("cannot set command info of {}", def.name.to_string_lossy()));
    }
    Ok(())
}

fn set_categories(cmd: Command, name: &CStr, categories: &CStr) -> Result<(), String> {
    match cmd.set_acl_categories(categories) {
        Some(false) => Err(format!("cannot set the ACL categories of {}", name.to_string_lossy())),
        _ => Ok(()),
    }
}

/// A container command (in `categories`) and its subcommands.
pub fn container(
    ctx: Ctx,
    name: &'static CStr,
    summary: &'static CStr,
    categories: &'static CStr,
    subs: &[CommandDef],
) -> Result<(), String> {
    let fail = |what: &str| format!("cannot register {} ({what})", name.to_string_lossy());
    if !ctx.create_command(name, None, c"") {
        return Err(fail("container"));
    }
    let parent = ctx.get_command(name).ok_or_else(|| fail("lookup"))?;
    if !parent.set_info(-2, summary, SINCE, &[]) {
        return Err(fail("info"));
    }
    set_categories(parent, name, categories)?;
    for sub in subs {
        if !parent.create_subcommand(sub.name, sub.handler, sub.flags) {
            return Err(fail(&sub.name.to_string_lossy()));
        }
        let mut full = name.to_bytes().to_vec();
        full.push(b'|');
        full.extend_from_slice(sub.name.to_bytes());
        let full = api::c_string(&full);
        let cmd = ctx.get_command(&full).ok_or_else(|| fail("subcommand lookup"))?;
        set_info(cmd, sub)?;
    }
    Ok(())
}
