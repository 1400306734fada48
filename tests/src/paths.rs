//! Locations of the workspace, its build output and the Python virtual environment.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

/// Returns the workspace root, the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().map(PathBuf::from).unwrap_or(crate_dir)
}

/// A cargo build profile, which decides where the binaries land.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    #[default]
    Debug,
    /// Optimized binaries, for the benchmark, where a debug sandbox would add its own
    /// CPU time to every measured request.
    Release,
}

impl Profile {
    /// Returns the directory name under the target directory.
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

/// Returns the directory that holds the debug binaries, honouring `CARGO_TARGET_DIR`.
pub fn debug_bin_dir() -> PathBuf {
    bin_dir(Profile::Debug)
}

/// Returns the directory of the binaries built in `profile`, honouring `CARGO_TARGET_DIR`.
pub fn bin_dir(profile: Profile) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join(profile.dir_name())
}

/// Returns the path of an executable installed in the workspace's `.venv`.
pub fn venv_bin(name: &str) -> anyhow::Result<PathBuf> {
    let path = workspace_root().join(".venv").join("bin").join(name);
    if !path.exists() {
        bail!(
            "{} is missing: run `make venv` in {} first",
            path.display(),
            workspace_root().display()
        );
    }
    Ok(path)
}

/// Builds the binaries of a workspace package in the debug profile.
pub fn cargo_build(package: &str) -> anyhow::Result<()> {
    cargo_build_profile(package, Profile::Debug)
}

/// Builds the binaries of a workspace package in `profile`.
pub fn cargo_build_profile(package: &str, profile: Profile) -> anyhow::Result<()> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", package, "--bins"]);
    if profile == Profile::Release {
        command.arg("--release");
    }

    let status = command
        .status()
        .with_context(|| format!("failed to run cargo build for package {package}"))?;
    if !status.success() {
        bail!(
            "cargo build -p {package} ({}) failed with {status}",
            profile.dir_name()
        );
    }
    Ok(())
}
