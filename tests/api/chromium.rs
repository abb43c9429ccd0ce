//! Running a script of `tests/browser/` in Debian's Chromium, shared by the browser tests
//! and the Lighthouse test (its own test binary, so that it runs alone).

use std::{path::Path, time::Duration};

fn browser_ready() -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !Path::new("tests/browser/node_modules/playwright-core").exists() {
        return Err("playwright-core is missing (npm install --prefix tests/browser)".into());
    }
    Ok(())
}

/// Whether the browser tests can run here; in CI they must.
pub fn browser_or_skip() -> bool {
    match browser_ready() {
        Ok(()) => true,
        Err(missing) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "browser tests need {missing}"
            );
            println!("SKIPPED browser test: {missing}");
            false
        }
    }
}

/// Runs a script of `tests/browser/` to the end and returns what it printed; a failure
/// shows both streams.
pub async fn run_node(script: &str, args: &[&str], limit: Duration) -> String {
    let run = tokio::process::Command::new("node")
        .arg(format!("tests/browser/{script}"))
        .args(args)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(limit, run)
        .await
        .unwrap_or_else(|_| panic!("{script} finishes within {limit:?}"))
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}
