//! The `anjoman` binary as a child process: a clean environment, `serve` on a free port,
//! and its JSON log lines.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

/// The binary with a clean slate: no inherited Anjoman variables, cheap argon2, the test
/// servers' registration limits, `dir` as cwd.
pub fn anjoman(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anjoman"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ANJOMAN_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PORT")
        .env("ANJOMAN_AUTH__ARGON2__MEMORY_KIB", "1024")
        .env("ANJOMAN_AUTH__ARGON2__ITERATIONS", "1")
        // As in every test server: many accounts from 127.0.0.1, many logins at once.
        .env("ANJOMAN_LIMITS__REGISTRATIONS_PER_WINDOW", "100000")
        .env("ANJOMAN_LIMITS__REGISTRATIONS_TOTAL_PER_WINDOW", "100000")
        .env("ANJOMAN_AUTH__ARGON2__MAX_WAITING", "100000")
        .stdin(Stdio::null());
    cmd
}

/// A running `anjoman serve`, its port and its JSON log lines.
pub struct Served {
    pub child: Child,
    pub port: u16,
    pub lines: mpsc::Receiver<Value>,
}

impl Drop for Served {
    /// A test that fails midway leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` on a free port and waits until it listens.
pub fn serve(mut cmd: Command) -> Served {
    cmd.env("PORT", "0")
        .env("ANJOMAN_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(json) = serde_json::from_str::<Value>(&line) {
                if tx.send(json).is_err() {
                    break;
                }
            }
        }
    });
    let port = wait_for(&lines, |line| line["message"] == "listening")
        .and_then(|line| line["addr"].as_str()?.rsplit(':').next()?.parse().ok())
        .expect("server logs its listening address");
    Served { child, port, lines }
}

/// The first log line matching `pred` within a minute.
pub fn wait_for(lines: &mpsc::Receiver<Value>, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if pred(&line) => return Some(line),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
    None
}
