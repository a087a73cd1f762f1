//! The script dictionary as a registry: the EVAL cache's bound, and the records saved with
//! the dataset and restored from it.
//!
//! Bound: scripts known only from EVAL are evicted least recently used beyond
//! `Settings::max_eval_scripts`; `SCRIPT LOAD` pins a script (also one first seen by EVAL).
//! A use only stores a clock reading in the entry (`Engine::find`), so a cached run pays
//! nothing more; the eviction scan over the EVAL-born scripts happens only when a new one
//! takes the cache over its cap, next to a compilation that costs far more.

use super::registry_sync::SyncState;
use super::{counters, key_of, normalize_sha, shebang, Engine, Entry, Found, Key, Origin, Script, Sha};
use crate::error::ReplyError;
use crate::util::sha1_hex;

/// What `Engine::admit` did with a body.
#[derive(Clone, Copy)]
pub struct Admitted {
    pub sha: Sha,
    /// What replicas and the AOF must be told, as which origin: a script they have not
    /// heard of yet, or one SCRIPT LOAD just pinned.
    pub announce: Option<Origin>,
}

/// A restored script that does not compile any more, with the reason.
pub struct Broken {
    body: Box<[u8]>,
    origin: Origin,
    reason: Vec<u8>,
}

/// A script read back from a save: its body and how it entered the registry.
pub type SavedScript = (Vec<u8>, Origin);
/// A restored script that does not compile, with the reason.
pub type Unloadable = (Sha, Vec<u8>);
/// Receives the scripts to save.
pub type RecordSink<'a> = dyn FnMut(&[Record<'_>], SavedSync) + 'a;
/// The cluster registry's epoch as saved (`registry_sync::SyncState::to_saved`).
pub type SavedSync = u64;

/// A script as saved: its body and how it entered the registry.
pub struct Record<'a> {
    pub body: &'a [u8],
    pub origin: Origin,
}

impl Engine {
    /// `load`, also telling what to propagate. `propagating` says whether the caller will
    /// (EVAL_RO may not): a script admitted without is announced by the next caller that can.
    pub fn admit(&mut self, body: &[u8], origin: Origin, propagating: bool) -> Result<Admitted, ReplyError> {
        self.admit_with(body, origin, propagating, false).map(|(admitted, _)| admitted)
    }

    /// EVAL: `admit` a body and hand back the script ready to run; a body already cached
    /// costs one lookup.
    pub fn admit_to_run(&mut self, body: &[u8], propagating: bool) -> Result<(Admitted, Found), ReplyError> {
        let (admitted, found) = self.admit_with(body, Origin::Eval, propagating, true)?;
        let found = match found {
            Some(found) => found,
            // Newly compiled: the lookup is nothing next to the compilation.
            None => self.find(&admitted.sha).ok_or(ReplyError::Internal)?,
        };
        Ok((admitted, found))
    }

    fn admit_with(
        &mut self,
        body: &[u8],
        origin: Origin,
        propagating: bool,
        to_run: bool,
    ) -> Result<(Admitted, Option<Found>), ReplyError> {
        let sha = sha1_hex(body);
        let key = key_of(&sha).ok_or(ReplyError::Internal)?;
        let now = self.tick();
        if let Some(entry) = self.scripts.get_mut(&key) {
            entry.last_used.set(now);
            let pinned = origin == Origin::Load && entry.origin == Origin::Eval;
            if pinned {
                entry.origin = Origin::Load;
                self.evictable.retain(|k| *k != key);
            }
            let announce = propagating && (pinned || !entry.announced);
            entry.announced |= announce;
            let found = to_run.then(|| Found { sha, script: entry.script, stats: entry.run_stats(&self.ran) });
            return Ok((Admitted { sha, announce: announce.then_some(entry.origin) }, found));
        }
        let (flags, shebang_len) = shebang::parse(body).map_err(ReplyError::Shebang)?;
        // The shebang line is left out but its newline kept, so line numbers do not move.
        let func = self.vm.compile(&body[shebang_len..]).map_err(ReplyError::Compile)?;
        let script = Script { func, flags };
        self.scripts.insert(key, Entry::new(script, body, origin, now, propagating));
        self.bodies_bytes += body.len();
        if origin == Origin::Eval {
            self.evictable.push(key);
            self.evict_over_cap();
        }
        Ok((Admitted { sha, announce: propagating.then_some(origin) }, None))
    }

