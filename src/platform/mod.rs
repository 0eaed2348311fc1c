//! The browser services the core depends on, as small traits.
//!
//! The core never touches web-sys: it asks a [`Transport`] to carry a request
//! to the portal, a [`Clock`] for the time, writes exports into a
//! [`DownloadSink`] and keeps its own data in a [`Storage`]. Each trait has
//! an in-memory implementation here for native tests, and a browser
//! implementation in `crate::wasm`.
//!
//! The futures are not `Send`: in the browser everything runs on one thread,
//! and natively the tests drive them with a single-threaded executor.

mod clock;
mod download;
mod storage;
mod transport;

pub use clock::{Clock, ManualClock};
pub use download::DownloadSink;
pub use storage::{MemoryStorage, Storage, StorageError};
pub use transport::{HttpRequest, Method, ScriptedTransport, Transport, TransportError};
