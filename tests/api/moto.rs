//! A real S3-compatible server for the `s3` store's tests: moto's (`python -m moto.server`,
//! from the virtualenv `.ci/run` makes of tests/deploy/requirements.txt) on a free loopback
//! port, one per test, stopped when dropped. Moto keeps objects in memory and, started
//! without IAM, accepts any key pair (it does not check signatures).

use std::process::Stdio;

use figment::Figment;
use tokio::process::{Child, Command};

use crate::{
    helpers::PATIENCE,
    python::{PYTHON, free_port, python_with},
};

pub struct Moto {
    _child: Child,
    endpoint: String,
}

impl Moto {
    /// Starts moto and makes the bucket `anjoman` in it; `None` (outside CI) when moto is
    /// missing.
    pub async fn start() -> Option<Moto> {
        if !python_with("moto.server", "S3 store").await {
            return None;
        }
        let port = free_port();
        let child = Command::new(PYTHON)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("moto starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = crate::helpers::client();
        // Moto takes a few seconds to import; the bucket is made as soon as it answers
        // (unsigned: moto without IAM takes any request).
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            match http.put(format!("{endpoint}/anjoman")).send().await {
                Ok(resp) => {
                    assert!(resp.status().is_success(), "bucket: {}", resp.status());
                    break;
                }
                Err(err) => {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "moto never answered: {err}"
                    );
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
        Some(Moto {
            _child: child,
            endpoint,
        })
    }

    /// What the app needs to keep its files in the bucket.
    pub fn configure(&self) -> impl Fn(Figment) -> Figment + Clone + use<> {
        let endpoint = self.endpoint.clone();
        move |figment| {
            figment
                .merge(("uploads.store", "s3"))
                .merge(("uploads.s3.bucket", "anjoman"))
                .merge(("uploads.s3.region", "us-east-1"))
                .merge(("uploads.s3.endpoint", endpoint.clone()))
                .merge(("uploads.s3.allow_http", true))
                .merge(("uploads.s3.access_key_id", "anjoman-test"))
                .merge(("uploads.s3.secret_access_key", "anjoman-test-secret"))
        }
    }
}
