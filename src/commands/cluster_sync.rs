//! The cluster-wide script registry on the cluster bus: scripts loaded and flushes made on
//! this node go to every node, a digest goes out every second, and messages from other nodes
//! are applied to the engine (`engine::registry_sync` has the rules). Off outside cluster mode.

use std::cell::Cell;

use super::with_engine;
use crate::engine::registry_sync::{DIGEST, FLUSH, HAVE, HAVE_REPLY, LOAD};
use crate::redis::api::{Ctx, CTX_FLAGS_LOADING, CTX_FLAGS_REPLICATED};
use crate::util::LOG_WARNING;
use crate::{cluster_receiver_fn, timer_fn};

/// Between two digests: how soon a node that missed messages catches up.
const DIGEST_PERIOD_MS: i64 = 1000;

thread_local! {
    /// Whether this node is part of a cluster (the registry is then shared).
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// Starts the registry's share of the bus: receivers, and the digest timer.
pub fn enable(ctx: Ctx) {
    for kind in [DIGEST, LOAD, FLUSH, HAVE, HAVE_REPLY] {
        ctx.register_cluster_receiver(kind, Some(receive_message));
    }
    ENABLED.with(|e| e.set(true));
    ctx.create_timer(DIGEST_PERIOD_MS, Some(digest_timer));
}

/// A load or flush made by a client of this node, not replayed from the master link or the
/// AOF (the node that got it from a client has told the cluster already).
fn from_a_client(ctx: Ctx) -> bool {
    ctx.context_flags() & (CTX_FLAGS_REPLICATED | CTX_FLAGS_LOADING) == 0
}

fn shared(ctx: Ctx) -> bool {
    ENABLED.with(Cell::get) && from_a_client(ctx)
}

/// After `SCRIPT LOAD` here: the body goes to every node.
pub fn announce_load(ctx: Ctx, body: &[u8]) {
    if !shared(ctx) {
        return;
    }
    if let Ok((kind, payload)) = with_engine(|engine| Ok(engine.sync_state().local_load(body))) {
        ctx.send_cluster_message(None, kind, &payload);
    }
}

/// After `SCRIPT FLUSH` here: every node flushes.
pub fn announce_flush(ctx: Ctx) {
    if !shared(ctx) {
        return;
    }
    let announced = with_engine(|engine| {
        let mut sync = engine.sync_state();
        let message = sync.local_flush();
        engine.set_sync_state(sync);
        Ok(message)
    });
    if let Ok((kind, payload)) = announced {
        ctx.send_cluster_message(None, kind, &payload);
    }
}

cluster_receiver_fn!(receive_message => on_message);
timer_fn!(digest_timer => on_digest_timer);

fn on_message(ctx: Ctx, sender: &[u8; 40], kind: u8, payload: &[u8]) {
    if !ENABLED.with(Cell::get) {
        return;
    }
    // While a script runs the engine is busy: the message is dropped, and the next digest
    // exchange brings back whatever it carried.
    let received = with_engine(|engine| {
        let mut sync = engine.sync_state();
        let received = sync.receive(engine, kind, payload);
        engine.set_sync_state(sync);
        Ok(received)
    });
    let Ok(Some(received)) = received else {
        return;
    };
    for (sha, error) in &received.failed {
        let reason = String::from_utf8_lossy(&error.to_wire()).into_owned();
        let line = format!(
            "script {} from node {} not registered: {reason}",
            String::from_utf8_lossy(sha),
            String::from_utf8_lossy(sender)
        );
        ctx.log(LOG_WARNING, line.as_bytes());
    }
    for (kind, payload) in &received.replies {
        ctx.send_cluster_message(Some(sender), *kind, payload);
    }
}

fn on_digest_timer(ctx: Ctx) {
    if let Ok((kind, payload)) = with_engine(|engine| Ok(engine.sync_state().tick(engine))) {
        ctx.send_cluster_message(None, kind, &payload);
    }
    ctx.create_timer(DIGEST_PERIOD_MS, Some(digest_timer));
}
