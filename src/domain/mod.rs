//! Business rules, free of HTTP types: the REST handlers, the WebSocket hub and the CLI
//! all call these.

pub mod password;
pub mod username;
pub mod users;
