//! Redis's changes to Lua 5.1.5 (7.0.15 plus Debian's security fixes), as exact text
//! substitutions on the pristine sources. Each `before` must occur exactly once in its file
//! (build.rs checks), so a different source tree fails the build instead of mis-patching.

pub struct Patch {
    pub file: &'static str,
    pub why: &'static str,
    pub before: &'static str,
    pub after: &'static str,
}

pub const PATCHES: &[Patch] = &[
    Patch {
        file: "lstring.c",
        why: "S1: String hash uses every byte",
        before: r#"  size_t step = (l>>5)+1;  /* if string is too long, don't hash all its chars */"#,
        after: r#"  size_t step = 1;"#,
    },
    Patch {
        file: "lobject.h",
        why: "R1: Table gets a `readonly` field",
        before: r#"  lu_byte flags;  /* 1<<p means tagmethod(p) is not present */ 
  lu_byte lsizenode;  /* log2 of size of `node' array */"#,
        after: r#"  lu_byte flags;  /* 1<<p means tagmethod(p) is not present */ 
  int readonly;
  lu_byte lsizenode;  /* log2 of size of `node' array */"#,
    },
    Patch {
        file: "ltable.c",
        why: "R2: Initialise `readonly` in luaH_new",
        before: r#"  t->lsizenode = 0;
  t->node = cast(Node *, dummynode);"#,
        after: r#"  t->lsizenode = 0;
  t->readonly = 0;
  t->node = cast(Node *, dummynode);"#,
    },
    Patch {
        file: "ltable.c",
        why: "C1: CVE-2025-46817 (part 2): luaH_getnum bound check",
        before: r#"  /* (1 <= key && key <= t->sizearray) */
  if (cast(unsigned int, key-1) < cast(unsigned int, t->sizearray))"#,
        after: r#"  if (1 <= key && key <= t->sizearray)"#,
    },
    Patch {
        file: "lapi.c",
        why: "R3: lua_rawset refuses readonly tables",
        before: r#"  api_check(L, ttistable(t));
  setobj2t(L, luaH_set(L, hvalue(t), L->top-2), L->top-1);"#,
        after: r#"  api_check(L, ttistable(t));
  if (hvalue(t)->readonly)
    luaG_runerror(L, "Attempt to modify a readonly table");
  setobj2t(L, luaH_set(L, hvalue(t), L->top-2), L->top-1);"#,
    },
    Patch {
        file: "lapi.c",
        why: "R4: lua_rawseti refuses readonly tables",
        before: r#"  api_check(L, ttistable(o));
  setobj2t(L, luaH_setnum(L, hvalue(o), n), L->top-1);"#,
        after: r#"  api_check(L, ttistable(o));
  if (hvalue(o)->readonly)
    luaG_runerror(L, "Attempt to modify a readonly table");
  setobj2t(L, luaH_setnum(L, hvalue(o), n), L->top-1);"#,
    },
    Patch {
        file: "lapi.c",
        why: "R5: lua_setmetatable refuses readonly tables",
        before: r#"    case LUA_TTABLE: {
      hvalue(obj)->metatable = mt;"#,
        after: r#"    case LUA_TTABLE: {
      if (hvalue(obj)->readonly)
        luaG_runerror(L, "Attempt to modify a readonly table");
      hvalue(obj)->metatable = mt;"#,
    },
    Patch {
        file: "lapi.c",
        why: "R6: New API: lua_enablereadonlytable / lua_isreadonlytable",
        before: r#"    luaC_barrier(L, clvalue(fi), L->top);
  }
  lua_unlock(L);
  return name;
}"#,
        after: r#"    luaC_barrier(L, clvalue(fi), L->top);
  }
  lua_unlock(L);
  return name;
}

LUA_API void lua_enablereadonlytable (lua_State *L, int objindex, int enabled) {
  const TValue* o = index2adr(L, objindex);
  api_check(L, ttistable(o));
  Table* t = hvalue(o);
  api_check(L, t != hvalue(registry(L)));
  t->readonly = enabled;
}

LUA_API int lua_isreadonlytable (lua_State *L, int objindex) {
  const TValue* o = index2adr(L, objindex);
  api_check(L, ttistable(o));
  Table* t = hvalue(o);
  api_check(L, t != hvalue(registry(L)));
  return t->readonly;
}"#,
    },
    Patch {
        file: "lua.h",
        why: "R7: Declare the two new API functions",
        before: r#"  int i_ci;  /* active function */
};"#,
        after: r#"  int i_ci;  /* active function */
};

