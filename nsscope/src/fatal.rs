//! Giving up on a thread whose namespace is unknown: a message on stderr, then `abort`.
//!
//! This runs where carrying on is not an option, so nothing here panics, allocates or takes a
//! lock: the message is formatted into a buffer on the stack (cut short if it does not fit),
//! written straight to file descriptor 2 with errors ignored, and the process aborts whatever
//! state stderr (closed, a broken pipe, full), the allocator or the caller's panic handling
//! is in.

use std::fmt;

/// How long to wait for stderr to take the message before aborting without it.
const STDERR_WAIT_MS: libc::c_int = 1000;

/// Writes `message` to stderr as well as it can, then aborts the process.
pub(crate) fn abort_with(message: fmt::Arguments<'_>) -> ! {
    let mut text = StackText::new();
    // A formatting error only means the text stops where it failed.
    let _ = fmt::write(&mut text, message);
    write_to_stderr(text.as_bytes());
    std::process::abort()
}

/// An OS error number shown as `strerror` shows it, without allocating.
pub(crate) struct Errno(pub(crate) Option<i32>);

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(code) = self.0 else {
            return f.write_str("unknown error");
        };
        let mut buf = [0u8; 128];
        // SAFETY: the XSI strerror_r (libc binds glibc's `__xpg_strerror_r`) writes a
        // NUL-terminated string of at most `buf.len()` bytes into `buf`.
        let rc = unsafe { libc::strerror_r(code, buf.as_mut_ptr().cast(), buf.len()) };
        let len = buf.iter().position(|&b| b == 0).unwrap_or(0);
        match (rc, buf.get(..len).map(std::str::from_utf8)) {
            (0, Some(Ok(text))) if !text.is_empty() => write!(f, "{text} (os error {code})"),
            _ => write!(f, "os error {code}"),
        }
    }
}

/// A fixed buffer on the stack that keeps what fits and drops the rest.
struct StackText {
    buf: [u8; 1024],
    len: usize,
}

impl StackText {
    fn new() -> StackText {
        StackText {
            buf: [0; 1024],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let free = self.buf.get_mut(self.len..).unwrap_or_default();
        let n = s.len().min(free.len());
        if let (Some(dst), Some(src)) = (free.get_mut(..n), s.as_bytes().get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        Ok(())
    }
}

/// Writes `bytes` to file descriptor 2, giving up on any error, or when stderr has not become
/// writable within [`STDERR_WAIT_MS`] (a full pipe nobody reads).
fn write_to_stderr(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let mut ready = libc::pollfd {
            fd: libc::STDERR_FILENO,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut ready, 1, STDERR_WAIT_MS) } != 1
            || ready.revents & libc::POLLOUT == 0
        {
            return;
        }
        // SAFETY: writes from a live slice of `bytes.len()` bytes.
        let n = unsafe { libc::write(libc::STDERR_FILENO, bytes.as_ptr().cast(), bytes.len()) };
        match usize::try_from(n) {
            Ok(written) if written > 0 => bytes = bytes.get(written..).unwrap_or_default(),
            _ if n == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) => {
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::{Errno, StackText};

    #[test]
    fn text_past_the_buffer_is_dropped_without_an_error() {
        let mut text = StackText::new();
        for _ in 0..300 {
            assert!(text.write_str("abcd").is_ok());
        }
        assert_eq!(text.as_bytes().len(), 1024);
        assert!(text.as_bytes().starts_with(b"abcdabcd"));
    }

    #[test]
    fn errno_reads_like_strerror() {
        let mut text = StackText::new();
        write!(text, "{}", Errno(Some(libc::EPERM))).expect("format");
        assert_eq!(text.as_bytes(), b"Operation not permitted (os error 1)");
        let mut text = StackText::new();
        write!(text, "{}", Errno(None)).expect("format");
        assert_eq!(text.as_bytes(), b"unknown error");
    }
}
