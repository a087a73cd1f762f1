//! glibc's `strtod` in the "C" locale, which cjson uses to read numbers: decimal and
//! hexadecimal floats, `inf`/`infinity`/`nan`/`nan(...)` in any case, an optional sign, and
//! the longest valid prefix wins (so `1e` reads as `1` and `0x` as `0`).

/// Parses the longest number prefix of `s`. Returns the value and how many bytes were used,
/// or `None` where strtod would report no conversion.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut p = 0;
    let negative = match at(0) {
        b'-' => {
            p = 1;
            true
        }
        b'+' => {
            p = 1;
            false
        }
        _ => false,
    };
    let sign = |v: f64| if negative { -v } else { v };

    if starts_with_ignore_case(&s[p.min(s.len())..], b"inf") {
        p += 3;
        if starts_with_ignore_case(&s[p.min(s.len())..], b"inity") {
            p += 5;
        }
        return Some((sign(f64::INFINITY), p));
    }
    if starts_with_ignore_case(&s[p.min(s.len())..], b"nan") {
        p += 3;
        if at(p) == b'(' {
            let mut q = p + 1;
            while at(q).is_ascii_alphanumeric() || at(q) == b'_' {
                q += 1;
            }
            if at(q) == b')' {
                p = q + 1;
            }
        }
        return Some((sign(f64::NAN), p));
    }
    if at(p) == b'0' && at(p + 1) | 0x20 == b'x' {
        return Some(match hex(s, p + 2) {
            Some((v, end)) => (sign(v), end),
            // "0x" without hex digits: only the "0" is a number.
            None => (sign(0.0), p + 1),
        });
    }
    decimal(s, p, negative)
}

