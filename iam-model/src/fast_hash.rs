//! A fast hasher for the maps that validation and the emitters (`iam-codegen`) key by names
//! from the model.
//!
//! For a large organization validation and the emitters look names up (groups, users,
//! permission sets, logical ids) hundreds of thousands of times. The standard library's SipHash resists keys
//! chosen to collide, which costs several times more than the lookup itself; a model is the
//! user's own input, so a collision attack could only slow down their own run. This is the
//! multiply-rotate hash rustc and Firefox use (`FxHasher`), in a few lines rather than a
//! dependency. Nothing here depends on iteration order: maps keyed this way are only looked
//! up, never iterated into output.
//!
//! ```
//! use iam_model::fast_hash::FastMap;
//! let mut ids: FastMap<&str, usize> = FastMap::default();
//! ids.insert("AWS-Admins", 1);
//! assert_eq!(ids.get("AWS-Admins"), Some(&1));
//! ```
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// `FxHasher`: each word is mixed in with a rotate, a xor and a multiply.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

/// The multiplier of `FxHasher` (from rustc's `rustc-hash`).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            if let Ok(word) = <[u8; 8]>::try_from(chunk) {
                self.add(u64::from_le_bytes(word));
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |word, &b| (word << 8) | u64::from(b));
            self.add(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keyed_by_names_find_what_was_inserted() {
        let names: Vec<String> = (0..2_000).map(|i| format!("group-{i:05}")).collect();
        let mut map: FastMap<&str, usize> = FastMap::default();
        for (i, n) in names.iter().enumerate() {
            map.insert(n, i);
        }
        assert_eq!(map.len(), names.len());
        assert!(
            names
                .iter()
                .enumerate()
                .all(|(i, n)| map.get(n.as_str()) == Some(&i))
        );
        assert_eq!(map.get("group-02000"), None);
    }

    #[test]
    fn the_tail_of_a_key_counts() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("account-0001"), hash("account-0002"));
        assert_ne!(hash("a"), hash("b"));
    }
}
