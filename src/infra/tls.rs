//! The process's TLS crypto provider for rustls: ring.
//!
//! reqwest is built with `rustls-no-provider` (its default provider, aws-lc, is a C build of
//! minutes), and then panics on building a client unless a provider is installed. The S3
//! store installs it here; tests and benchmarks, which share that reqwest, call this too.

/// Makes ring the process's default rustls provider, unless one is installed already.
pub fn install_provider() {
    // `Err` only says a provider is installed already, which is all this wants.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
