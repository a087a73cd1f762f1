//! One script registry for a whole Redis Cluster: the messages nodes exchange over the cluster
//! bus and what a node does with them. Pure logic over the engine; `commands::cluster_sync`
//! carries the messages.
//!
//! What is shared: scripts pinned by `SCRIPT LOAD` (EVAL-born scripts stay on their node).
//! How conflicts resolve:
//! * The registry has an epoch, which every `SCRIPT FLUSH` advances. Every message carries the
//!   sender's epoch. A node that hears a higher epoch flushes and adopts it; a message from a
//!   lower epoch is stale and ignored (a load made before a flush stays flushed, whatever
//!   order the two reach a node in).
//! * Within one epoch the registry is the union of every node's loads. Each node broadcasts a
//!   digest (epoch, count, XOR of the SHAs) every second; a node whose digest differs asks
//!   with the list of SHAs it has (`Have`) and gets the bodies it lacks, and sends the ones
//!   the other lacks. A node that was down, restarted or newly added catches up this way.
//! * A node that has heard no peer since it started empty is unsynced: its loads are new
//!   (accepted at any epoch), its flush advances each receiver's own epoch, and it adopts the
//!   first epoch it hears without flushing. The epoch is saved with the scripts, so a node
//!   restarted from its own saved registry is synced at the epoch it had, and one that missed
//!   a flush follows it instead of spreading the flushed scripts again.

use rustc_hash::FxHashSet;

use super::{Engine, Origin, Sha};
use crate::error::ReplyError;

/// Message types on the bus (per module, so they cannot clash with other modules').
pub const DIGEST: u8 = 1;
pub const LOAD: u8 = 2;
pub const FLUSH: u8 = 3;
pub const HAVE: u8 = 4;
pub const HAVE_REPLY: u8 = 5;

/// Wire format version, first byte of every payload.
const FORMAT: u8 = 1;
/// Header: format, flags, epoch (little endian).
const HEADER_LEN: usize = 1 + 1 + 8;
const FLAG_SYNCED: u8 = 1;

/// This node's view of the registry epoch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncState {
    epoch: u64,
    synced: bool,
}

/// A message to send: its type and payload.
pub type Outgoing = (u8, Vec<u8>);

/// What a received message asks of this node.
#[derive(Debug, Default)]
pub struct Received {
    /// Messages for the sender alone.
    pub replies: Vec<Outgoing>,
    /// Scripts that came in and were registered.
    pub loaded: usize,
    /// Scripts that came in but could not be registered (with the reason).
    pub failed: Vec<(Sha, ReplyError)>,
    /// The registry was flushed to follow a newer epoch.
    pub flushed: bool,
}

/// Count and XOR of the SHAs of the shared scripts: equal digests, equal registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digest {
    count: u64,
    xor: Sha,
}

fn digest(engine: &Engine) -> Digest {
    let mut d = Digest { count: 0, xor: [0; 40] };
    for (sha, _) in engine.loaded() {
        d.count += 1;
        d.xor.iter_mut().zip(&sha).for_each(|(a, b)| *a ^= b);
    }
    d
}

struct Header {
    epoch: u64,
    synced: bool,
}

impl SyncState {
    /// As saved with the registry: 0 for a node that never synced, else the epoch plus one.
    pub fn to_saved(self) -> u64 {
        if self.synced {
            self.epoch.saturating_add(1)
        } else {
            0
        }
    }

    pub fn from_saved(saved: u64) -> SyncState {
        match saved {
            0 => SyncState::default(),
            n => SyncState { epoch: n - 1, synced: true },
        }
    }

