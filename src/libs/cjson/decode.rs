//! `cjson.decode`.
//!
//! The input is read as the C code reads a NUL-terminated string: the end of the Lua string
//! and any NUL byte inside it both end the text. Parsing is iterative with the same Lua stack
//! layout as the C recursion (table, or table and key, per open container), so that running
//! out of Lua stack happens at the same depth and gives the same error.

use std::ffi::c_int;

use super::strtod::strtod;
use super::{settings, Settings};
use crate::lua::callback::{LuaResult, Raise};
use crate::lua::state::Lua;

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

#[derive(Clone, Copy, Debug)]
enum Value {
    None,
    Number(f64),
    Bool(bool),
    Text(Text),
    Error(&'static str),
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    /// 0-based offset of the token in the input.
    index: usize,
    value: Value,
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    scratch: Vec<u8>,
    settings: Settings,
}

impl Parser<'_> {
    /// The byte at `i`, 0 past the end (the C string's terminator).
    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn error_token(&self, msg: &'static str) -> Token {
        Token {
            kind: Kind::Error,
            index: self.pos,
            value: Value::Error(msg),
        }
    }

    fn next_token(&mut self) -> Token {
        let mut ch;
        let mut kind;
        loop {
            ch = self.at(self.pos);
            kind = CHAR_KIND[usize::from(ch)];
            if kind != Kind::Whitespace {
                break;
            }
            self.pos += 1;
        }
        let index = self.pos;
        let simple = |kind| Token {
            kind,
            index,
            value: Value::None,
        };
        match kind {
            Kind::Error => return self.error_token("invalid token"),
            Kind::End => return simple(Kind::End),
            Kind::Unknown => {}
            _ => {
                self.pos += 1;
                return simple(kind);
            }
        }
        let rest = &self.data[self.pos.min(self.data.len())..];
        if ch == b'"' {
            return self.string_token();
        }
        if ch == b'-' || ch.is_ascii_digit() {
            if self.settings.decode_invalid_numbers == 0 && self.is_invalid_number() {
                return self.error_token("invalid number");
            }
            return self.number_token();
        }
        if rest.starts_with(b"true") {
            self.pos += 4;
            return Token {
                kind: Kind::Boolean,
                index,
                value: Value::Bool(true),
            };
        }
        if rest.starts_with(b"false") {
            self.pos += 5;
            return Token {
                kind: Kind::Boolean,
                index,
                value: Value::Bool(false),
            };
        }
        if rest.starts_with(b"null") {
            self.pos += 4;
            return simple(Kind::Null);
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
        let rest = &self.data[p.min(self.data.len())..];
        let word = |w: &[u8]| rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(w);
        word(b"inf") || word(b"nan")
    }

    fn number_token(&mut self) -> Token {
        let start = self.pos;
        // strtod stops at the C string's end, which a NUL inside the data also marks.
        let rest = &self.data[start.min(self.data.len())..];
        match strtod(rest) {
            Some((v, used)) => {
                self.pos += used;
                Token {
                    kind: Kind::Number,
                    index: start,
                    value: Value::Number(v),
                }
            }
            None => self.error_token("invalid number"),
        }
    }

    fn string_token(&mut self) -> Token {
        let index = self.pos;
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let ch = self.at(self.pos);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return self.error_token("unexpected end of string");
            }
            if ch != b'\\' {
                if escaped {
                    self.scratch.push(ch);
                }
                self.pos += 1;
                continue;
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
        let text = if escaped {
            Text::Scratch
        } else {
            Text::Input(start, self.pos)
        };
        self.pos += 1;
        Token {
            kind: Kind::String,
            index,
            value: Value::Text(text),
        }
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
        self.scratch
            .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        self.pos += len;
        true
    }

    fn text(&self, t: Text) -> &[u8] {
        match t {
            Text::Input(a, b) => &self.data[a..b],
            Text::Scratch => &self.scratch,
        }
    }

    fn parse_error(&self, expected: &str, token: &Token) -> Raise {
        let found = match token.value {
            Value::Error(msg) if token.kind == Kind::Error => msg,
            _ => token.kind.name(),
        };
        Raise::located(format!(
            "Expected {expected} but found {found} at character {}",
            token.index + 1
        ))
    }
}

enum Open {
    /// Next element index.
    Array(c_int),
    Object,
}

/// Parses one value (and everything nested in it) and leaves it on the stack.
fn parse_value(lua: Lua, p: &mut Parser, mut token: Token) -> LuaResult<()> {
    let mut open: Vec<Open> = Vec::new();
    // `json_decode_descend`: the depth limit, and stack room for the container's slots.
    let descend = |p: &Parser, open: &Vec<Open>, slots: c_int| -> LuaResult<()> {
        let depth = open.len() + 1;
        if depth as u64 > p.settings.decode_max_depth as u64 || !lua.check_stack(slots) {
            return Err(Raise::located(format!(
                "Found too many nested data structures ({depth}) at character {}",
                p.pos
            )));
        }
        Ok(())
    };
    'value: loop {
        match token.kind {
            Kind::String => {
                if let Value::Text(t) = token.value {
                    lua.push_bytes(p.text(t));
                }
            }
            Kind::Number => {
                if let Value::Number(v) = token.value {
                    lua.push_number(v);
                }
            }
            Kind::Boolean => lua.push_bool(matches!(token.value, Value::Bool(true))),
            Kind::Null => lua.push_light_userdata(std::ptr::null_mut()),
            Kind::ObjBegin => {
                descend(p, &open, 3)?;
                lua.create_table(0, 0);
                token = p.next_token();
                if token.kind != Kind::ObjEnd {
                    open.push(Open::Object);
                    token = object_key(lua, p, token)?;
                    continue 'value;
                }
            }
            Kind::ArrBegin => {
                descend(p, &open, 2)?;
                lua.create_table(0, 0);
                token = p.next_token();
                if token.kind != Kind::ArrEnd {
                    open.push(Open::Array(1));
                    continue 'value;
                }
            }
            _ => return Err(p.parse_error("value", &token)),
        }
        // A complete value is on top: store it in the enclosing container.
        loop {
            match open.last_mut() {
                None => return Ok(()),
                Some(Open::Array(i)) => {
                    lua.raw_seti(-2, *i);
                    token = p.next_token();
                    if token.kind == Kind::Comma {
                        *i = i.wrapping_add(1);
                        token = p.next_token();
                        continue 'value;
                    }
                    if token.kind != Kind::ArrEnd {
                        return Err(p.parse_error("comma or array end", &token));
                    }
                }
                Some(Open::Object) => {
                    lua.raw_set(-3);
                    token = p.next_token();
                    if token.kind == Kind::Comma {
                        token = p.next_token();
                        token = object_key(lua, p, token)?;
                        continue 'value;
                    }
                    if token.kind != Kind::ObjEnd {
                        return Err(p.parse_error("comma or object end", &token));
                    }
                }
            }
            open.pop();
        }
    }
}

