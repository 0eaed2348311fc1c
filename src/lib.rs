//! huntkit's core: the portal client, the lossless result model, exports,
//! schema diffs and the bulk engine. Everything here builds and tests
//! natively; browser services sit behind the traits in [`platform`] and the
//! wasm bindings live in `wasm` (compiled for wasm32 only).

pub mod bulk;
pub mod client;
pub mod export;
pub mod history;
pub mod impact;
pub mod kql;
pub mod platform;
pub mod portal;
pub mod result;
pub mod runner;
pub mod schema;

#[cfg(all(target_arch = "wasm32", feature = "engine"))]
pub mod wasm;
