//! The outside services the tests start are Python programs from the virtualenv `.ci/run`
//! makes of tests/deploy/requirements.txt (aiosmtpd, moto, http_ece): this is how a test
//! finds that interpreter, a free loopback port, and a server that says it is ready.

use std::{path::Path, process::Stdio};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::helpers::PATIENCE;

pub const PYTHON: &str = "tests/deploy/.venv/bin/python";

/// Whether the virtualenv can `import` `modules` (e.g. `"http_ece, cryptography"`). When
/// it cannot, a test outside CI is skipped with a SKIPPED line, and in CI it fails: a
/// skipped suite would pass unseen.
pub async fn python_with(modules: &str, test: &str) -> bool {
    let usable = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", &format!("import {modules}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|status| status.success());
    if !usable {
        assert!(
            std::env::var_os("CI").is_none(),
            "the {test} tests need {PYTHON} with {modules} (pip install -r tests/deploy/requirements.txt)"
        );
        println!("SKIPPED {test} test: {PYTHON} with {modules} is missing");
    }
    usable
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Runs `args` under the virtualenv's Python and returns once the program printed `READY`
/// (it does so once it listens). The program ends with the returned handle.
pub async fn spawn_ready(args: &[&str]) -> Child {
    let mut child = Command::new(PYTHON)
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("{args:?} starts: {err}"));
    let stdout = child.stdout.take().expect("stdout");
    let ready = tokio::time::timeout(PATIENCE, BufReader::new(stdout).lines().next_line())
        .await
        .unwrap_or_else(|_| panic!("{args:?} says READY in time"))
        .expect("output");
    assert_eq!(ready.as_deref(), Some("READY"), "{args:?}");
    child
}
