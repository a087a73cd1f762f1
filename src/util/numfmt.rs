//! C's `printf("%.<P>g")` for doubles, byte for byte as glibc prints it.
//!
//! Redis formats numbers with `%.17g` (command arguments, double replies) and cjson with
//! `%.14g`. Rust's `{:e}` gives the same correctly rounded digits as glibc; the rest is the
//! `%g` choice between fixed and exponent form, trailing-zero removal, and glibc's spelling of
//! `inf`/`nan` (a NaN with the sign bit set, such as Lua's `0/0` on x86-64, prints `-nan`).

use std::io::Write;

/// A byte buffer numbers can be appended to (`Vec<u8>` and small inline buffers).
pub trait ByteSink {
    fn put(&mut self, b: &[u8]);
}

impl ByteSink for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
}

impl<const N: usize> ByteSink for smallvec::SmallVec<[u8; N]> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
}

/// Appends `d` formatted as `%.<prec>g` to `out`. `prec` is 1..=17 in practice; 0 means 1.
pub fn write_g(out: &mut impl ByteSink, d: f64, prec: usize) {
    let prec = prec.max(1);
    if !d.is_finite() {
        let neg = d.is_sign_negative();
        out.put(match (d.is_nan(), neg) {
            (true, true) => b"-nan",
            (true, false) => b"nan",
            (false, true) => b"-inf",
            (false, false) => b"inf",
        });
        return;
    }
    // Integers that fit in `prec` digits print as plain integers: the common case, done
    // without the general path.
    if d.fract() == 0.0 && d.abs() < 1e15 && (prec >= 15 || d.abs() < 10f64.powi(prec as i32)) {
        if d == 0.0 && d.is_sign_negative() {
            out.put(b"-0");
        } else {
            write_i64(out, d as i64);
        }
        return;
    }
    let sci = format!("{:.*e}", prec - 1, d);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if exp < -4 || exp >= prec as i32 {
        out.put(strip_zeros(mantissa).as_bytes());
        out.put(if exp < 0 { b"e-" } else { b"e+" });
        let mut digits = Vec::with_capacity(4);
        let _ = write!(digits, "{:02}", exp.unsigned_abs());
        out.put(&digits);
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        let fixed = format!("{:.*}", decimals, d);
        out.put(strip_zeros(&fixed).as_bytes());
    }
}

/// Decimal digits of `v`, without going through `fmt`.
pub fn write_i64(out: &mut impl ByteSink, v: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.put(b"-");
    }
    out.put(&buf[at..]);
}

/// `%.<prec>g` as a String.
#[cfg(test)]
pub fn format_g(d: f64, prec: usize) -> String {
    let mut out = Vec::with_capacity(24);
    write_g(&mut out, d, prec);
    String::from_utf8(out).unwrap_or_default()
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// What C's `(long long)d` gives on x86-64: truncation toward zero, and INT64_MIN for NaN,
/// infinities and anything out of range (Rust's `as` would saturate instead).
#[inline]
pub fn c_double_to_i64(d: f64) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        d as i64
    } else {
        i64::MIN
    }
}

/// C's `(int)d` on x86-64: truncation toward zero, INT_MIN when out of range.
#[inline]
pub fn c_double_to_i32(d: f64) -> i32 {
    if d > -2_147_483_649.0 && d < 2_147_483_648.0 {
        d as i32
    } else {
        i32::MIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g17_matches_glibc() {
        // Expected strings are what glibc's printf("%.17g") prints.
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-0.0, "-0"),
            (0.0, "0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (2.2, "2.2000000000000002"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-2.5, "-2.5"),
            (9007199254740993.0, "9007199254740992"),
        ];
        for (d, want) in cases {
            assert_eq!(format_g(*d, 17), *want, "{d:e}");
        }
    }

    #[test]
    fn g14_matches_glibc() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333333333333"),
            (1e100, "1e+100"),
            (123456789012345.0, "1.2345678901234e+14"),
            (12345678901234.0, "12345678901234"),
            (1e-6, "1e-06"),
            (-1.5e-7, "-1.5e-07"),
            (std::f64::consts::PI, "3.1415926535898"),
            (2.0f64.powi(53), "9.007199254741e+15"),
        ];
        for (d, want) in cases {
            assert_eq!(format_g(*d, 14), *want, "{d:e}");
        }
        assert_eq!(format_g(std::f64::consts::PI, 3), "3.14");
    }

    #[test]
    fn nan_sign_is_printed() {
        let neg_nan = f64::from_bits(0xfff8_0000_0000_0000);
        assert_eq!(format_g(neg_nan, 17), "-nan");
        assert_eq!(format_g(f64::from_bits(0x7ff8_0000_0000_0000), 17), "nan");
    }

    #[test]
    fn c_cast_matches_cvttsd2si() {
        assert_eq!(c_double_to_i64(3.99), 3);
        assert_eq!(c_double_to_i64(-3.99), -3);
        assert_eq!(c_double_to_i64(f64::NAN), i64::MIN);
        assert_eq!(c_double_to_i64(f64::INFINITY), i64::MIN);
        assert_eq!(c_double_to_i64(9.3e18), i64::MIN);
        assert_eq!(c_double_to_i64(-9.3e18), i64::MIN);
        assert_eq!(c_double_to_i64(9007199254740993.0), 9007199254740992);
    }
}
