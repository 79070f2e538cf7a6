//! `partialFingerprints.primaryLocationLineHash` as GitHub's code-scanning upload computes it
//! when a SARIF file lacks one, so that nslint's values match what GitHub would derive.
//!
//! The algorithm (github/codeql-action, `fingerprints.ts`): the text is read as UTF-16 code
//! units; spaces and tabs are skipped, CR and CRLF become LF. A polynomial rolling hash with
//! multiplier 37, wrapping at 2^64, runs over a window of the last 100 kept units. The hash of
//! a line is the window's value once the line's first kept unit has become the oldest in the
//! window, that is, over the line's first 100 kept units (continuing into following lines).
//! The end of the text contributes one unit 65535, then zeros flush the last lines. The value
//! is printed in lowercase hex, followed by `:N` where N counts how often that same hash has
//! appeared so far in the file.

use std::collections::HashMap;

const WINDOW: usize = 100;
const MULTIPLIER: u64 = 37;
const END_OF_TEXT: u16 = 65535;

/// The hash of every line of `text`, indexed by 1-based line number minus one. Lines that
/// consist only of spaces and tabs and end the file get none (as upstream).
pub fn line_hashes(text: &str) -> Vec<String> {
    let mut hasher = Hasher::new();
    let mut previous_cr = false;
    for unit in text.encode_utf16() {
        hasher.process(unit, &mut previous_cr);
    }
    hasher.process(END_OF_TEXT, &mut previous_cr);
    for _ in 0..WINDOW {
        hasher.flush_one();
    }
    let mut out = vec![String::new(); hasher.max_line];
    for (line, hash) in hasher.output {
        if let Some(slot) = out.get_mut(line - 1) {
            *slot = hash;
        }
    }
    out
}

/// The hash of one 1-based line of `text`.
pub fn line_hash(text: &str, line: usize) -> Option<String> {
    line_hashes(text)
        .into_iter()
        .nth(line.checked_sub(1)?)
        .filter(|h| !h.is_empty())
}

struct Hasher {
    window: [u16; WINDOW],
    /// The line number that starts at each window slot, if any.
    line_at: [Option<usize>; WINDOW],
    index: usize,
    hash: u64,
    first_power: u64,
    line: usize,
    line_start: bool,
    seen: HashMap<u64, usize>,
    output: Vec<(usize, String)>,
    max_line: usize,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            window: [0; WINDOW],
            line_at: [None; WINDOW],
            index: 0,
            hash: 0,
            first_power: (0..WINDOW).fold(1u64, |p, _| p.wrapping_mul(MULTIPLIER)),
            line: 0,
            line_start: true,
            seen: HashMap::new(),
            output: Vec::new(),
            max_line: 0,
        }
    }

    fn process(&mut self, unit: u16, previous_cr: &mut bool) {
        const SPACE: u16 = b' ' as u16;
        const TAB: u16 = b'\t' as u16;
        const LF: u16 = b'\n' as u16;
        const CR: u16 = b'\r' as u16;
        if unit == SPACE || unit == TAB || (*previous_cr && unit == LF) {
            *previous_cr = false;
            return;
        }
        let unit = if unit == CR {
            *previous_cr = true;
            LF
        } else {
            *previous_cr = false;
            unit
        };
        if self.line_at[self.index].is_some() {
            self.emit();
        }
        if self.line_start {
            self.line_start = false;
            self.line += 1;
            self.max_line = self.max_line.max(self.line);
            self.line_at[self.index] = Some(self.line);
        }
        if unit == LF {
            self.line_start = true;
        }
        self.update(unit);
    }

    fn flush_one(&mut self) {
        if self.line_at[self.index].is_some() {
            self.emit();
        }
        self.update(0);
    }

    fn update(&mut self, unit: u16) {
        let oldest = self.window[self.index];
        self.window[self.index] = unit;
        self.hash = MULTIPLIER
            .wrapping_mul(self.hash)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(self.first_power.wrapping_mul(u64::from(oldest)));
        self.index = (self.index + 1) % WINDOW;
    }

    fn emit(&mut self) {
        let count = self.seen.entry(self.hash).or_insert(0);
        *count += 1;
        if let Some(line) = self.line_at[self.index].take() {
            self.output.push((line, format!("{:x}:{count}", self.hash)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_line_endings_do_not_change_the_hash() {
        let a = line_hashes("fn main() {\n    x();\n}\n");
        let b = line_hashes("fn  main() {\r\n\tx();\r\n}\r\n");
        assert_eq!(a, b);
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn identical_lines_are_numbered() {
        let hashes = line_hashes("a\na\na\n");
        // The windows differ (they run into the following lines), so no counts repeat here,
        // but every value carries the `:N` suffix.
        assert!(hashes.iter().take(3).all(|h| h.contains(':')));
        let same = line_hashes("\n\n");
        assert_ne!(same[0], same[1]);
    }

    #[test]
    fn matches_values_computed_by_the_upstream_algorithm() {
        // Computed with a transcription of codeql-action's `hash()` run under Node: CRLF,
        // tabs, multi-byte characters and a character outside the BMP (two UTF-16 units).
        let text = "fn main() {\r\n\tlet s = \"é→ü 😀\";\n    x();\n    x();\n}\n\n";
        let expected = [
            "f101e335f8ad63e1:1",
            "333e4c2808ab14e6:1",
            "9660ac314eb716a0:1",
            "6612db94722fb9ee:1",
            "25dcf33e1e8185d4:1",
            "3c5bef55b72b93c9:1",
            "c129715d7a2bc9a3:1",
        ];
        assert_eq!(line_hashes(text), expected);
    }

    #[test]
    fn known_value_of_a_single_character() {
        // "x" then the end-of-text unit, then 98 zeros: x*37^99 + 65535*37^98, mod 2^64.
        let expected = (0..99)
            .fold(1u64, |p, _| p.wrapping_mul(37))
            .wrapping_mul(u64::from(b'x'))
            .wrapping_add(
                (0..98)
                    .fold(1u64, |p, _| p.wrapping_mul(37))
                    .wrapping_mul(65535),
            );
        assert_eq!(line_hashes("x")[0], format!("{expected:x}:1"));
    }
}
