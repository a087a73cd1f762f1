pub mod convert;
pub mod error;
pub mod libs;
pub mod lua;
