//! A crate loaded by two threads at once, each parsing the function bodies of half its files.
//!
//! Files are shared out as they are loaded: each goes to the half that has been given fewer
//! bytes so far. Both threads load the same files in the same order (the module tree's), so
//! both share them out alike without talking. In a file of the other half every function
//! body is blanked as hollowing blanks one ([`super::comment_range`]): its items stay, and
//! syn skips the inside of its bodies, which the other thread parses and walks.

use std::ops::Range;

/// One of the two threads a crate is loaded on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The thread that loads the crate's root file.
    First,
    /// The thread started beside it.
    Second,
}

/// How the files one thread loads are shared out between the two halves.
#[derive(Debug)]
pub struct Halves {
    /// The half this thread loads for.
    me: Half,
    /// The bytes given to each half so far.
    bytes: [usize; 2],
    /// The half of each file, in load order.
    owners: Vec<Half>,
}

impl Halves {
    /// Sharing out for the thread that loads for `me`.
    pub fn new(me: Half) -> Self {
        Halves {
            me,
            bytes: [0, 0],
            owners: Vec::new(),
        }
    }

    /// Gives the next file loaded, whose text is `text`, to a half, and returns what to blank
    /// in it: the ranges the plan blanks (`planned`), and when the file is the other half's,
    /// the inside of every function body too: `bodies`, where the plan's scan found them
    /// ([`super::Hollowing::bodies_of`]), else found here (nothing when the file cannot be
    /// scanned).
    pub fn next_file(
        &mut self,
        text: &str,
        planned: &[Range<usize>],
        bodies: Option<&[Range<usize>]>,
    ) -> Vec<Range<usize>> {
        let owner = if self.bytes[1] < self.bytes[0] {
            Half::Second
        } else {
            Half::First
        };
        self.bytes[owner as usize] += text.len();
        self.owners.push(owner);
        if owner == self.me {
            return planned.to_vec();
        }
        let mut ranges = planned.to_vec();
        match bodies {
            Some(bodies) => ranges.extend_from_slice(bodies),
            None => ranges.extend(
                super::scan_bodies(text)
                    .map(|s| s.comments)
                    .unwrap_or_default(),
            ),
        }
        outermost(ranges)
    }

    /// Whether the file loaded `index`th (from 0) is this thread's half.
    pub fn owns(&self, index: usize) -> bool {
        self.owners.get(index) == Some(&self.me)
    }
}

/// `ranges` sorted, without those inside another (a body inside a function left out whole).
fn outermost(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut kept: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        if kept.last().is_none_or(|last| range.start >= last.end) {
            kept.push(range);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_go_to_the_half_with_fewer_bytes_alike_on_both_threads() {
        let texts = [
            "fn a() { 1; }",
            "fn b() {}",
            "fn c() {}",
            "fn d() { 4444444; }",
        ];
        let mut first = Halves::new(Half::First);
        let mut second = Halves::new(Half::Second);
        for text in texts {
            first.next_file(text, &[], None);
            second.next_file(text, &[], None);
        }
        let firsts: Vec<bool> = (0..4).map(|i| first.owns(i)).collect();
        let seconds: Vec<bool> = (0..4).map(|i| second.owns(i)).collect();
        // 13 bytes to the first half, then 9 + 9 to the second, then the fourth to the first.
        assert_eq!(firsts, [true, false, false, true]);
        assert_eq!(seconds, [false, true, true, false]);
        assert!(!first.owns(4) && !second.owns(4));
    }

    #[test]
    fn the_other_halfs_bodies_are_blanked_and_its_items_kept() {
        let text = "struct S;\nfn a() {\n    call();\n}\nimpl S {\n    fn m(&self) {\n        go();\n    }\n}\n";
        let mut second = Halves::new(Half::Second);
        // The first file is the first half's: the second thread blanks its bodies.
        let blanked: Vec<&str> = second
            .next_file(text, &[], None)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(blanked, ["    call();", "        go();\n    "]);
        // In its own half's file, a thread blanks what the plan blanks and nothing more.
        let planned = [5..7, 8..9];
        let mut first = Halves::new(Half::First);
        assert_eq!(first.next_file(text, &planned, None), planned);
        // Bodies the plan's scan found are taken as found.
        let found = [12..21, 30..40];
        let mut second = Halves::new(Half::Second);
        assert_eq!(second.next_file(text, &[], Some(&found)), found);
    }

    #[test]
    fn a_body_inside_a_range_the_plan_blanks_is_not_blanked_twice() {
        let text = "fn a() {\n    call();\n}\n";
        let whole = 0..text.len() - 1;
        let mut second = Halves::new(Half::Second);
        assert_eq!(
            second.next_file(text, std::slice::from_ref(&whole), None),
            [whole]
        );
    }
}
