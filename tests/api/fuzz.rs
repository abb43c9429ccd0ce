//! Schema-driven fuzzing: schemathesis (pinned in tests/deploy/requirements.txt, set up
//! by `.ci/run`) against the live `/api/openapi.json` of the real server, on both
//! databases, with every check and the config in `tests/fuzz/schemathesis.toml`. Any 5xx
//! or conformance failure fails the test. Each run writes `FUZZ <backend>: <n> cases`
//! to the test log (uncaptured), which `.ci/run` requires for both backends.

use std::{io::Write, path::Path, time::Duration};

use figment::Figment;

use crate::helpers::{Backend, spawn_app_with};

const SCHEMATHESIS: &str = "tests/deploy/.venv/bin/st";
const CONFIG: &str = "tests/fuzz/schemathesis.toml";

/// Server settings for the fuzz run, over the test defaults: one line per override, so
/// more can be added where a limit would leave operations untested.
fn fuzz_settings(figment: Figment) -> Figment {
    [
        // The fuzzer sends far more than 30 messages a minute; the limit itself is
        // documented (429) and tested elsewhere.
        ("limits.messages_per_minute", 1_000_000),
        ("limits.uploads_per_window", 1_000_000),
    ]
    .into_iter()
    .fold(figment, |figment, (key, value)| figment.merge((key, value)))
}

/// The number after "Test cases:" in schemathesis' summary (`  4510 generated, …`).
fn case_count(output: &str) -> Option<u64> {
    let after = output.split("Test cases:").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

async fn the_live_spec_holds_under_schema_fuzzing(backend: Backend) {
    if !Path::new(SCHEMATHESIS).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the fuzz test needs {SCHEMATHESIS} (pip install -r tests/deploy/requirements.txt)"
        );
        println!("SKIPPED fuzz test: {SCHEMATHESIS} is missing");
        return;
    }
    let app = spawn_app_with(backend.clone(), fuzz_settings).await;
    // The first account is the admin, so the admin operations are exercised too.
    let token = app
        .register_token("fuzzadmin", "correct horse battery")
        .await;
    let work = tempfile::tempdir().expect("work dir");
    let config = std::env::current_dir().expect("cwd").join(CONFIG);
    let st = std::env::current_dir().expect("cwd").join(SCHEMATHESIS);
    let run = tokio::process::Command::new(st)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(app.url("/api/openapi.json"))
        .args(["--checks", "all", "--no-color"])
        .env("ANJOMAN_FUZZ_TOKEN", &token)
        // Its database of found examples stays out of the repository.
        .current_dir(work.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("the fuzz run finishes within 10 minutes")
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let cases = case_count(&stdout);
    // Written past the test harness' capture, so the CI log always shows it.
    let _ = writeln!(
        std::io::stderr(),
        "FUZZ {backend:?}: {} cases, schemathesis {}",
        cases.map_or_else(|| "?".to_owned(), |n| n.to_string()),
        output.status
    );
    if !output.status.success() {
        // The findings, uncaptured too: a CI log that keeps only part of a long panic
        // message still shows what failed.
        let findings = stdout.split("FAILURES").nth(1).unwrap_or(&stdout);
        let _ = writeln!(std::io::stderr(), "FUZZ {backend:?} findings:{findings}");
    }
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(cases.is_some_and(|n| n > 0), "no cases ran:\n{stdout}");
}

crate::on_both_backends!(the_live_spec_holds_under_schema_fuzzing);
