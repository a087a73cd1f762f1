//! `cjson.decode`.
//!
//! The input is read as the C code reads a NUL-terminated string: the end of the Lua string
//! and any NUL byte inside it both end the text. Parsing is iterative with the same Lua stack
//! layout as the C recursion (table, or table and key, per open container), so that running
//! out of Lua stack happens at the same depth and gives the same error.

use std::ffi::c_int;

use super::strtod::{exact_decimal, starts_with_ignore_case, strtod};
use super::{settings, Settings};
use crate::libs::key_cache::KeyCache;
use crate::libs::layout::{lua_hash, Planner, MAX_KEYS};
use crate::lua::args::check_bytes;
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::{Lua, Pinned};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    String,
    Number,
    Boolean,
    Null,
    Colon,
    Comma,
    End,
    Whitespace,
    Error,
    /// Needs a closer look: strings, numbers, literals.
    Unknown,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ObjBegin => "T_OBJ_BEGIN",
            Kind::ObjEnd => "T_OBJ_END",
            Kind::ArrBegin => "T_ARR_BEGIN",
            Kind::ArrEnd => "T_ARR_END",
            Kind::String => "T_STRING",
            Kind::Number => "T_NUMBER",
            Kind::Boolean => "T_BOOLEAN",
            Kind::Null => "T_NULL",
            Kind::Colon => "T_COLON",
            Kind::Comma => "T_COMMA",
            Kind::End => "T_END",
            Kind::Whitespace => "T_WHITESPACE",
            Kind::Error => "T_ERROR",
            Kind::Unknown => "T_UNKNOWN",
        }
    }
}

static CHAR_KIND: [Kind; 256] = char_kinds();

const fn char_kinds() -> [Kind; 256] {
    let mut t = [Kind::Error; 256];
    t[b'{' as usize] = Kind::ObjBegin;
    t[b'}' as usize] = Kind::ObjEnd;
    t[b'[' as usize] = Kind::ArrBegin;
    t[b']' as usize] = Kind::ArrEnd;
    t[b',' as usize] = Kind::Comma;
    t[b':' as usize] = Kind::Colon;
    t[0] = Kind::End;
    t[b' ' as usize] = Kind::Whitespace;
    t[b'\t' as usize] = Kind::Whitespace;
    t[b'\n' as usize] = Kind::Whitespace;
    t[b'\r' as usize] = Kind::Whitespace;
    let unknown = b"fiInNt\"+-0123456789";
    let mut i = 0;
    while i < unknown.len() {
        t[unknown[i] as usize] = Kind::Unknown;
        i += 1;
    }
    t
}

/// What `\x` stands for (0: invalid escape; `u`: a \uXXXX escape).
static ESCAPE_CHAR: [u8; 256] = escape_chars();

const fn escape_chars() -> [u8; 256] {
    let mut t = [0u8; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'/' as usize] = b'/';
    t[b'b' as usize] = 0x08;
    t[b't' as usize] = b'\t';
    t[b'n' as usize] = b'\n';
    t[b'f' as usize] = 0x0c;
    t[b'r' as usize] = b'\r';
    t[b'u' as usize] = b'u';
    t
}

/// Where a string token's bytes are.
#[derive(Clone, Copy, Debug)]
enum Text {
    /// A slice of the input (no escapes).
    Input(usize, usize),
    /// The parser's scratch buffer.
    Scratch,
}

/// Bytes that end a plain run inside a string: the quote, a backslash, the terminator.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[0] = true;
    t
};

/// A string read ahead: a slice of the input or of the parser's arena.
#[derive(Clone, Copy, Debug)]
struct Span {
    in_arena: bool,
    start: usize,
    end: usize,
}

/// A member value read ahead (see `flat_object`).
#[derive(Clone, Copy, Debug)]
enum Scalar {
    Str(Span),
    Number(f64),
    Boolean(bool),
    Null,
}

#[derive(Clone, Copy, Debug)]
struct Member {
    key: Span,
    value: Scalar,
}

/// Length of the prefix of `s` without a quote, backslash or NUL; eight bytes at a time.
#[inline]
fn plain_run(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set in each zero byte's position, and maybe in higher ones (never lower),
    // so the lowest set bit is the first zero byte.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let stop = zero(x) | zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\')));
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && !STRING_STOP[usize::from(s[i])] {
        i += 1;
    }
    i
}

