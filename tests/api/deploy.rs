//! The deployment for real, without Docker: Debian's nginx runs the repository's
//! `nginx/anjoman.conf` (addresses and paths rewritten to a temp dir, loopback only) with
//! a certificate from `nginx/gen-cert.sh`, in front of the server, and
//! `tests/deploy/e2e.py` talks to it over https:// and wss://. `.ci/run` installs nginx
//! and the script's virtualenv; elsewhere a missing piece is reported as SKIPPED.

use std::{path::Path, time::Duration};

use crate::{
    helpers::{Backend, spawn_app},
    nginx,
};

const PYTHON: &str = "tests/deploy/.venv/bin/python";

/// nginx and its pieces, and the end-to-end scripts' virtualenv.
fn deploy_ready() -> Result<(), String> {
    nginx::ready()?;
    if !Path::new(PYTHON).exists() {
        return Err(format!(
            "{PYTHON} is missing (python3 -m venv tests/deploy/.venv && pip install -r tests/deploy/requirements.txt)"
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_wss_work_through_nginx_with_the_real_client_ip() {
    if !nginx::runnable("the deployment test", deploy_ready()) {
        return;
    }
    // The server runs until the end of the test.
    let (_app, proxy) = nginx::app_behind_nginx().await;
    let max_file = 16 * 1024 * 1024;

    let run = tokio::process::Command::new(PYTHON)
        .arg("tests/deploy/e2e.py")
        .arg(&proxy.public_url)
        .arg(&proxy.http_url)
        .arg(proxy.certificate())
        .arg(max_file.to_string())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the end-to-end script finishes within 120 s")
        .expect("python runs");
    let errors = proxy.error_log();
    drop(proxy);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("deploy ok"),
        "{stdout}\n{stderr}\nnginx error.log:\n{errors}"
    );
}

/// The OpenAPI surface proven by a generated client: `tests/deploy/openapi_client.py`
/// validates the live spec (openapi-spec-validator), generates a Python client
/// (openapi-python-client) and uses only it to register, log in, create a room, send,
/// upload, search and read the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_generated_from_the_spec_works() {
    if !nginx::runnable("the OpenAPI client test", deploy_ready()) {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await;
    let work = tempfile::tempdir().expect("work dir");
    let run = tokio::process::Command::new(PYTHON)
        .arg("tests/deploy/openapi_client.py")
        .arg(&app.address)
        .arg(work.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("generation and the calls finish within 180 s")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("openapi client ok"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("spec valid"), "{stdout}");
}
