//! huntkit's stand-in for the Defender portal (security.microsoft.com):
//! sign-in, XSRF, the Advanced Hunting API with its limits and failures, a
//! deterministic synthetic tenant, and a control API for tests.

pub mod config;
pub mod envelope;
pub mod faults;
pub mod hash;
pub mod http;
pub mod kql;
pub mod log;
pub mod model;
pub mod quota;
pub mod routes;
pub mod server;
pub mod session;
pub mod state;
pub mod tenant;
pub mod time;
pub mod tls;