    /// Drops the least recently used EVAL-born scripts until they fit the cap.
    fn evict_over_cap(&mut self) {
        let cap = self.settings.max_eval_scripts;
        while cap > 0 && self.evictable.len() > cap {
            let last_used = |key: &Key| self.scripts.get(key).map_or(0, |e| e.last_used.get());
            let Some(oldest) = (0..self.evictable.len()).min_by_key(|&i| last_used(&self.evictable[i])) else {
                return;
            };
            let key = self.evictable.swap_remove(oldest);
            if let Some(entry) = self.scripts.remove(&key) {
                self.vm.release(entry.script.func);
                self.bodies_bytes -= entry.body.len();
                if entry.stats.get().is_some() {
                    self.ran.set(self.ran.get() - 1);
                }
            }
            counters::bump(|c| &c.evicted_scripts);
        }
    }

    /// The reply to EVALSHA of a script not in the cache: NOSCRIPT, or why a restored
    /// script cannot run.
    pub fn missing(&self, sha: &[u8]) -> ReplyError {
        let found = normalize_sha(sha).and_then(|name| Some((name, self.broken.get(&key_of(&name)?)?)));
        match found {
            Some((sha, broken)) => ReplyError::NoLongerCompiles { sha, reason: broken.reason.clone() },
            None => ReplyError::NoScript,
        }
    }

    /// Every script, as saved: pinned ones first, then the EVAL-born ones from least to most
    /// recently used (restoring them in this order keeps the LRU order), then those that no
    /// longer compile.
    pub fn records(&self) -> Vec<Record<'_>> {
        let mut live: Vec<(u64, Record<'_>)> = self
            .scripts
            .values()
            .map(|e| {
                let rank = if e.origin == Origin::Load { 0 } else { e.last_used.get() };
                (rank, Record { body: &e.body, origin: e.origin })
            })
            .collect();
        live.sort_unstable_by_key(|(rank, _)| *rank);
        let broken = self.broken.values().map(|b| Record { body: &b.body, origin: b.origin });
        live.into_iter().map(|(_, r)| r).chain(broken).collect()
    }

    /// Replaces the registry with saved records (a restart, a full sync). A script that does
    /// not compile is kept and returned with the reason, for the log.
    pub fn restore(&mut self, records: Vec<SavedScript>, sync: SavedSync) -> Result<Vec<Unloadable>, ReplyError> {
        if !self.scripts.is_empty() || !self.broken.is_empty() {
            self.flush()?;
        }
        self.sync = SyncState::from_saved(sync);
        let mut failed = Vec::new();
        for (body, origin) in records {
            // Replicas hold what the save held (or get it by a full sync): nothing to announce.
            if let Err(e) = self.admit(&body, origin, true) {
                let sha = sha1_hex(&body);
                let reason = e.to_wire().into_owned();
                failed.push((sha, reason.clone()));
                let key = key_of(&sha).ok_or(ReplyError::Internal)?;
                self.broken.insert(key, Broken { body: body.into(), origin, reason });
            }
        }
        Ok(failed)
    }