/// The common JSON number `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 15 digits and no
/// exponent after it, scanned in one pass; the value is `exact_decimal`'s, as strtod's fast
/// path gives it. `None` for anything else (strtod then reads it).
#[inline]
fn plain_number(s: &[u8]) -> Option<(f64, usize)> {
    let negative = s.first() == Some(&b'-');
    let int_start = usize::from(negative);
    let mut i = int_start;
    let mut m: u64 = 0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        m = m * 10 + u64::from(c - b'0');
        i += 1;
        if i - int_start > 15 {
            return None;
        }
    }
    let int_len = i - int_start;
    if int_len == 0 || (int_len > 1 && s[int_start] == b'0') {
        return None;
    }
    let mut frac_len = 0;
    if s.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = frac_start;
        while let Some(&c) = s.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            m = m * 10 + u64::from(c - b'0');
            i += 1;
            if int_len + (i - frac_start) > 15 {
                return None;
            }
        }
        frac_len = i - frac_start;
        if frac_len == 0 {
            return None;
        }
    }
    // strtod would read on: an exponent, or a hexadecimal number after "0".
    if matches!(s.get(i), Some(b'e' | b'E' | b'.' | b'x' | b'X')) {
        return None;
    }
    let v = exact_decimal(m, -(frac_len as i64))?;
    Some((if negative { -v } else { v }, i))
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    scratch: Vec<u8>,
    /// Members read ahead, their key hashes, and their unescaped strings.
    members: Vec<Member>,
    planner: Planner,
    arena: Vec<u8>,
    /// Key strings of the objects in the innermost array, while its elements are flat
    /// objects or scalars.
    cache: KeyCache,
    settings: Settings,
    // The current token (the C code's json_token_t); `next_token` returns its kind.
    /// 0-based offset of the token in the input.
    index: usize,
    number: f64,
    boolean: bool,
    text: Text,
    error: &'static str,
}

