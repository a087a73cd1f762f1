//! Everything that touches the Redis module API. `api` holds all of the raw calls; the rest
//! builds on it: the engine's `Server`, reply sinks, command metadata, registration, the
//! drop-in command filter and the INFO section.

#[cfg(not(test))]
#[allow(unsafe_code)]
pub mod alloc;
#[allow(unsafe_code)]
pub mod api;
pub mod cmdtable;
pub mod config;
pub mod dropin;
pub mod info;
pub mod persist;
pub mod register;
pub mod reply;
pub mod resp;
pub mod server;
