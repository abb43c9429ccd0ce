//! Anjoman: a self-hosted community chat server. `main.rs` only parses the command line;
//! everything else lives here so the integration tests can start the real server.

pub mod actions;
pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod fanout;
pub mod faults;
pub mod http;
pub mod i18n;
pub mod infra;
pub mod limits;
pub mod mailing;
pub mod metrics;
pub mod publisher;
pub mod pushing;
pub mod render;
pub mod secrets;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod ws;