    /// Scripts kept that no longer compile (for INFO).
    pub fn broken_count(&self) -> usize {
        self.broken.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Settings;
    use crate::vm::ServerVersion;

    type Outcome = Result<(), ReplyError>;

    fn engine(cap: usize) -> Result<Engine, ReplyError> {
        let version = ServerVersion { major: 7, minor: 0, patch: 15 };
        Engine::new(Settings { version, heap_limit: 0, kill_readonly_after_ms: 0, max_eval_scripts: cap })
    }

    fn shas(e: &mut Engine, range: std::ops::Range<usize>) -> Result<Vec<Sha>, ReplyError> {
        range.map(|i| e.load(&body(i), Origin::Eval).map(|l| l.sha)).collect()
    }

    fn body(i: usize) -> Vec<u8> {
        format!("return {i}").into_bytes()
    }

    #[test]
    fn least_recently_used_eval_script_goes_first() -> Outcome {
        let mut e = engine(3)?;
        let shas = shas(&mut e, 0..3)?;
        // Script 0 runs again (EVALSHA), so 1 is now the oldest.
        assert!(e.find(&shas[0]).is_some());
        e.load(&body(3), Origin::Eval)?;
        assert!(e.exists(&shas[0]) && !e.exists(&shas[1]) && e.exists(&shas[2]));
        // EVAL of a cached body is a use too.
        e.load(&body(2), Origin::Eval)?;
        e.load(&body(4), Origin::Eval)?;
        assert!(!e.exists(&shas[0]) && e.exists(&shas[2]));
        Ok(())
    }

    #[test]
    fn loaded_scripts_are_pinned_and_not_counted() -> Outcome {
        let mut e = engine(2)?;
        let pinned = e.load(&body(0), Origin::Eval)?.sha;
        assert_eq!(e.admit(&body(0), Origin::Load, true)?.announce, Some(Origin::Load));
        assert_eq!(e.admit(&body(0), Origin::Load, true)?.announce, None);
        let loaded = e.load(&body(1), Origin::Load)?.sha;
        for i in 2..10 {
            e.load(&body(i), Origin::Eval)?;
        }
        assert!(e.exists(&pinned) && e.exists(&loaded));
        assert_eq!(e.scripts.len(), 4);
        // EVAL of a loaded script does not unpin it.
        e.load(&body(1), Origin::Eval)?;
        assert_eq!(e.source(&loaded).map(|s| s.1), Some(Origin::Load));
        Ok(())
    }

    #[test]
    fn a_script_admitted_without_propagation_is_announced_later() -> Outcome {
        let mut e = engine(3)?;
        assert_eq!(e.admit(&body(0), Origin::Eval, false)?.announce, None);
        assert_eq!(e.admit(&body(0), Origin::Eval, false)?.announce, None);
        assert_eq!(e.admit(&body(0), Origin::Eval, true)?.announce, Some(Origin::Eval));
        assert_eq!(e.admit(&body(0), Origin::Eval, true)?.announce, None);
        // A pinned script unknown to the replicas is announced as pinned, whoever asks.
        e.admit(&body(1), Origin::Load, false)?;
        assert_eq!(e.admit(&body(1), Origin::Eval, true)?.announce, Some(Origin::Load));
        // Restored scripts are what the replicas hold already.
        e.restore(vec![(body(2), Origin::Eval)], 0)?;
        assert_eq!(e.admit(&body(2), Origin::Eval, true)?.announce, None);
        Ok(())
    }

    #[test]
    fn names_are_hex_in_any_case() -> Outcome {
        let mut e = engine(3)?;
        let sha = e.load(b"return 1", Origin::Load)?.sha;
        let upper = sha.to_ascii_uppercase();
        assert_eq!(e.find(&upper).map(|f| f.sha), Some(sha));
        assert!(e.exists(&upper) && e.source(&upper).is_some());
        let mut not_hex = sha;
        not_hex[0] = b'g';
        assert!(!e.exists(&not_hex) && e.find(&not_hex).is_none());
        assert!(!e.exists(&sha[..39]));
        Ok(())
    }

    #[test]
    fn keys_decode_every_byte_as_a_plain_hex_decoder_does() {
        let plain = |hex: &[u8]| -> Option<Key> {
            let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
            let mut key = [0u8; 20];
            for (i, byte) in key.iter_mut().enumerate() {
                *byte = (digit(hex[2 * i])? << 4) | digit(hex[2 * i + 1])?;
            }
            Some(key)
        };
        let base = *b"0123456789abcdefABCDEF0123456789aBcDeF00";
        assert!(key_of(&base).is_some());
        for pos in [0, 7, 8, 21, 39] {
            for b in 0..=255u8 {
                let mut hex = base;
                hex[pos] = b;
                assert_eq!(key_of(&hex), plain(&hex), "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn zero_means_unbounded() -> Outcome {
        let mut e = engine(0)?;
        for i in 0..50 {
            e.load(&body(i), Origin::Eval)?;
        }
        assert_eq!(e.scripts.len(), 50);
        Ok(())
    }

    #[test]
    fn records_restore_in_lru_order_and_keep_broken_scripts() -> Outcome {
        let mut e = engine(3)?;
        let shas = shas(&mut e, 0..3)?;
        e.load(b"return 'pinned'", Origin::Load)?;
        e.find(&shas[0]);
        let saved: Vec<(Vec<u8>, Origin)> = e.records().iter().map(|r| (r.body.to_vec(), r.origin)).collect();
        assert_eq!(saved[0], (b"return 'pinned'".to_vec(), Origin::Load));
        assert_eq!(saved[1..].iter().map(|r| r.0.clone()).collect::<Vec<_>>(), vec![body(1), body(2), body(0)]);

        let mut restored = engine(3)?;
        let mut with_broken = saved.clone();
        with_broken.push((b"return )(".to_vec(), Origin::Load));
        let failed = restored.restore(with_broken, 0)?;
        assert_eq!(failed.len(), 1);
        assert!(failed[0].1.starts_with(b"ERR Error compiling script"));
        let broken_sha = sha1_hex(b"return )(");
        assert!(matches!(restored.missing(&broken_sha), ReplyError::NoLongerCompiles { .. }));
        assert_eq!(restored.missing(&[b'0'; 40]), ReplyError::NoScript);
        assert_eq!(restored.records().len(), 5);
        // LRU order survived: the next EVAL evicts script 1.
        restored.load(&body(9), Origin::Eval)?;
        assert!(!restored.exists(&shas[1]) && restored.exists(&shas[2]) && restored.exists(&shas[0]));
        // Restoring replaces what was there.
        restored.restore(vec![(body(7), Origin::Load)], 0)?;
        assert_eq!(restored.records().len(), 1);
        assert_eq!(restored.broken_count(), 0);
        Ok(())
    }
}