/// Pushes the member key `token` and reads past the colon; returns the value's token.
fn object_key(lua: Lua, p: &mut Parser, token: Token) -> LuaResult<Token> {
    let Value::Text(t) = token.value else {
        return Err(p.parse_error("object key string", &token));
    };
    if token.kind != Kind::String {
        return Err(p.parse_error("object key string", &token));
    }
    lua.push_bytes(p.text(t));
    let colon = p.next_token();
    if colon.kind != Kind::Colon {
        return Err(p.parse_error("colon", &colon));
    }
    Ok(p.next_token())
}

pub fn decode(lua: Lua) -> LuaResult<c_int> {
    if lua.top() != 1 {
        return Err(Raise::arg(1, "expected 1 argument"));
    }
    let settings = settings(lua)?;
    // luaL_checklstring: numbers are converted in place.
    if !lua.is_string(1) {
        return Err(Raise::type_error(lua, 1, "string"));
    }
    let data = lua.to_bytes(1).unwrap_or_default();
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(Raise::located(
            "JSON parser does not support UTF-16 or UTF-32",
        ));
    }
    let mut p = Parser {
        data,
        pos: 0,
        scratch: Vec::new(),
        settings,
    };
    let token = p.next_token();
    parse_value(lua, &mut p, token)?;
    let token = p.next_token();
    if token.kind != Kind::End {
        return Err(p.parse_error("the end", &token));
    }
    Ok(1)
}
