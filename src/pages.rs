//! How the process's memory is paged.

/// Keeps the process's memory in small pages from now on, for the whole process and the
/// children it starts.
///
/// mimalloc advises the kernel to back its arenas with transparent huge pages. Under a
/// hypervisor that takes freed guest memory back (free page reporting, as on the 2-core VMs
/// nslint is benchmarked and tested on), faulting in a fresh 2 MiB page cost four times as
/// much per byte as small pages, and a cold run on a large crate took a third longer for it
/// (benches/README.md, "Huge pages"). mimalloc's own switch is read before `main`
/// runs, when its first arena is already advised; this one covers mappings made before it
/// too. On a kernel without it (before Linux 3.15) the call fails and nothing changes.
#[cfg(target_os = "linux")]
pub fn without_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes no memory the
    // program can see, only how the kernel backs it.
    unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

/// Elsewhere the kernel's default stands.
#[cfg(not(target_os = "linux"))]
pub fn without_huge_pages() {}
