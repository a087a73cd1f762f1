//! Where a converted reply goes: the client (through the module API) or, in tests, a byte
//! buffer holding exactly the RESP that Redis would write for the same calls.

/// The reply calls Redis's `addReply*` family offers, one method each. Texts handed to
/// `status` and `error` are already sanitised (no NUL, CR or LF).
pub trait ReplySink {
    fn integer(&mut self, v: i64);
    fn bulk(&mut self, b: &[u8]);
    fn null(&mut self);
    fn boolean(&mut self, b: bool);
    fn status(&mut self, s: &[u8]);
    /// An error line without the leading '-'.
    fn error(&mut self, s: &[u8]);
    fn double(&mut self, d: f64);
    fn big_number(&mut self, digits: &[u8]);
    /// `format` is at most 3 bytes; shorter ones are padded with spaces on RESP3.
    fn verbatim(&mut self, s: &[u8], format: &[u8]);
    fn array(&mut self, len: usize);
    fn map(&mut self, len: usize);
    fn set(&mut self, len: usize);
}

#[cfg(test)]
pub use resp_writer::RespWriter;

/// The test sink: replies as the RESP bytes Redis would write.
#[cfg(test)]
mod resp_writer {
    use super::ReplySink;

    /// Renders replies as Redis's networking.c would for a RESP2 or RESP3 client.
    #[derive(Debug, Default)]
    pub struct RespWriter {
        pub resp3: bool,
        pub out: Vec<u8>,
    }

    impl RespWriter {
        pub fn new(resp3: bool) -> RespWriter {
            RespWriter { resp3, out: Vec::new() }
        }

        fn line(&mut self, prefix: u8, body: &[u8]) {
            self.out.push(prefix);
            self.out.extend_from_slice(body);
            self.out.extend_from_slice(b"\r\n");
        }

        fn len_line(&mut self, prefix: u8, len: usize) {
            self.line(prefix, len.to_string().as_bytes());
        }
    }

    /// `%.17g`, the format Redis uses for doubles in replies and for numbers passed to commands.
    pub fn format_g17(d: f64) -> String {
        crate::util::numfmt::format_g(d, 17)
    }

    impl ReplySink for RespWriter {
        fn integer(&mut self, v: i64) {
            self.line(b':', v.to_string().as_bytes());
        }

        fn bulk(&mut self, b: &[u8]) {
            self.len_line(b'$', b.len());
            self.out.extend_from_slice(b);
            self.out.extend_from_slice(b"\r\n");
        }

        fn null(&mut self) {
            if self.resp3 {
                self.out.extend_from_slice(b"_\r\n");
            } else {
                self.out.extend_from_slice(b"$-1\r\n");
            }
        }

        fn boolean(&mut self, b: bool) {
            if self.resp3 {
                self.out.extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
            } else {
                self.integer(i64::from(b));
            }
        }

        fn status(&mut self, s: &[u8]) {
            self.line(b'+', s);
        }

        fn error(&mut self, s: &[u8]) {
            self.line(b'-', s);
        }

        fn double(&mut self, d: f64) {
            let text = if d.is_infinite() {
                if d > 0.0 {
                    "inf".to_string()
                } else {
                    "-inf".to_string()
                }
            } else {
                format_g17(d)
            };
            if self.resp3 {
                self.line(b',', text.as_bytes());
            } else {
                self.bulk(text.as_bytes());
            }
        }

        fn big_number(&mut self, digits: &[u8]) {
            if self.resp3 {
                self.line(b'(', digits);
            } else {
                self.bulk(digits);
            }
        }

        fn verbatim(&mut self, s: &[u8], format: &[u8]) {
            if self.resp3 {
                self.len_line(b'=', s.len() + 4);
                let mut fmt = [b' '; 3];
                for (slot, b) in fmt.iter_mut().zip(format) {
                    *slot = *b;
                }
                self.out.extend_from_slice(&fmt);
                self.out.push(b':');
                self.out.extend_from_slice(s);
                self.out.extend_from_slice(b"\r\n");
            } else {
                self.bulk(s);
            }
        }

        fn array(&mut self, len: usize) {
            self.len_line(b'*', len);
        }

        fn map(&mut self, len: usize) {
            if self.resp3 {
                self.len_line(b'%', len);
            } else {
                self.len_line(b'*', len * 2);
            }
        }

        fn set(&mut self, len: usize) {
            self.len_line(if self.resp3 { b'~' } else { b'*' }, len);
        }
    }
}
