//! The `#!lua flags=...` first line of a script body, parsed as Redis 7.0 parses it.

use super::flags::ScriptFlags;
use crate::error::ShebangError;
use crate::util::cut_at_nul;

/// Flags of a body and the length of its shebang line (without the newline, which stays in
/// the compiled source so that line numbers are unchanged).
pub fn parse(body: &[u8]) -> Result<(ScriptFlags, usize), ShebangError> {
    if !body.starts_with(b"#!") {
        return Ok((ScriptFlags::COMPAT, 0));
    }
    // Redis looks for the newline with strchr, which stops at a NUL.
    let len = cut_at_nul(body).iter().position(|&b| b == b'\n').ok_or(ShebangError::NoNewline)?;
    let parts = split_args(&body[..len]).ok_or(ShebangError::BadEngineSyntax)?;
    let engine = parts.first().ok_or(ShebangError::BadEngineSyntax)?;
    if engine.as_slice() != b"#!lua" {
        return Err(ShebangError::UnexpectedEngine(cut_at_nul(engine).to_vec()));
    }
    let mut flags = ScriptFlags::default();
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(ShebangError::UnknownOption(cut_at_nul(part).to_vec()));
        };
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            if !flags.set(name) {
                return Err(ShebangError::UnexpectedFlag(cut_at_nul(name).to_vec()));
            }
        }
    }
    Ok((flags, len))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Redis's `sdssplitargs`: whitespace-separated words, with "double quotes" (escapes
/// \n \r \t \b \a \\ \" and \xHH) and 'single quotes' (only \'). `None` on unbalanced quotes
/// or a closing quote not followed by a space.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(out);
        }
        let mut word = Vec::new();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            let c = line.get(i).copied();
            if in_dq {
                match c {
                    None => return None,
                    Some(b'\\')
                        if i + 3 < line.len()
                            && line[i + 1] == b'x'
                            && line[i + 2].is_ascii_hexdigit()
                            && line[i + 3].is_ascii_hexdigit() =>
                    {
                        word.push(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
                        i += 3;
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        i += 1;
                        word.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        // The closing quote must be followed by a space or the end.
                        if i + 1 < line.len() && !is_space(line[i + 1]) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => word.push(other),
                }
            } else if in_sq {
                match c {
                    None => return None,
                    Some(b'\\') if i + 1 < line.len() && line[i + 1] == b'\'' => {
                        i += 1;
                        word.push(b'\'');
                    }
                    Some(b'\'') => {
                        if i + 1 < line.len() && !is_space(line[i + 1]) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => word.push(other),
                }
            } else {
                match c {
                    None => break,
                    // Unquoted words end only at these (not at \v or \f).
                    Some(b' ' | b'\n' | b'\r' | b'\t') => break,
                    Some(b'"') => in_dq = true,
                    Some(b'\'') => in_sq = true,
                    Some(other) => word.push(other),
                }
            }
            i += 1;
        }
        out.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_cases_from_redis() {
        assert_eq!(parse(b"return 1").map(|r| r.1), Ok(0));
        assert_eq!(parse(b"#!lua"), Err(ShebangError::NoNewline));
        assert_eq!(parse(b"#!lua \"unterminated\nreturn 1"), Err(ShebangError::BadEngineSyntax));
        assert_eq!(parse(b"#!foo\nreturn 1"), Err(ShebangError::UnexpectedEngine(b"#!foo".to_vec())));
        assert_eq!(parse(b"#! lua\nreturn 1"), Err(ShebangError::UnexpectedEngine(b"#!".to_vec())));
        assert_eq!(parse(b"#!lua flags=bad\n"), Err(ShebangError::UnexpectedFlag(b"bad".to_vec())));
        assert_eq!(parse(b"#!lua flags=no-writes,,\n"), Err(ShebangError::UnexpectedFlag(Vec::new())));
        assert_eq!(parse(b"#!lua name=x\n"), Err(ShebangError::UnknownOption(b"name=x".to_vec())));
        let (flags, len) = parse(b"#!lua flags=\nreturn 1").unwrap_or_default();
        assert!(!flags.compat && !flags.no_writes);
        assert_eq!(len, 12);
        let (flags, _) = parse(b"#!lua \"flags=no-writes,allow-oom\"\n").unwrap_or_default();
        assert!(flags.no_writes && flags.allow_oom && !flags.compat);
    }

    #[test]
    fn split_args_like_sds() {
        assert_eq!(split_args(b"a \"b c\" 'd\\'e'"), Some(vec![b"a".to_vec(), b"b c".to_vec(), b"d'e".to_vec()]));
        assert_eq!(split_args(b"\"\\x41\\n\""), Some(vec![b"A\n".to_vec()]));
        assert_eq!(split_args(b"\"a\"b"), None);
        assert_eq!(split_args(b"   "), Some(vec![]));
    }
}
