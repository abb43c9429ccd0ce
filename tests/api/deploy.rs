//! The deployment for real, without Docker: Debian's nginx runs the repository's
//! `nginx/anjoman.conf` (addresses and paths rewritten to a temp dir, loopback only) with
//! a certificate from `nginx/gen-cert.sh`, in front of the server, and
//! `tests/deploy/e2e.py` talks to it over https:// and wss://. `.ci/run` installs nginx
//! and the script's virtualenv; elsewhere a missing piece is reported as SKIPPED.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use crate::helpers::{Backend, spawn_app, spawn_app_with};

const NGINX: &str = "/usr/sbin/nginx";
const PYTHON: &str = "tests/deploy/.venv/bin/python";
/// Debian's brotli filter for nginx (`libnginx-mod-http-brotli-filter`).
const BROTLI_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so";
/// nginx listens here; the client connects from 127.0.0.1.
const PROXY_LISTEN: &str = "127.0.0.2";
/// nginx connects to the app from here, the only address the app trusts.
const PROXY_SOURCE: &str = "127.0.0.3";

fn deploy_ready() -> Result<(), String> {
    for (path, hint) in [
        (NGINX, "apt-get install nginx"),
        (
            BROTLI_MODULE,
            "apt-get install libnginx-mod-http-brotli-filter",
        ),
        ("/usr/bin/openssl", "apt-get install openssl"),
        (
            PYTHON,
            "python3 -m venv tests/deploy/.venv && pip install -r tests/deploy/requirements.txt",
        ),
    ] {
        if !Path::new(path).exists() {
            return Err(format!("{path} is missing ({hint})"));
        }
    }
    Ok(())
}

fn free_port(ip: &str) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The repository's site config with this machine's addresses and paths.
fn site_config(dir: &Path, app_port: u16, http_port: u16, https_port: u16) -> String {
    let source = std::fs::read_to_string("nginx/anjoman.conf").expect("nginx/anjoman.conf");
    let certs = dir.join("certs");
    let replaced = source
        .replace("server app:8080;", &format!("server 127.0.0.1:{app_port};"))
        .replace("listen 80;", &format!("listen {PROXY_LISTEN}:{http_port};"))
        .replace(
            "listen 443 ssl http2;",
            &format!("listen {PROXY_LISTEN}:{https_port} ssl http2;"),
        )
        .replace("/etc/nginx/certs/", &format!("{}/", certs.display()))
        .replace(
            "/etc/nginx/anjoman-brotl[i].conf",
            &format!("{}/anjoman-brotl[i].conf", dir.display()),
        )
        .replace(
            "proxy_pass http://anjoman;",
            &format!("proxy_pass http://anjoman;\n        proxy_bind {PROXY_SOURCE};"),
        );
    for needle in ["app:8080", "listen 80;", "listen 443", "/etc/nginx/"] {
        assert!(!replaced.contains(needle), "{needle} was not rewritten");
    }
    replaced
}

/// A complete nginx.conf around the site, everything under `dir`.
fn main_config(dir: &Path) -> String {
    let d = dir.display();
    // As root, workers would switch to `nobody` and lose the temp dir.
    let user = if is_root() { "user root;\n" } else { "" };
    format!(
        "load_module {BROTLI_MODULE};\n{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         daemon off;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n\
         proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/site.conf;\n}}\n"
    )
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Stops nginx when dropped, also when an assertion fails: `-s stop` lets the master take
/// its workers down (killing only the master would leave them listening).
struct Nginx {
    prefix: PathBuf,
    conf: PathBuf,
    child: tokio::process::Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = std::process::Command::new(NGINX)
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "stop"])
            .output();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.start_kill();
    }
}

async fn wait_for_port(ip: &str, port: u16) {
    let deadline = Instant::now() + crate::helpers::PATIENCE;
    while tokio::net::TcpStream::connect((ip, port)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on {ip}:{port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_wss_work_through_nginx_with_the_real_client_ip() {
    if let Err(missing) = deploy_ready() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the deployment test needs {missing}"
        );
        println!("SKIPPED deployment test: {missing}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let certs: PathBuf = dir.path().join("certs");
    let cert = std::process::Command::new("nginx/gen-cert.sh")
        .arg(&certs)
        .arg("localhost")
        .output()
        .expect("gen-cert.sh runs");
    assert!(cert.status.success(), "{cert:?}");

    let (http_port, https_port) = (free_port(PROXY_LISTEN), free_port(PROXY_LISTEN));
    let public_url = format!("https://{PROXY_LISTEN}:{https_port}");
    let app = spawn_app_with(Backend::Sqlite, |figment| {
        figment
            .merge(("server.trusted_proxies", vec![PROXY_SOURCE]))
            .merge(("server.public_url", public_url.clone()))
    })
    .await;
    let app_port: u16 = app
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("app port");
    let max_file = 16 * 1024 * 1024;

    std::fs::write(
        dir.path().join("site.conf"),
        site_config(dir.path(), app_port, http_port, https_port),
    )
    .expect("site.conf");
    // The brotli snippet where the site config looks for it, as an operator installs it.
    std::fs::copy("nginx/brotli.conf", dir.path().join("anjoman-brotli.conf"))
        .expect("anjoman-brotli.conf");
    std::fs::write(dir.path().join("nginx.conf"), main_config(dir.path())).expect("nginx.conf");
    let conf = dir.path().join("nginx.conf");
    let check = std::process::Command::new(NGINX)
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("nginx -t");
    assert!(
        check.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = tokio::process::Command::new(NGINX)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let nginx = Nginx {
        prefix: dir.path().to_owned(),
        conf: conf.clone(),
        child,
    };
    wait_for_port(PROXY_LISTEN, https_port).await;

    let run = tokio::process::Command::new(PYTHON)
        .arg("tests/deploy/e2e.py")
        .arg(&public_url)
        .arg(format!("http://{PROXY_LISTEN}:{http_port}"))
        .arg(certs.join("fullchain.pem"))
        .arg(max_file.to_string())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the end-to-end script finishes within 120 s")
        .expect("python runs");
    drop(nginx);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
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
    if let Err(missing) = deploy_ready() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the OpenAPI client test needs {missing}"
        );
        println!("SKIPPED OpenAPI client test: {missing}");
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