LUA_API void lua_enablereadonlytable (lua_State *L, int index, int enabled);
LUA_API int lua_isreadonlytable (lua_State *L, int index);"#,
    },
    Patch {
        file: "lvm.c",
        why: "R8: luaV_settable refuses readonly tables",
        before: r#"      Table *h = hvalue(t);
      TValue *oldval = luaH_set(L, h, key); /* do a primitive set */"#,
        after: r#"      Table *h = hvalue(t);
      if (h->readonly)
        luaG_runerror(L, "Attempt to modify a readonly table");
      TValue *oldval = luaH_set(L, h, key); /* do a primitive set */"#,
    },
    Patch {
        file: "ldo.c",
        why: "B1: Refuse binary (precompiled) chunks",
        before: r#"  int c = luaZ_lookahead(p->z);
  luaC_checkGC(L);
  tf = ((c == LUA_SIGNATURE[0]) ? luaU_undump : luaY_parser)(L, p->z,"#,
        after: r#"  luaZ_lookahead(p->z);
  luaC_checkGC(L);
  tf = (luaY_parser)(L, p->z,"#,
    },
    Patch {
        file: "lbaselib.c",
        why: "C4: CVE-2025-46817 (part 1): unpack range overflow",
        before: r#"  int i, e, n;
  luaL_checktype(L, 1, LUA_TTABLE);
  i = luaL_optint(L, 2, 1);
  e = luaL_opt(L, luaL_checkint, 3, luaL_getn(L, 1));
  if (i > e) return 0;  /* empty range */
  n = e - i + 1;  /* number of elements */
  if (n <= 0 || !lua_checkstack(L, n))  /* n <= 0 means arith. overflow */
    return luaL_error(L, "too many results to unpack");"#,
        after: r#"  int i, e;
  unsigned int n;
  luaL_checktype(L, 1, LUA_TTABLE);
  i = luaL_optint(L, 2, 1);
  e = luaL_opt(L, luaL_checkint, 3, luaL_getn(L, 1));
  if (i > e) return 0;  /* empty range */
  n = (unsigned int)e - (unsigned int)i;  /* number of elements minus 1 */
  if (n >= INT_MAX || !lua_checkstack(L, ++n))
    return luaL_error(L, "too many results to unpack");"#,
    },
    Patch {
        file: "llex.c",
        why: "C5: CVE-2025-46819 (a): initialise current token in luaX_setinput",
        before: r#"void luaX_setinput (lua_State *L, LexState *ls, ZIO *z, TString *source) {
  ls->decpoint = '.';"#,
        after: r#"void luaX_setinput (lua_State *L, LexState *ls, ZIO *z, TString *source) {
  ls->t.token = 0;
  ls->decpoint = '.';"#,
    },
    Patch {
        file: "llex.c",
        why: "C6: CVE-2025-46819 (b): skip_sep returns size_t, Lua-5.4 convention",
        before: r#"static int skip_sep (LexState *ls) {
  int count = 0;
  int s = ls->current;
  lua_assert(s == '[' || s == ']');
  save_and_next(ls);
  while (ls->current == '=') {
    save_and_next(ls);
    count++;
  }
  return (ls->current == s) ? count : (-count) - 1;
}"#,
        after: r#"/*
** reads a sequence '[=*[' or ']=*]', leaving the last bracket.
** If a sequence is well-formed, return its number of '='s + 2; otherwise,
** return 1 if there is no '='s or 0 otherwise (an unfinished '[==...').
*/
static size_t skip_sep (LexState *ls) {
  size_t count = 0;
  int s = ls->current;
  lua_assert(s == '[' || s == ']');
  save_and_next(ls);
  while (ls->current == '=') {
    save_and_next(ls);
    count++;
  }
   return (ls->current == s) ? count + 2
          : (count == 0) ? 1
          : 0;
}"#,
    },
    Patch {
        file: "llex.c",
        why: "C7: CVE-2025-46819 (c): read_long_string takes size_t sep",
        before: r#"static void read_long_string (LexState *ls, SemInfo *seminfo, int sep) {"#,
        after: r#"static void read_long_string (LexState *ls, SemInfo *seminfo, size_t sep) {"#,
    },
    Patch {
        file: "llex.c",
        why: "C8: CVE-2025-46819 (d): long-string contents offset",
        before: r#"    seminfo->ts = luaX_newstring(ls, luaZ_buffer(ls->buff) + (2 + sep),
                                     luaZ_bufflen(ls->buff) - 2*(2 + sep));"#,
        after: r#"    seminfo->ts = luaX_newstring(ls, luaZ_buffer(ls->buff) + sep,
                                     luaZ_bufflen(ls->buff) - 2 * sep);"#,
    },
    Patch {
        file: "llex.c",
        why: "C9: CVE-2025-46819 (e): long comment `--[`",
        before: r#"          int sep = skip_sep(ls);
          luaZ_resetbuffer(ls->buff);  /* `skip_sep' may dirty the buffer */
          if (sep >= 0) {"#,
        after: r#"          size_t sep = skip_sep(ls);
          luaZ_resetbuffer(ls->buff);  /* `skip_sep' may dirty the buffer */
          if (sep >= 2) {"#,
    },
    Patch {
        file: "llex.c",
        why: "C10: CVE-2025-46819 (f): `[` token / \"invalid long string delimiter\"",
        before: r#"        int sep = skip_sep(ls);
        if (sep >= 0) {
          read_long_string(ls, seminfo, sep);
          return TK_STRING;
        }
        else if (sep == -1) return '[';
        else luaX_lexerror(ls, "invalid long string delimiter", TK_STRING);
      }"#,
        after: r#"        size_t sep = skip_sep(ls);
        if (sep >= 2) {
          read_long_string(ls, seminfo, sep);
          return TK_STRING;
        }
        else if (sep == 0)  /* '[=...' missing second bracket */
          luaX_lexerror(ls, "invalid long string delimiter", TK_STRING);
        return '[';
      }"#,
    },
    Patch {
        file: "lparser.c",
        why: "C11: CVE-2025-49844: anchor chunk-name TString during parsing",
        before: r#"  lexstate.buff = buff;
  luaX_setinput(L, &lexstate, z, luaS_new(L, name));
  open_func(&lexstate, &funcstate);
  funcstate.f->is_vararg = VARARG_ISVARARG;  /* main func. is always vararg */
  luaX_next(&lexstate);  /* read first token */
  chunk(&lexstate);
  check(&lexstate, TK_EOS);
  close_func(&lexstate);"#,
        after: r#"  TString *tname = luaS_new(L, name);
  setsvalue2s(L, L->top, tname);
  incr_top(L);
  lexstate.buff = buff;
  luaX_setinput(L, &lexstate, z, tname);
  open_func(&lexstate, &funcstate);
  funcstate.f->is_vararg = VARARG_ISVARARG;  /* main func. is always vararg */
  luaX_next(&lexstate);  /* read first token */
  chunk(&lexstate);
  check(&lexstate, TK_EOS);
  close_func(&lexstate);
  --L->top;"#,
    },
    // ---- luax's own addition (not in Redis): a per-table write counter, so the engine can
    // tell that a KEYS/ARGV table it filled was left untouched by the script and can be
    // refilled instead of rebuilt. Invisible to scripts.
    Patch {
        file: "lobject.h",
        why: "W1: write counter field",
        before: "  int readonly;\n",
        after: "  int readonly;\n  unsigned int writes;\n",
    },
    Patch {
        file: "ltable.c",
        why: "W2: write counter starts at 0",
        before: "  t->readonly = 0;\n",
        after: "  t->readonly = 0;\n  t->writes = 0;\n",
    },
    Patch {
        file: "ltable.c",
        why: "W3: every store through luaH_set counts",
        before: "TValue *luaH_set (lua_State *L, Table *t, const TValue *key) {\n  const TValue *p = luaH_get(t, key);\n",
        after: "TValue *luaH_set (lua_State *L, Table *t, const TValue *key) {\n  const TValue *p = luaH_get(t, key);\n  t->writes++;\n",
    },
    Patch {
        file: "ltable.c",
        why: "W4: every store through luaH_setnum counts",
        before: "TValue *luaH_setnum (lua_State *L, Table *t, int key) {\n  const TValue *p = luaH_getnum(t, key);\n",
        after: "TValue *luaH_setnum (lua_State *L, Table *t, int key) {\n  const TValue *p = luaH_getnum(t, key);\n  t->writes++;\n",
    },
    Patch {
        file: "ltable.c",
        why: "W5: every store through luaH_setstr counts",
        before: "TValue *luaH_setstr (lua_State *L, Table *t, TString *key) {\n  const TValue *p = luaH_getstr(t, key);\n",
        after: "TValue *luaH_setstr (lua_State *L, Table *t, TString *key) {\n  const TValue *p = luaH_getstr(t, key);\n  t->writes++;\n",
    },
    Patch {
        file: "lapi.c",
        why: "W6: reading the write counter",
        before: "LUA_API int lua_isreadonlytable (lua_State *L, int objindex) {",
        after: "LUA_API unsigned int lua_tablewrites (lua_State *L, int objindex) {\n  const TValue* o = index2adr(L, objindex);\n  api_check(L, ttistable(o));\n  return hvalue(o)->writes;\n}\n\nLUA_API int lua_isreadonlytable (lua_State *L, int objindex) {",
    },
    // ---- luax's own speed-ups: the same bytes, without a sprintf per item ----
    Patch {
        file: "lstrlib.c",
        why: "F1: a plain %d/%i writes its digits directly (what sprintf(\"%ld\") of the same cast gives)",
        before: "        case 'd':  case 'i': {\n          addintlen(form);",
        after: "        case 'd':  case 'i': {\n          if (form[2] == '\\0') {\n            LUA_INTFRM_T n = (LUA_INTFRM_T)luaL_checknumber(L, arg);\n            unsigned LUA_INTFRM_T u = n < 0 ? 0 - (unsigned LUA_INTFRM_T)n : (unsigned LUA_INTFRM_T)n;\n            char *end = buff + MAX_ITEM, *p = end;\n            do { *--p = (char)('0' + (int)(u % 10)); u /= 10; } while (u != 0);\n            if (n < 0) *--p = '-';\n            luaL_addlstring(&b, p, (size_t)(end - p));\n            continue;\n          }\n          addintlen(form);",
    },
    Patch {
        file: "lstrlib.c",
        why: "F2: a plain %s of a short string is copied up to its first NUL (what sprintf(\"%s\") gives)",
        before: "          else {\n            sprintf(buff, form, s);",
        after: "          else if (form[2] == '\\0') {\n            luaL_addlstring(&b, s, strlen(s));\n            continue;\n          }\n          else {\n            sprintf(buff, form, s);",
    },
    // ---- luax's own safety changes (not in Redis; Redis 7.0.15 crashes or hangs here) ----
    Patch {
        file: "ldebug.c",
        why: "K1: hooks stay on while the handler of an error raised by a hook runs, so a killed script cannot loop forever in an xpcall handler",
        before: "    incr_top(L);\n    luaD_call(L, L->top - 2, 1);  /* call it */",
        after: "    incr_top(L);\n    L->allowhook = 1;  /* a hook that raised is over; keep the handler interruptible */\n    luaD_call(L, L->top - 2, 1);  /* call it */",
    },
    Patch {
        file: "lstrlib.c",
        why: "M1: pattern matching counts its recursion",
        before: "  const char *src_end;  /* end (`\\0') of source string */\n  lua_State *L;",
        after: "  const char *src_end;  /* end (`\\0') of source string */\n  lua_State *L;\n  int depth;  /* recursion depth of match() */",
    },
    Patch {
        file: "lstrlib.c",
        why: "M2: a pattern deeper than the C stack allows is an error, not a crash (the check is inlined at every call, so the matcher's frames stay as they were)",
        before: "static const char *match (MatchState *ms, const char *s, const char *p);\n",
        after: "#define LUAX_MAXMATCHDEPTH 80000\nstatic const char *do_match (MatchState *ms, const char *s, const char *p);\nstatic void luax_match_enter (MatchState *ms) {\n  if (++ms->depth > LUAX_MAXMATCHDEPTH)\n    luaL_error(ms->L, \"pattern too complex\");\n}\nstatic const char *luax_match_leave (MatchState *ms, const char *res) {\n  ms->depth--;\n  return res;\n}\n#define match(ms,s,p) (luax_match_enter(ms), luax_match_leave(ms, do_match(ms,s,p)))\n",
    },
    Patch {
        file: "lstrlib.c",
        why: "M2b: the matcher itself",
        before: "static const char *match (MatchState *ms, const char *s, const char *p) {\n  init:",
        after: "static const char *do_match (MatchState *ms, const char *s, const char *p) {\n  init:",
    },
    Patch {
        file: "lstrlib.c",
        why: "M3: depth starts at 0 (find/match)",
        before: "      ms.level = 0;\n      if ((res=match(&ms, s1, p)) != NULL) {",
        after: "      ms.level = 0;\n      ms.depth = 0;\n      if ((res=match(&ms, s1, p)) != NULL) {",
    },
    Patch {
        file: "lstrlib.c",
        why: "M4: depth starts at 0 (gmatch)",
        before: "    ms.level = 0;\n    if ((e = match(&ms, src, p)) != NULL) {",
        after: "    ms.level = 0;\n    ms.depth = 0;\n    if ((e = match(&ms, src, p)) != NULL) {",
    },
    Patch {
        file: "lstrlib.c",
        why: "M5: depth starts at 0 (gsub)",
        before: "    ms.level = 0;\n    e = match(&ms, src, p);",
        after: "    ms.level = 0;\n    ms.depth = 0;\n    e = match(&ms, src, p);",
    },
];
