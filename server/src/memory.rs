//! How the process takes memory from the system.
//!
//! glibc gives each thread that allocates under contention an arena of its own (up to eight per
//! core), and memory freed in one arena is not reused by another: under a multi-threaded runtime
//! that streams a million-row export a page at a time, that fragmentation alone added half again
//! to the peak resident size (153 MB against 101 MB for the district's quarterly XLSX, see
//! docs/BENCHMARKS.md). Two arenas keep allocation fast on two cores and the peak bounded.

/// Caps glibc's malloc arenas at `LIAISON_MALLOC_ARENA_MAX` (default 4; 0 leaves glibc's own
/// choice). Call first thing in `main`, before any thread starts.
pub fn limit_arenas() {
    let arenas = std::env::var("LIAISON_MALLOC_ARENA_MAX")
        .ok()
        .and_then(|v| v.trim().parse::<i32>().ok())
        .unwrap_or(4);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if arenas > 0 {
        // SAFETY: mallopt only sets an allocator parameter; it runs before other threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}
