//! Debian's nginx in front of a test server, as deployed: the repository's
//! `nginx/anjoman.conf` (addresses and paths rewritten to a temp dir, loopback only), its
//! brotli snippet, and a certificate from `nginx/gen-cert.sh`, so the browser speaks
//! HTTPS and HTTP/2 to nginx and nginx speaks HTTP/1.1 to the server. Used by the
//! deployment test and by Lighthouse, which scores the page as a deployment serves it.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use crate::helpers::{Backend, PATIENCE, TestApp, spawn_app_with};

const NGINX: &str = "/usr/sbin/nginx";
/// Debian's brotli filter for nginx (`libnginx-mod-http-brotli-filter`).
const BROTLI_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so";
/// nginx listens here; the client connects from 127.0.0.1.
const PROXY_LISTEN: &str = "127.0.0.2";
/// nginx connects to the app from here, the only address the app trusts.
const PROXY_SOURCE: &str = "127.0.0.3";

/// nginx, its brotli module and openssl (for the certificate), or what is missing.
pub fn ready() -> Result<(), String> {
    for (path, hint) in [
        (NGINX, "apt-get install nginx"),
        (
            BROTLI_MODULE,
            "apt-get install libnginx-mod-http-brotli-filter",
        ),
        ("/usr/bin/openssl", "apt-get install openssl"),
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
    let deadline = Instant::now() + PATIENCE;
    while tokio::net::TcpStream::connect((ip, port)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on {ip}:{port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where nginx will listen, chosen before the server starts (whose `public_url` and
/// `trusted_proxies` must name it), with its certificate already made.
struct ProxyPlan {
    dir: tempfile::TempDir,
    http_port: u16,
    https_port: u16,
    /// `https://127.0.0.2:PORT`: the server's `public_url` behind this proxy.
    public_url: String,
}

/// nginx running in front of the server; stopped (then its temp dir removed) when dropped.
pub struct Proxy {
    _nginx: Nginx,
    dir: tempfile::TempDir,
    pub public_url: String,
    /// Plain HTTP, which nginx redirects to `public_url`.
    pub http_url: String,
}

impl Proxy {
    /// The certificate the proxy serves, for clients that verify it.
    pub fn certificate(&self) -> PathBuf {
        self.dir.path().join("certs/fullchain.pem")
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

/// Whether a test that needs `ready` can run. Outside CI a missing piece skips the test
/// with a SKIPPED line; in CI it fails it, since a skipped suite would pass unseen.
pub fn runnable(test: &str, ready: Result<(), String>) -> bool {
    match ready {
        Ok(()) => true,
        Err(missing) => {
            assert!(std::env::var_os("CI").is_none(), "{test} needs {missing}");
            println!("SKIPPED {test}: {missing}");
            false
        }
    }
}

/// A server (SQLite) that trusts the proxy and knows its public address, with nginx
/// started in front of it.
pub async fn app_behind_nginx() -> (TestApp, Proxy) {
    let plan = plan();
    let public_url = plan.public_url.clone();
    let app = spawn_app_with(Backend::Sqlite, |figment| {
        figment
            .merge(("server.trusted_proxies", vec![PROXY_SOURCE]))
            .merge(("server.public_url", public_url.clone()))
    })
    .await;
    let proxy = plan.start(&app.address).await;
    (app, proxy)
}

fn plan() -> ProxyPlan {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = std::process::Command::new("nginx/gen-cert.sh")
        .arg(dir.path().join("certs"))
        .arg("localhost")
        .output()
        .expect("gen-cert.sh runs");
    assert!(cert.status.success(), "{cert:?}");
    let (http_port, https_port) = (free_port(PROXY_LISTEN), free_port(PROXY_LISTEN));
    ProxyPlan {
        dir,
        http_port,
        https_port,
        public_url: format!("https://{PROXY_LISTEN}:{https_port}"),
    }
}

impl ProxyPlan {
    /// Starts nginx in front of the server at `app_address` (`http://127.0.0.1:PORT`).
    async fn start(self, app_address: &str) -> Proxy {
        let app_port: u16 = app_address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("app port");
        let dir = self.dir.path();
        std::fs::write(
            dir.join("site.conf"),
            site_config(dir, app_port, self.http_port, self.https_port),
        )
        .expect("site.conf");
        // The brotli snippet where the site config looks for it, as an operator installs it.
        std::fs::copy("nginx/brotli.conf", dir.join("anjoman-brotli.conf"))
            .expect("anjoman-brotli.conf");
        std::fs::write(dir.join("nginx.conf"), main_config(dir)).expect("nginx.conf");
        let conf = dir.join("nginx.conf");
        let check = std::process::Command::new(NGINX)
            .arg("-t")
            .arg("-p")
            .arg(dir)
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
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let nginx = Nginx {
            prefix: dir.to_owned(),
            conf,
            child,
        };
        wait_for_port(PROXY_LISTEN, self.https_port).await;
        Proxy {
            _nginx: nginx,
            public_url: self.public_url,
            http_url: format!("http://{PROXY_LISTEN}:{}", self.http_port),
            dir: self.dir,
        }
    }
}
