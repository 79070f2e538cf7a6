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
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut chunks = bytes.chunks_exact(8);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
        hash ^= hash >> 29;
    }
    for &byte in chunks.remainder() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
    }
    (hash ^ bytes.len() as u64).wrapping_mul(PRIME)
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
    }
}
