//! Sends converted replies to the calling client through the module API.

use super::api::Ctx;
use crate::convert::sink::ReplySink;

pub struct ClientReply(pub Ctx);

impl ReplySink for ClientReply {
    fn integer(&mut self, v: i64) {
        self.0.reply_integer(v)
    }
    fn bulk(&mut self, b: &[u8]) {
        self.0.reply_bulk(b)
    }
    fn null(&mut self) {
        self.0.reply_null()
    }
    fn boolean(&mut self, b: bool) {
        self.0.reply_bool(b)
    }
    fn status(&mut self, s: &[u8]) {
        self.0.reply_status(s)
    }
    fn error(&mut self, s: &[u8]) {
        self.0.reply_error(s)
    }
    fn double(&mut self, d: f64) {
        self.0.reply_double(d)
    }
    fn big_number(&mut self, digits: &[u8]) {
        self.0.reply_big_number(digits)
    }
    fn verbatim(&mut self, s: &[u8], format: &[u8]) {
        self.0.reply_verbatim(s, format)
    }
    fn array(&mut self, len: usize) {
        self.0.reply_array(len)
    }
    fn map(&mut self, len: usize) {
        self.0.reply_map(len)
    }
    fn set(&mut self, len: usize) {
        self.0.reply_set(len)
    }
}
