//! A description of the machine the figures come from.

/// Returns "N cores, <CPU model>, <memory> GiB memory" from /proc, with
/// "unknown" for any part that cannot be read.
pub fn describe() -> String {
    let cores = std::thread::available_parallelism()
        .map(|count| count.to_string())
        .unwrap_or_else(|_| "unknown".to_owned());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| memory_gib(&text))
        .map(|gib| format!("{gib:.1} GiB"))
        .unwrap_or_else(|| "unknown".to_owned());

    format!("{cores} cores (nproc), {cpu}, {memory} memory")
}

/// Reads the first `model name` of /proc/cpuinfo.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}

/// Reads `MemTotal` of /proc/meminfo, in GiB.
fn memory_gib(meminfo: &str) -> Option<f64> {
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: f64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;

    Some(kib / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_model_first_entry() {
        let cpuinfo =
            "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: other\n";

        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
    }

    #[test]
    fn memory_total_in_gib() {
        let meminfo = "MemTotal:       25165824 kB\nMemFree:        1 kB\n";

        assert_eq!(memory_gib(meminfo), Some(24.0));
    }
}
