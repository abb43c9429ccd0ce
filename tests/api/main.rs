//! Integration tests: the real server on a random port, real HTTP, SQLite and PostgreSQL.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed expectation is a failed test"
)]

mod binary;
mod chromium;
mod client;
mod helpers;
mod moto;
mod nginx;
mod python;

mod admin;
mod architecture;
mod asyncapi;
mod auth;
mod authorization;
mod batching;
mod browser;
mod cli;
mod cluster;
mod connections;
mod cors;
mod dashboard;
mod deploy;
mod drafts;
mod emoji;
mod errors;
mod faults;
mod file_stores;
mod files;
mod forwarding;
mod fuzz;
mod health;
mod images;
mod mail;
mod markup;
mod middleware;
mod moderation;
mod notifications;
mod pages;
mod pins;
mod polls;
mod previews;
mod push;
mod registration;
mod rooms;
mod search;
mod secrets;
mod socket_rights;
mod spec;
mod static_assets;
mod threads;
mod users;
mod ws;
mod ws_client;