impl Parser<'_> {
    /// The byte at `i`, 0 past the end (the C string's terminator).
    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn rest(&self, from: usize) -> &[u8] {
        self.data.get(from..).unwrap_or_default()
    }

    fn error_token(&mut self, msg: &'static str) -> Kind {
        self.index = self.pos;
        self.error = msg;
        Kind::Error
    }

    /// Moves past whitespace and returns the byte there (0 at the end), as `next_token`
    /// sees it.
    #[inline]
    fn skip_whitespace(&mut self) -> u8 {
        loop {
            let ch = self.at(self.pos);
            if CHAR_KIND[usize::from(ch)] != Kind::Whitespace {
                return ch;
            }
            self.pos += 1;
        }
    }

    #[inline]
    fn next_token(&mut self) -> Kind {
        let ch = self.skip_whitespace();
        self.index = self.pos;
        match CHAR_KIND[usize::from(ch)] {
            Kind::Error => self.error_token("invalid token"),
            Kind::End => Kind::End,
            Kind::Unknown => self.complex_token(ch),
            kind => {
                self.pos += 1;
                kind
            }
        }
    }

    fn complex_token(&mut self, ch: u8) -> Kind {
        if ch == b'"' {
            return self.string_token();
        }
        if ch == b'-' || ch.is_ascii_digit() {
            if self.settings.decode_invalid_numbers == 0 && self.is_invalid_number() {
                return self.error_token("invalid number");
            }
            return self.number_token();
        }
        let rest = self.rest(self.pos);
        if rest.starts_with(b"true") {
            self.pos += 4;
            self.boolean = true;
            return Kind::Boolean;
        }
        if rest.starts_with(b"false") {
            self.pos += 5;
            self.boolean = false;
            return Kind::Boolean;
        }
        if rest.starts_with(b"null") {
            self.pos += 4;
            return Kind::Null;
        }
        if self.settings.decode_invalid_numbers != 0 && self.is_invalid_number() {
            return self.number_token();
        }
        self.error_token("invalid token")
    }

    /// Whether the number here is valid for strtod but not JSON (`+`, hex, leading zeros,
    /// inf, nan); may pass things strtod rejects.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        match self.at(p) {
            b'+' => return true,
            b'-' => p += 1,
            _ => {}
        }
        let c = self.at(p);
        if c == b'0' {
            let c2 = self.at(p + 1);
            return c2 | 0x20 == b'x' || c2.is_ascii_digit();
        }
        if c <= b'9' {
            return false;
        }
        let rest = self.rest(p);
        starts_with_ignore_case(rest, b"inf") || starts_with_ignore_case(rest, b"nan")
    }

    fn number_token(&mut self) -> Kind {
        if let Some((v, used)) = plain_number(self.rest(self.pos)) {
            self.pos += used;
            self.number = v;
            return Kind::Number;
        }
        // strtod stops at the C string's end, which a NUL inside the data also marks.
        match strtod(self.rest(self.pos)) {
            Some((v, used)) => {
                self.pos += used;
                self.number = v;
                Kind::Number
            }
            None => self.error_token("invalid number"),
        }
    }

    fn string_token(&mut self) -> Kind {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Skip to the next quote, backslash or end.
            let data = self.data;
            let run = data.get(self.pos..).unwrap_or_default();
            let n = plain_run(run);
            if escaped {
                self.scratch.extend_from_slice(&run[..n]);
            }
            self.pos += n;
            match self.at(self.pos) {
                b'"' => break,
                0 => return self.error_token("unexpected end of string"),
                _ => {}
            }
            if !escaped {
                escaped = true;
                self.scratch.clear();
                self.scratch.extend_from_slice(&self.data[start..self.pos]);
            }
            let c = ESCAPE_CHAR[usize::from(self.at(self.pos + 1))];
            if c == b'u' {
                if !self.unicode_escape() {
                    return self.error_token("invalid unicode escape code");
                }
                continue;
            }
            if c == 0 {
                return self.error_token("invalid escape code");
            }
            self.scratch.push(c);
            self.pos += 2;
        }
        self.text = if escaped { Text::Scratch } else { Text::Input(start, self.pos) };
        self.pos += 1;
        Kind::String
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            v = v << 4 | char::from(self.at(at + i)).to_digit(16)?;
        }
        Some(v)
    }

    /// `\uXXXX` (or a surrogate pair of them) at `pos`, appended as UTF-8.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            // Must be a high surrogate followed by an escaped low surrogate.
            if cp & 0x400 != 0 || self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        let mut utf8 = [0u8; 4];
        // Surrogates were handled above, so every value left is a char.
        let Some(c) = char::from_u32(cp) else {
            return false;
        };
        self.scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        self.pos += len;
        true
    }

    /// The current string token, kept: unescaped text is copied to the arena.
    fn keep_text(&mut self) -> Span {
        match self.text {
            Text::Input(start, end) => Span { in_arena: false, start, end },
            Text::Scratch => {
                let start = self.arena.len();
                self.arena.extend_from_slice(&self.scratch);
                Span { in_arena: true, start, end: self.arena.len() }
            }
        }
    }

    fn span(&self, s: Span) -> &[u8] {
        let from = if s.in_arena { &self.arena } else { self.data };
        from.get(s.start..s.end).unwrap_or_default()
    }

    /// The current string token's bytes.
    fn text(&self) -> &[u8] {
        match self.text {
            Text::Input(a, b) => self.data.get(a..b).unwrap_or_default(),
            Text::Scratch => &self.scratch,
        }
    }

    #[cold]
    fn parse_error(&self, expected: &str, kind: Kind) -> Raise {
        let found = if kind == Kind::Error { self.error } else { kind.name() };
        Raise::located(format!("Expected {expected} but found {found} at character {}", self.index + 1))
    }

    /// `json_decode_descend`: the depth limit, and Lua stack room for the container.
    fn descend(&self, lua: &mut Pinned<'_>, depth: usize, slots: c_int) -> LuaResult<()> {
        if depth as u64 > self.settings.decode_max_depth as u64 || !lua.check_stack(slots) {
            return Err(Raise::located(format!(
                "Found too many nested data structures ({depth}) at character {}",
                self.pos
            )));
        }
        Ok(())
    }
}

enum Open {
    /// Next element index.
    Array(c_int),
    Object,
}

