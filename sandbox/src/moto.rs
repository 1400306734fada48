//! Test harness that runs moto in server mode, which emulates DynamoDB and
//! Secrets Manager, on a free 127.0.0.1 port.
//!
//! Each [`MotoServer`] is a separate process with empty state, so tests that
//! each spawn their own server cannot see each other's tables or secrets. The
//! process is killed when the value is dropped, and also when the thread that
//! started it exits without dropping it (a test binary killed by a timeout, say),
//! so no moto outlives its test. `moto_launcher.py` explains how.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Python source that starts moto's server so that it dies with its parent thread,
/// handles TransactWriteItems without copying whole tables, skips moto's repeated
/// per-request work and keeps Python's full garbage collections from scanning every
/// stored item. The launcher calls functions of the speedups file, so the two
/// run as one script.
pub const LAUNCHER: &str = concat!(
    include_str!("moto_speedups.py"),
    "\n",
    include_str!("moto_launcher.py")
);

/// Time allowed for moto to import its services and bind the port.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// Ports tried before giving up when another server takes the reserved port.
const START_ATTEMPTS: usize = 3;

/// A running moto server, killed on drop.
pub struct MotoServer {
    child: Child,
    addr: SocketAddr,
    log_path: PathBuf,
}

impl MotoServer {
    /// Returns the URL to pass as `endpoint_url` to the AWS SDK clients.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Returns the file that receives moto's stdout and stderr, useful when a
    /// test fails on an unexpected AWS error.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // The process may already have exited, and a failed kill cannot be
        // reported from a destructor.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log_path);
    }
}

/// Starts moto on a free 127.0.0.1 port and waits until it accepts
/// connections.
///
/// The executable is, in order: env `MOTO_SERVER`, `<workspace>/.venv/bin/moto_server`,
/// or `moto_server` on `PATH`.
pub fn spawn() -> anyhow::Result<MotoServer> {
    let executable = find_executable()?;

    // The free port is found by binding and releasing it, so another server started at
    // the same moment can take it first. Moto then fails to bind and exits, and the
    // next attempt tries a new port.
    let mut last_error = None;
    for _ in 0..START_ATTEMPTS {
        match start_on_free_port(&executable) {
            Ok(server) => return Ok(server),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| anyhow::anyhow!("moto_server was never started")))
}

fn start_on_free_port(executable: &Path) -> anyhow::Result<MotoServer> {
    let addr = reserve_port()?;
    let log_path =
        std::env::temp_dir().join(format!("moto-{}-{}.log", std::process::id(), addr.port()));
    let log = File::create(&log_path)
        .with_context(|| format!("failed to create the moto log file {}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .context("failed to duplicate the moto log file handle")?;

    let child = moto_command(executable)
        .args(["-H", "127.0.0.1", "-p", &addr.port().to_string()])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .with_context(|| {
            format!(
                "failed to start {}; run `make venv` to install moto[server]",
                executable.display()
            )
        })?;
    let mut server = MotoServer {
        child,
        addr,
        log_path,
    };

    wait_until_listening(&mut server)?;
    Ok(server)
}

/// Returns the command that starts moto: through [`LAUNCHER`] when the Python
/// interpreter of moto's virtual environment sits next to `moto_server`, else
/// `moto_server` itself.
pub fn moto_command(executable: &Path) -> Command {
    let python = executable.with_file_name("python3");
    if !python.is_file() {
        return Command::new(executable);
    }

    let mut command = Command::new(python);
    command
        .args(["-c", LAUNCHER])
        .env("MOTO_PARENT_PID", std::process::id().to_string());
    command
}

/// Locates `moto_server`: env `MOTO_SERVER`, `<workspace>/.venv/bin/moto_server`, or
/// `PATH`.
pub fn find_executable() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!(
                "MOTO_SERVER is set to {}, which is not a file; point it at .venv/bin/moto_server or run `make venv`",
                path.display()
            );
        }
        return Ok(path);
    }

    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server");
    if venv.is_file() {
        return Ok(venv);
    }

    let on_path = std::env::var_os("PATH").map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|candidate| candidate.is_file())
    });
    match on_path.flatten() {
        Some(path) => Ok(path),
        None => bail!(
            "moto_server not found: MOTO_SERVER is unset, {} does not exist and PATH has no moto_server; run `make venv`",
            venv.display()
        ),
    }
}

/// Picks a free port by binding port 0 and releasing it. Another process could
/// take the port before moto binds it. The startup wait then reports moto's exit.
fn reserve_port() -> anyhow::Result<SocketAddr> {
    let listener =
        TcpListener::bind("127.0.0.1:0").context("failed to bind a free port on 127.0.0.1")?;
    listener
        .local_addr()
        .context("failed to read the address of the reserved port")
}

/// Returns true when moto's own API responds on `addr`. A bare TCP connect is not
/// enough, because another server may have bound the port that moto failed to bind.
fn answers_as_moto(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, POLL_INTERVAL) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /moto-api/data.json HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }

    let mut status_line = [0u8; 12];
    stream.read_exact(&mut status_line).is_ok() && status_line.ends_with(b" 200")
}

fn wait_until_listening(server: &mut MotoServer) -> anyhow::Result<()> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;

    loop {
        if let Some(status) = server
            .child
            .try_wait()
            .context("failed to poll the moto process")?
        {
            let log = std::fs::read_to_string(&server.log_path).unwrap_or_default();
            bail!(
                "moto_server exited with {status} before accepting connections; its output:\n{log}"
            );
        }
        if answers_as_moto(server.addr) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "moto_server did not accept connections on {} within {:?}; see {}",
                server.addr,
                STARTUP_TIMEOUT,
                server.log_path.display()
            );
        }
        sleep(POLL_INTERVAL);
    }
}
