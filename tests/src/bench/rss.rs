//! Peak resident memory of the current process.

use anyhow::Context;

/// Returns the peak resident set size of this process in KiB (`VmHWM` in
/// /proc/self/status, Linux only).
pub fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("failed to read /proc/self/status, which the peak RSS comes from (Linux only)")?;

    parse_vm_hwm(&status).context("/proc/self/status has no readable VmHWM line")
}

/// Reads the `VmHWM:   12345 kB` line of a /proc status file.
fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let value = line.trim_start_matches("VmHWM:").trim();
    let number = value.strip_suffix("kB")?.trim();

    number.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_parsed() {
        let status =
            "Name:\tbench\nVmPeak:\t  200000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   30000 kB\n";

        assert_eq!(parse_vm_hwm(status), Some(40960));
    }

    #[test]
    fn vm_hwm_missing() {
        assert_eq!(parse_vm_hwm("Name:\tbench\nVmRSS:\t 1 kB\n"), None);
    }

    #[test]
    fn own_peak_rss_positive() {
        let kib = peak_rss_kib();

        assert!(kib.is_ok_and(|kib| kib > 0));
    }
}