/// Parses one value (and everything nested in it) and leaves it on the stack.
fn parse_value(lua: &mut Pinned<'_>, p: &mut Parser, mut kind: Kind) -> LuaResult<()> {
    let mut open: Vec<Open> = Vec::new();
    'value: loop {
        match kind {
            Kind::String => lua.push_bytes(p.text()),
            Kind::Number => lua.push_number(p.number),
            Kind::Boolean => lua.push_bool(p.boolean),
            Kind::Null => lua.push_light_userdata(std::ptr::null_mut()),
            Kind::ObjBegin => {
                p.descend(lua, open.len() + 1, 3)?;
                let in_list = matches!(open.last(), Some(Open::Array(_)));
                if !flat_object(lua, p, in_list) {
                    p.cache.close(lua);
                    lua.create_table(0, 0);
                    kind = p.next_token();
                    if kind != Kind::ObjEnd {
                        open.push(Open::Object);
                        kind = object_key(lua, p, kind)?;
                        continue 'value;
                    }
                }
            }
            Kind::ArrBegin => {
                p.descend(lua, open.len() + 1, 2)?;
                p.cache.close(lua);
                lua.create_table(0, 0);
                kind = p.next_token();
                if kind != Kind::ArrEnd {
                    open.push(Open::Array(1));
                    continue 'value;
                }
            }
            _ => return Err(p.parse_error("value", kind)),
        }
        // A complete value is on top: store it in the enclosing container.
        loop {
            match open.last_mut() {
                None => return Ok(()),
                Some(Open::Array(i)) => {
                    // The array's table is below the key cache, if there is one.
                    lua.raw_seti(if p.cache.is_open() { p.cache.table() } else { -2 }, *i);
                    kind = p.next_token();
                    if kind == Kind::Comma {
                        *i = i.wrapping_add(1);
                        kind = p.next_token();
                        continue 'value;
                    }
                    if kind != Kind::ArrEnd {
                        return Err(p.parse_error("comma or array end", kind));
                    }
                    p.cache.close(lua);
                }
                Some(Open::Object) => {
                    lua.raw_set(-3);
                    kind = p.next_token();
                    if kind == Kind::Comma {
                        kind = p.next_token();
                        kind = object_key(lua, p, kind)?;
                        continue 'value;
                    }
                    if kind != Kind::ObjEnd {
                        return Err(p.parse_error("comma or object end", kind));
                    }
                }
            }
            open.pop();
        }
    }
}

/// Reads ahead an object (its `{` just consumed) made of at most `MAX_KEYS` members whose
/// values are strings, numbers, booleans or nulls and whose keys hash differently. If it is
/// one, pushes it as a table built at its final size with the layout member-by-member
/// insertion gives (see `layout`), and returns true. Otherwise rewinds and returns false:
/// the general path then parses it, errors included.
fn flat_object(lua: &mut Pinned<'_>, p: &mut Parser, in_list: bool) -> bool {
    let start = p.pos;
    p.members.clear();
    p.planner.clear();
    p.arena.clear();
    // Punctuation and strings are read here directly; everything else through `next_token`.
    let complete = loop {
        if p.members.len() == MAX_KEYS || p.skip_whitespace() != b'"' || p.string_token() != Kind::String {
            break false;
        }
        let key = p.keep_text();
        let hash = lua_hash(p.span(key));
        if !p.planner.add(hash) || p.skip_whitespace() != b':' {
            break false;
        }
        p.pos += 1;
        let value = if p.skip_whitespace() == b'"' {
            if p.string_token() != Kind::String {
                break false;
            }
            Scalar::Str(p.keep_text())
        } else {
            match p.next_token() {
                Kind::Number => Scalar::Number(p.number),
                Kind::Boolean => Scalar::Boolean(p.boolean),
                Kind::Null => Scalar::Null,
                _ => break false,
            }
        };
        p.members.push(Member { key, value });
        match p.skip_whitespace() {
            b',' => p.pos += 1,
            b'}' => {
                p.pos += 1;
                break true;
            }
            _ => break false,
        }
    };
    let (order, n) = match p.planner.order() {
        Some(order) if complete => order,
        _ => {
            p.pos = start;
            return false;
        }
    };
    // An element of a list: start a key cache, if there is room for it on top of what this
    // and the next elements need (`descend`'s three slots).
    if in_list && !p.cache.is_open() && lua.check_stack(n as c_int + 3) {
        p.cache.open(lua, n);
    }
    lua.create_table(0, n as c_int);
    for &i in &order[..n] {
        let i = usize::from(i);
        let Some(&m) = p.members.get(i) else {
            continue;
        };
        // Keys with escapes (unescaped into the arena) are not cached.
        if m.key.in_arena {
            lua.push_bytes(p.span(m.key));
        } else {
            p.cache.push_key(lua, p.data, i, m.key.start, m.key.end);
        }
        match m.value {
            Scalar::Str(s) => lua.push_bytes(p.span(s)),
            Scalar::Number(d) => lua.push_number(d),
            Scalar::Boolean(b) => lua.push_bool(b),
            Scalar::Null => lua.push_light_userdata(std::ptr::null_mut()),
        }
        lua.raw_set(-3);
    }
    true
}

