//! The cluster-wide script registry on the cluster bus: scripts loaded and flushes made on
//! this node go to every node, a digest goes out every second, and messages from other nodes
//! are applied to the engine (`engine::registry_sync` has the rules). Off outside cluster mode.

use std::cell::Cell;

use super::with_engine;
use crate::engine::registry_sync::{SyncState, DIGEST, FLUSH, HAVE, HAVE_REPLY, LOAD};
use crate::redis::api::{Ctx, CTX_FLAGS_LOADING, CTX_FLAGS_REPLICATED};
use crate::util::LOG_WARNING;
use crate::{cluster_receiver_fn, timer_fn};

/// Between two digests: how soon a node that missed messages catches up.
const DIGEST_PERIOD_MS: i64 = 1000;

thread_local! {
    /// `None` outside cluster mode.
    static SYNC: Cell<Option<SyncState>> = const { Cell::new(None) };
}

/// Starts the registry's share of the bus: receivers, and the digest timer.
pub fn enable(ctx: Ctx) {
    for kind in [DIGEST, LOAD, FLUSH, HAVE, HAVE_REPLY] {
        ctx.register_cluster_receiver(kind, Some(receive_message));
    }
    SYNC.with(|s| s.set(Some(SyncState::default())));
    ctx.create_timer(DIGEST_PERIOD_MS, Some(digest_timer));
}

/// A load or flush made by a client of this node, not replayed from the master link or the
/// AOF (the node that got it from a client has told the cluster already).
fn from_a_client(ctx: Ctx) -> bool {
    ctx.context_flags() & (CTX_FLAGS_REPLICATED | CTX_FLAGS_LOADING) == 0
}

/// After `SCRIPT LOAD` here: the body goes to every node.
pub fn announce_load(ctx: Ctx, body: &[u8]) {
    if !from_a_client(ctx) {
        return;
    }
    if let Some(sync) = SYNC.with(Cell::get) {
        let (kind, payload) = sync.local_load(body);
        ctx.send_cluster_message(None, kind, &payload);
    }
}

/// After `SCRIPT FLUSH` here: every node flushes.
pub fn announce_flush(ctx: Ctx) {
    let Some(mut sync) = SYNC.with(Cell::get).filter(|_| from_a_client(ctx)) else {
        return;
    };
    let (kind, payload) = sync.local_flush();
    SYNC.with(|s| s.set(Some(sync)));
    ctx.send_cluster_message(None, kind, &payload);
}

cluster_receiver_fn!(receive_message => on_message);
timer_fn!(digest_timer => on_digest_timer);

fn on_message(ctx: Ctx, sender: &[u8; 40], kind: u8, payload: &[u8]) {
    let Some(mut sync) = SYNC.with(Cell::get) else {
        return;
    };
    // While a script runs the engine is busy: the message is dropped, and the next digest
    // exchange brings back whatever it carried.
    let Ok(Some(received)) = with_engine(|engine| Ok(sync.receive(engine, kind, payload))) else {
        return;
    };
    SYNC.with(|s| s.set(Some(sync)));
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
    if let Some(sync) = SYNC.with(Cell::get) {
        if let Ok((kind, payload)) = with_engine(|engine| Ok(sync.tick(engine))) {
            ctx.send_cluster_message(None, kind, &payload);
        }
    }
    ctx.create_timer(DIGEST_PERIOD_MS, Some(digest_timer));
}
