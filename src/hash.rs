//! The content hashes of the crate: FNV-1a for cache keys, baseline keys, SARIF fingerprints
//! and hollowing's words, and a word-at-a-time variant for whole file contents.

/// 64-bit FNV-1a: small, and stable across Rust versions and platforms (unlike std's hasher),
/// so values written to disk stay comparable between runs.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// FNV-1a over 8-byte little-endian words (then the remaining bytes, and the length): eight
/// times fewer multiplications than [`fnv1a64`], for hashing whole files to tell whether they
/// changed. Stable across Rust versions and platforms like it.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = ContentHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

const PRIME: u64 = 0x0000_0100_0000_01b3;

/// [`content_hash`] over pieces written one after another: the same value as over their
/// concatenation.
#[derive(Debug, Clone)]
pub struct ContentHasher {
    hash: u64,
    /// Bytes of an unfinished word.
    pending: [u8; 8],
    pending_len: usize,
    len: u64,
}

impl Default for ContentHasher {
    fn default() -> Self {
        ContentHasher {
            hash: 0xcbf2_9ce4_8422_2325,
            pending: [0; 8],
            pending_len: 0,
            len: 0,
        }
    }
}

impl ContentHasher {
    /// Adds `bytes`.
    pub fn write(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while self.pending_len > 0 && !bytes.is_empty() {
            self.pending[self.pending_len] = bytes[0];
            self.pending_len += 1;
            bytes = &bytes[1..];
            if self.pending_len == 8 {
                self.word(self.pending);
                self.pending_len = 0;
            }
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.word(word);
        }
        for &byte in chunks.remainder() {
            self.pending[self.pending_len] = byte;
            self.pending_len += 1;
        }
    }

    fn word(&mut self, word: [u8; 8]) {
        self.hash = (self.hash ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
        self.hash ^= self.hash >> 29;
    }

    /// The hash of everything written.
    pub fn finish(&self) -> u64 {
        let mut hash = self.hash;
        for &byte in &self.pending[..self.pending_len] {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
        (hash ^ self.len).wrapping_mul(PRIME)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_published_test_vectors() {
        assert_eq!(super::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn content_hashes_tell_one_byte_apart_anywhere() {
        let text = b"fn main() { let values = [1, 2, 3]; }\n".repeat(5);
        let base = super::content_hash(&text);
        for at in [0, 7, 8, 100, text.len() - 1] {
            let mut changed = text.clone();
            changed[at] ^= 1;
            assert_ne!(super::content_hash(&changed), base, "byte {at}");
        }
        assert_ne!(super::content_hash(b"ab"), super::content_hash(b"ab\0"));
        assert_eq!(super::content_hash(&text), base, "deterministic");
        for split in [0, 1, 7, 8, 9, 50, text.len()] {
            let mut pieces = super::ContentHasher::default();
            let (a, b) = text.split_at(split);
            pieces.write(a);
            pieces.write(&[]);
            pieces.write(b);
            assert_eq!(pieces.finish(), base, "split at {split}");
        }
    }
}