/// Pushes the member key (the current token) and reads past the colon; returns the kind of
/// the value's token.
#[inline]
fn object_key(lua: &mut Pinned<'_>, p: &mut Parser, kind: Kind) -> LuaResult<Kind> {
    if kind != Kind::String {
        return Err(p.parse_error("object key string", kind));
    }
    lua.push_bytes(p.text());
    let colon = p.next_token();
    if colon != Kind::Colon {
        return Err(p.parse_error("colon", colon));
    }
    Ok(p.next_token())
}

pub fn decode(lua: &mut Lua) -> LuaResult<c_int> {
    if lua.top() != 1 {
        return Err(Raise::arg(1, "expected 1 argument"));
    }
    let settings = settings(lua)?;
    // luaL_checklstring: numbers are converted in place. The string stays at index 1 while
    // the tables are built above it.
    check_bytes(lua, 1)?;
    let Some((data, mut stack)) = lua.pin_string(1) else {
        return Err(Raise::type_error(lua, 1, "string"));
    };
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(Raise::located("JSON parser does not support UTF-16 or UTF-32"));
    }
    let mut p = Parser {
        data,
        pos: 0,
        scratch: Vec::new(),
        members: Vec::new(),
        planner: Planner::new(),
        arena: Vec::new(),
        cache: KeyCache::new(),
        settings,
        index: 0,
        number: 0.0,
        boolean: false,
        text: Text::Scratch,
        error: "",
    };
    let kind = p.next_token();
    parse_value(&mut stack, &mut p, kind)?;
    let kind = p.next_token();
    if kind != Kind::End {
        return Err(p.parse_error("the end", kind));
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::{plain_number, plain_run, strtod, STRING_STOP};

    #[test]
    fn plain_numbers_read_as_strtod_reads_them() {
        let mut rng = crate::vm::testing::XorShift::new(0x1234_5678_9ABC_DEF1);
        let mut next = move |m: u64| rng.below(m);
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "-1",
            "0.5",
            "00",
            "01",
            "-01",
            "1.",
            "1.e5",
            "1e5",
            "1.5E3",
            "0x10",
            "0X1p3",
            "-",
            "-.5",
            ".5",
            "123456789012345",
            "1234567890123456",
            "0.123456789012345",
            "99999999999999.9",
            "1.0000000000000002",
            "3.25,",
            "13.00}",
            "5]",
            "1\0",
            "2.5\0x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..200_000 {
            let mut t = String::new();
            if next(3) == 0 {
                t.push('-');
            }
            for _ in 0..1 + next(17) {
                t.push(char::from(b'0' + next(10) as u8));
            }
            if next(2) == 0 {
                t.push('.');
                for _ in 0..next(17) {
                    t.push(char::from(b'0' + next(10) as u8));
                }
            }
            t.push(char::from(b",}] \0eE.x9"[next(10) as usize]));
            texts.push(t);
        }
        for t in &texts {
            if let Some((v, used)) = plain_number(t.as_bytes()) {
                let (w, wused) = strtod(t.as_bytes()).unwrap_or((f64::NAN, 0));
                assert_eq!((v.to_bits(), used), (w.to_bits(), wused), "{t:?}");
            }
        }
    }

    #[test]
    fn plain_runs_stop_at_quote_backslash_or_nul() {
        let mut rng = crate::vm::testing::XorShift::new(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            let state = rng.next_u64();
            let len = (state % 40) as usize;
            let s: Vec<u8> = (0..len)
                .map(|i| {
                    let b = (state >> (i % 8 * 8)) as u8 ^ i as u8;
                    if b % 23 == 0 {
                        [b'"', b'\\', 0, 0xa2, 0xdc][usize::from(b % 5)]
                    } else {
                        b
                    }
                })
                .collect();
            let want = s.iter().position(|&c| STRING_STOP[usize::from(c)]).unwrap_or(s.len());
            assert_eq!(plain_run(&s), want, "{s:?}");
        }
    }
}