    #[cfg(test)]
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    fn header(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 48);
        out.push(FORMAT);
        out.push(if self.synced { FLAG_SYNCED } else { 0 });
        out.extend_from_slice(&self.epoch.to_le_bytes());
        out
    }

    /// `SCRIPT LOAD` here: the body goes to every node.
    pub fn local_load(&self, body: &[u8]) -> Outgoing {
        let mut out = self.header();
        out.extend_from_slice(body);
        (LOAD, out)
    }

    /// `SCRIPT FLUSH` here: a new epoch, announced to every node. The message carries the
    /// state before the flush, so an unsynced node's flush still reaches synced nodes.
    pub fn local_flush(&mut self) -> Outgoing {
        let was_synced = self.synced;
        self.epoch += 1;
        self.synced = true;
        let mut out = self.header();
        if !was_synced {
            out[1] &= !FLAG_SYNCED;
        }
        (FLUSH, out)
    }

    /// The periodic digest for every node.
    pub fn tick(&self, engine: &Engine) -> Outgoing {
        let d = digest(engine);
        let mut out = self.header();
        out.extend_from_slice(&d.count.to_le_bytes());
        out.extend_from_slice(&d.xor);
        (DIGEST, out)
    }

    /// Applies a message from another node. A malformed one is ignored (`None`).
    pub fn receive(&mut self, engine: &mut Engine, kind: u8, payload: &[u8]) -> Option<Received> {
        let (header, body) = parse_header(payload)?;
        let mut received = Received::default();
        if kind == FLUSH {
            self.receive_flush(engine, &header, &mut received);
            return Some(received);
        }
        if !self.admit(engine, &header, &mut received) {
            return Some(received);
        }
        match kind {
            DIGEST => {
                let count = u64::from_le_bytes(body.get(..8)?.try_into().ok()?);
                let xor: Sha = body.get(8..48)?.try_into().ok()?;
                if (Digest { count, xor }) != digest(engine) {
                    received.replies.push(self.have(engine, HAVE));
                }
            }
            LOAD => match engine.admit(body, Origin::Load, false) {
                Ok(_) => received.loaded += 1,
                Err(e) => received.failed.push((super::sha1_hex(body), e)),
            },
            HAVE | HAVE_REPLY => {
                if body.len() % 40 != 0 {
                    return None;
                }
                let theirs: FxHashSet<&[u8]> = body.chunks_exact(40).collect();
                let lacking: Vec<Vec<u8>> = engine
                    .loaded()
                    .filter(|(sha, _)| !theirs.contains(sha.as_slice()))
                    .map(|(_, body)| body.to_vec())
                    .collect();
                for body in lacking {
                    received.replies.push(self.local_load(&body));
                }
                let missing_here = theirs.iter().any(|sha| !is_loaded(engine, sha));
                if kind == HAVE && missing_here {
                    received.replies.push(self.have(engine, HAVE_REPLY));
                }
            }
            _ => return None,
        }
        Some(received)
    }

    /// Whether a message from `header`'s epoch is current here, following a newer epoch
    /// first (flush, adopt).
    fn admit(&mut self, engine: &mut Engine, header: &Header, received: &mut Received) -> bool {
        if !header.synced {
            // An unsynced sender knows no epoch: what it has is new. Hearing a peer at all
            // makes this node part of the registry (at its current epoch, 0 in a new cluster).
            self.synced = true;
            return true;
        }
        if !self.synced {
            self.epoch = self.epoch.max(header.epoch);
            self.synced = true;
            return true;
        }
        if header.epoch > self.epoch {
            if engine.flush().is_err() {
                return false;
            }
            self.epoch = header.epoch;
            received.flushed = true;
        }
        header.epoch == self.epoch
    }

    fn receive_flush(&mut self, engine: &mut Engine, header: &Header, received: &mut Received) {
        let newer = if header.synced && self.synced { header.epoch > self.epoch } else { true };
        if !newer {
            return;
        }
        if engine.flush().is_ok() {
            self.epoch = if header.synced { header.epoch.max(self.epoch) } else { self.epoch + 1 };
            self.synced = true;
            received.flushed = true;
        }
    }

    fn have(&self, engine: &Engine, kind: u8) -> Outgoing {
        let mut out = self.header();
        for (sha, _) in engine.loaded() {
            out.extend_from_slice(&sha);
        }
        (kind, out)
    }
}

fn is_loaded(engine: &Engine, sha: &[u8]) -> bool {
    engine.source(sha).is_some_and(|(_, origin)| origin == Origin::Load)
}

