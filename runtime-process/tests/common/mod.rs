//! Helpers shared by the process test binaries.

/// A process's state letter from `/proc/<pid>/stat` (`Z` for an unreaped
/// zombie), or `None` once it is gone.
pub fn state_of(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ..." — the state follows the last ')'.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}