pub(super) fn starts_with_ignore_case(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

/// Length of an exponent part (`e+12`, `p-3`) starting at `i`, or 0 when there is none.
fn exponent_len(s: &[u8], i: usize, marker: u8) -> usize {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    if at(i) | 0x20 != marker {
        return 0;
    }
    let mut j = i + 1;
    if at(j) == b'+' || at(j) == b'-' {
        j += 1;
    }
    if !at(j).is_ascii_digit() {
        return 0;
    }
    while at(j).is_ascii_digit() {
        j += 1;
    }
    j - i
}

fn decimal(s: &[u8], start: usize, negative: bool) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut p = start;
    let int_start = p;
    while at(p).is_ascii_digit() {
        p += 1;
    }
    let int_digits = p - int_start;
    let mut frac_digits = 0;
    if at(p) == b'.' {
        let q = p + 1;
        let mut r = q;
        while at(r).is_ascii_digit() {
            r += 1;
        }
        frac_digits = r - q;
        if int_digits + frac_digits > 0 {
            p = r;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let e = exponent_len(s, p, b'e');
    p += e;
    if let Some(v) = fast_decimal(&s[int_start..p]) {
        return Some((if negative { -v } else { v }, p));
    }
    let text = std::str::from_utf8(&s[int_start..p]).ok()?;
    let v = parse_decimal(text)?;
    Some((if negative { -v } else { v }, p))
}

/// Powers of ten exact as doubles (10^22 is the last one).
pub(super) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `mantissa * 10^scale` when one exact operation gives it correctly rounded (Clinger's
/// fast path: a mantissa up to 2^53 and a power of ten up to 10^22 are exact doubles).
#[inline]
pub(super) fn exact_decimal(mantissa: u64, scale: i64) -> Option<f64> {
    if mantissa > 1 << 53 {
        return None;
    }
    let m = mantissa as f64;
    if scale == 0 {
        Some(m)
    } else if (-22..0).contains(&scale) {
        Some(m / POW10[(-scale) as usize])
    } else if (1..=22).contains(&scale) {
        Some(m * POW10[scale as usize])
    } else {
        None
    }
}

/// strtod's fast path (`exact_decimal`) for `text` = `digits[.digits][e[+-]digits]` (either
/// digit run may be empty); `None` when it does not apply.
fn fast_decimal(text: &[u8]) -> Option<f64> {
    let mut mant: u64 = 0;
    let mut digits = 0;
    let mut scale: i64 = 0;
    let mut i = 0;
    let mut seen_dot = false;
    while i < text.len() {
        let c = text[i];
        match c {
            b'0'..=b'9' => {
                if mant == 0 && c == b'0' {
                    // Leading zeros add no digits.
                } else {
                    digits += 1;
                    if digits > 19 {
                        return None;
                    }
                    mant = mant * 10 + u64::from(c - b'0');
                }
                if seen_dot {
                    scale -= 1;
                }
            }
            b'.' => seen_dot = true,
            _ => break,
        }
        i += 1;
    }
    if i < text.len() {
        // Exponent: e[+-]digits.
        let mut j = i + 1;
        let neg = text.get(j) == Some(&b'-');
        if matches!(text.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let mut e: i64 = 0;
        for &c in &text[j..] {
            e = e * 10 + i64::from(c - b'0');
            if e > 1000 {
                return None;
            }
        }
        scale += if neg { -e } else { e };
    }
    exact_decimal(mant, scale)
}

/// Correctly rounded decimal conversion of `digits[.digits][e[+-]digits]` (no sign).
fn parse_decimal(text: &str) -> Option<f64> {
    match text.parse::<f64>() {
        Ok(v) => Some(v),
        // Exponents too long for the standard parser: the value is 0 or infinite unless
        // the mantissa is zero.
        Err(_) => {
            let (mantissa, exp) = text.split_once(['e', 'E'])?;
            let zero = mantissa.bytes().all(|b| b == b'0' || b == b'.');
            if zero || exp.starts_with('-') {
                Some(0.0)
            } else {
                Some(f64::INFINITY)
            }
        }
    }
}

fn hex_value(c: u8) -> Option<u64> {
    match c {
        b'0'..=b'9' => Some(u64::from(c - b'0')),
        b'a'..=b'f' => Some(u64::from(c - b'a' + 10)),
        b'A'..=b'F' => Some(u64::from(c - b'A' + 10)),
        _ => None,
    }
}

/// Hex float body after "0x": `h*[.h*][p[+-]d+]` with at least one hex digit. Returns the
/// unsigned value and the end offset.
fn hex(s: &[u8], start: usize) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut p = start;
    let mut mant: u64 = 0;
    let mut exp2: i64 = 0;
    let mut sticky = false;
    let mut digits = 0usize;
    while let Some(d) = hex_value(at(p)) {
        if mant >> 60 == 0 {
            mant = mant << 4 | d;
        } else {
            exp2 += 4;
            sticky |= d != 0;
        }
        digits += 1;
        p += 1;
    }
    if at(p) == b'.' {
        let mut q = p + 1;
        let mut frac = 0usize;
        while let Some(d) = hex_value(at(q)) {
            if mant >> 60 == 0 {
                mant = mant << 4 | d;
                exp2 -= 4;
            } else {
                sticky |= d != 0;
            }
            frac += 1;
            q += 1;
        }
        if digits + frac > 0 {
            p = q;
            digits += frac;
        }
    }
    if digits == 0 {
        return None;
    }
    let e = exponent_len(s, p, b'p');
    if e > 0 {
        let mut j = p + 1;
        let neg = at(j) == b'-';
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        let mut v: i64 = 0;
        while at(j).is_ascii_digit() {
            // Anything past this bound is already far outside the double range.
            v = (v * 10 + i64::from(at(j) - b'0')).min(1 << 40);
            j += 1;
        }
        exp2 += if neg { -v } else { v };
        p += e;
    }
    Some((compose(mant, exp2, sticky), p))
}

/// `mant * 2^exp2` rounded to nearest-even (`sticky`: nonzero bits below `mant`).
fn compose(mant: u64, exp2: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let top = 63 - i64::from(mant.leading_zeros());
    // Bits to drop: keep 53 significant bits, and no bit below 2^-1074.
    let drop = (top - 52).max(-1074 - exp2);
    let (mut m, mut e) = (mant, exp2);
    if drop > 0 {
        let drop_u = drop.min(100) as u32;
        let wide = u128::from(mant);
        let kept = if drop_u >= 128 { 0 } else { wide >> drop_u };
        let rem = wide - (kept << drop_u.min(127));
        let half = 1u128 << (drop_u - 1).min(127);
        let round_up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        m = kept as u64 + u64::from(round_up);
        e += drop;
    }
    if m == 0 {
        return 0.0;
    }
    if top + exp2 > 1100 {
        return f64::INFINITY;
    }
    scale(m as f64, e)
}

/// `v * 2^e`, exact whenever the result is representable.
fn scale(mut v: f64, mut e: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    while e > 1023 {
        v *= pow2(1023);
        e -= 1023;
        if v.is_infinite() {
            return v;
        }
    }
    while e < -1022 {
        v *= pow2(-1022);
        e += 1022;
        if v == 0.0 {
            return v;
        }
    }
    v * pow2(e)
}

#[cfg(test)]
mod tests {
    use super::strtod;

    fn p(s: &str) -> Option<(f64, usize)> {
        strtod(s.as_bytes())
    }

    #[test]
    fn prefixes_like_glibc() {
        assert_eq!(p("1e"), Some((1.0, 1)));
        assert_eq!(p("1e+"), Some((1.0, 1)));
        assert_eq!(p("1."), Some((1.0, 2)));
        assert_eq!(p("1.e5"), Some((100000.0, 4)));
        assert_eq!(p("-.5"), Some((-0.5, 3)));
        assert_eq!(p("."), None);
        assert_eq!(p("-"), None);
        assert_eq!(p("+-1"), None);
        assert_eq!(p("0x"), Some((0.0, 1)));
        assert_eq!(p("0x10"), Some((16.0, 4)));
        assert_eq!(p("0X1p3"), Some((8.0, 5)));
        assert_eq!(p("0x.8"), Some((0.5, 4)));
        assert_eq!(p("0x1.8p1"), Some((3.0, 7)));
        assert_eq!(p("0x1p"), Some((1.0, 3)));
        assert_eq!(p("infx"), Some((f64::INFINITY, 3)));
        assert_eq!(p("-Infinity"), Some((f64::NEG_INFINITY, 9)));
        assert_eq!(p("nan(").map(|x| x.1), Some(3));
        assert_eq!(p("nan(abc_1)").map(|x| x.1), Some(10));
        assert_eq!(p("nan(-)").map(|x| x.1), Some(3));
        assert!(p("-nan").is_some_and(|(v, _)| v.is_nan() && v.is_sign_negative()));
        assert!(p("nan").is_some_and(|(v, _)| v.is_nan() && v.is_sign_positive()));
        assert_eq!(p("007"), Some((7.0, 3)));
        assert_eq!(p("-0").map(|(v, _)| v.to_bits()), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn fast_path_agrees_with_full_parser() {
        let mut rng = crate::vm::testing::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        for _ in 0..200_000 {
            let r = next();
            let int = r % 10u64.pow((r >> 60) as u32 % 17);
            let frac = (r >> 8) % 1_000_000;
            let text = match r % 5 {
                0 => format!("{int}"),
                1 => format!("{int}.{frac:06}"),
                2 => format!("{int}.{frac}e{}", (r >> 32) % 40),
                3 => format!("{int}e-{}", (r >> 32) % 40),
                _ => format!("0.{:0w$}{frac}", 0, w = ((r >> 40) % 20) as usize),
            };
            let want: f64 = text.parse().unwrap_or(f64::NAN);
            assert_eq!(p(&text), Some((want, text.len())), "{text}");
        }
    }

    #[test]
    fn rounding_and_range() {
        assert_eq!(p("1e400"), Some((f64::INFINITY, 5)));
        assert_eq!(p("1e-400"), Some((0.0, 6)));
        assert_eq!(p("1e99999999999999999999999"), Some((f64::INFINITY, 25)));
        assert_eq!(p("0e99999999999999999999999"), Some((0.0, 25)));
        assert_eq!(p("1e-99999999999999999999999"), Some((0.0, 26)));
        assert_eq!(p("0x1p-1074"), Some((f64::from_bits(1), 9)));
        assert_eq!(p("0x1p-1075"), Some((0.0, 9)));
        assert_eq!(p("0x3p-1076"), Some((f64::from_bits(1), 9)));
        assert_eq!(p("0x1.fffffffffffff8p1023"), Some((f64::INFINITY, 23)));
        assert_eq!(p("0x1.fffffffffffff7p1023"), Some((f64::MAX, 23)));
        assert_eq!(p("0x1.00000000000008p0"), Some((1.0, 20)));
        assert_eq!(p("0x1.00000000000018p0"), Some((1.0 + 2.0 * f64::EPSILON, 20)));
        assert_eq!(p("0x1.000000000000080000000001p0"), Some((1.0 + f64::EPSILON, 30)));
        assert_eq!(p("0x123456789abcdef0123p0"), Some((0x123456789abcdef0123u128 as f64, 23)));
        assert_eq!(p("2.4703282292062328e-324"), Some((f64::from_bits(1), 23)));
        assert_eq!(p("123456789012345678"), Some((123456789012345678.0, 18)));
    }
}