fn parse_header(payload: &[u8]) -> Option<(Header, &[u8])> {
    if payload.len() < HEADER_LEN || payload[0] != FORMAT {
        return None;
    }
    let epoch = u64::from_le_bytes(payload[2..HEADER_LEN].try_into().ok()?);
    Some((Header { epoch, synced: payload[1] & FLAG_SYNCED != 0 }, &payload[HEADER_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Settings;
    use crate::vm::ServerVersion;

    struct Node {
        engine: Engine,
        sync: SyncState,
    }

    impl Node {
        fn new() -> Node {
            let settings = Settings {
                version: ServerVersion { major: 7, minor: 0, patch: 15 },
                heap_limit: 0,
                kill_readonly_after_ms: 0,
                max_eval_scripts: 500,
            };
            Node { engine: Engine::new(settings).unwrap(), sync: SyncState::default() }
        }

        fn load(&mut self, body: &str) -> Outgoing {
            self.engine.load(body.as_bytes(), Origin::Load).unwrap();
            self.sync.local_load(body.as_bytes())
        }

        fn flush(&mut self) -> Outgoing {
            self.engine.flush().unwrap();
            self.sync.local_flush()
        }

        fn get(&mut self, (kind, payload): &Outgoing) -> Vec<Outgoing> {
            self.sync.receive(&mut self.engine, *kind, payload).map(|r| r.replies).unwrap_or_default()
        }

        fn shas(&self) -> Vec<Sha> {
            let mut v: Vec<Sha> = self.engine.loaded().map(|(sha, _)| sha).collect();
            v.sort();
            v
        }
    }

    /// Delivers `msg` from `from` to `to`, then their replies back and forth until quiet.
    fn converse(nodes: &mut [Node], from: usize, to: usize, msg: Outgoing) {
        let mut queue = vec![(from, to, msg)];
        while let Some((src, dst, msg)) = queue.pop() {
            for reply in nodes[dst].get(&msg) {
                queue.push((dst, src, reply));
            }
        }
    }

    fn gossip(nodes: &mut [Node]) {
        for round in 0..3 {
            let _ = round;
            for i in 0..nodes.len() {
                let tick = nodes[i].sync.tick(&nodes[i].engine);
                for j in 0..nodes.len() {
                    if i != j {
                        converse(nodes, i, j, tick.clone());
                    }
                }
            }
        }
    }

    #[test]
    fn a_load_reaches_every_node_and_twice_is_once() {
        let mut nodes: Vec<Node> = (0..3).map(|_| Node::new()).collect();
        let msg = nodes[0].load("return 1");
        for n in nodes.iter_mut().skip(1) {
            n.get(&msg);
            n.get(&msg);
        }
        assert!(nodes.iter().all(|n| n.shas() == nodes[0].shas()));
        assert_eq!(nodes[1].shas().len(), 1);
    }

    #[test]
    fn a_node_that_missed_loads_catches_up_from_digests() {
        let mut nodes: Vec<Node> = (0..3).map(|_| Node::new()).collect();
        let a = nodes[0].load("return 'a'");
        nodes[1].get(&a);
        let b = nodes[1].load("return 'b'");
        nodes[0].get(&b);
        // Node 2 was away for both; it has one of its own nobody has seen.
        nodes[2].load("return 'c'");
        gossip(&mut nodes);
        assert_eq!(nodes[0].shas().len(), 3);
        assert!(nodes.iter().all(|n| n.shas() == nodes[0].shas()));
    }

    #[test]
    fn flush_and_load_in_either_order_agree() {
        let mut nodes: Vec<Node> = (0..3).map(|_| Node::new()).collect();
        // Everyone synced at one epoch first.
        let first = nodes[0].flush();
        for n in nodes.iter_mut().skip(1) {
            n.get(&first);
        }
        let load = nodes[1].load("return 'racing'");
        let flush = nodes[2].flush();
        nodes[0].get(&flush);
        nodes[0].get(&load);
        nodes[1].get(&flush);
        nodes[2].get(&load);
        gossip(&mut nodes);
        assert!(nodes.iter().all(|n| n.shas().is_empty()), "the load made before the flush stays flushed");
        assert!(nodes.iter().all(|n| n.sync.epoch() == nodes[0].sync.epoch()));
    }

    #[test]
    fn a_node_behind_an_epoch_flushes_when_it_hears_of_it() {
        let mut nodes: Vec<Node> = (0..2).map(|_| Node::new()).collect();
        let first = nodes[0].flush();
        nodes[1].get(&first);
        let old = nodes[1].load("return 'old'");
        nodes[0].get(&old);
        // Node 1 misses a flush and a later load.
        nodes[0].flush();
        nodes[0].load("return 'new'");
        gossip(&mut nodes);
        let want: Vec<Sha> = vec![crate::engine::sha1_hex(b"return 'new'")];
        assert_eq!(nodes[0].shas(), want);
        assert_eq!(nodes[1].shas(), want);
    }

    #[test]
    fn an_unsynced_node_keeps_its_loads_and_adopts_the_epoch() {
        let mut nodes: Vec<Node> = (0..2).map(|_| Node::new()).collect();
        for _ in 0..3 {
            nodes[0].flush();
        }
        nodes[0].load("return 'cluster'");
        // Node 1 is new: it loads before it has heard anything.
        let mine = nodes[1].load("return 'newcomer'");
        nodes[0].get(&mine);
        gossip(&mut nodes);
        assert_eq!(nodes[1].sync.epoch(), 3);
        assert_eq!(nodes[0].shas().len(), 2);
        assert_eq!(nodes[0].shas(), nodes[1].shas());
    }

    #[test]
    fn an_unsynced_node_can_flush_the_cluster() {
        let mut nodes: Vec<Node> = (0..3).map(|_| Node::new()).collect();
        let first = nodes[0].flush();
        nodes[1].get(&first);
        let load = nodes[0].load("return 1");
        nodes[1].get(&load);
        let flush = nodes[2].flush();
        nodes[0].get(&flush);
        nodes[1].get(&flush);
        gossip(&mut nodes);
        assert!(nodes.iter().all(|n| n.shas().is_empty()));
        assert!(nodes.iter().all(|n| n.sync.epoch() == nodes[0].sync.epoch()));
    }

    #[test]
    fn a_node_restarted_from_its_saved_state_follows_a_flush_it_missed() {
        let mut nodes: Vec<Node> = (0..2).map(|_| Node::new()).collect();
        let load = nodes[0].load("return 'old'");
        nodes[1].get(&load);
        gossip(&mut nodes);
        // Node 1 saves, goes away, misses a flush, and comes back with what it saved.
        let saved = nodes[1].sync.to_saved();
        nodes[0].flush();
        nodes[1].sync = SyncState::from_saved(saved);
        gossip(&mut nodes);
        assert!(nodes.iter().all(|n| n.shas().is_empty()), "the flushed script stays flushed");
        // Without the saved epoch it would have been spread again.
        assert_ne!(saved, 0);
    }

    #[test]
    fn eval_born_scripts_stay_on_their_node() {
        let mut nodes: Vec<Node> = (0..2).map(|_| Node::new()).collect();
        nodes[0].engine.load(b"return 'eval'", Origin::Eval).unwrap();
        gossip(&mut nodes);
        assert!(nodes[1].shas().is_empty());
        assert!(nodes[1].engine.find(&crate::engine::sha1_hex(b"return 'eval'")).is_none());
    }

    #[test]
    fn malformed_messages_are_ignored() {
        let mut node = Node::new();
        for (kind, payload) in [
            (LOAD, vec![]),
            (LOAD, vec![9, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            (DIGEST, vec![FORMAT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            (HAVE, vec![FORMAT, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'a']),
            (77, vec![FORMAT, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ] {
            assert!(node.sync.receive(&mut node.engine, kind, &payload).is_none(), "{kind} {payload:?}");
        }
        assert!(node.shas().is_empty());
    }

    #[test]
    fn a_body_that_does_not_compile_is_reported() {
        let mut node = Node::new();
        let (kind, payload) = SyncState::default().local_load(b"return +");
        let received = node.sync.receive(&mut node.engine, kind, &payload).unwrap();
        assert_eq!(received.loaded, 0);
        assert_eq!(received.failed.len(), 1);
    }
}
