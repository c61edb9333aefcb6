//! The test harness: runs the real `mosaicd` and `mosaicctl` binaries, a private PostgreSQL
//! server and (for container tests) the real Docker Engine, and cleans up after itself even when a
//! test fails. Used by the one integration-test binary and by the benchmark programs.

pub mod bench;
pub mod bins;
pub mod browser;
pub mod ci;
pub mod daemon;
pub mod data;
pub mod docker;
pub mod fake_provider;
pub mod http;
pub mod inprocess;
pub mod oidc;
pub mod postgres;
pub mod pty;
pub mod trial;

pub use daemon::{Daemon, DaemonOptions, Out};
pub use trial::trial;

/// Removes everything the shared fixtures created. Called once, when all tests have run.
pub fn teardown() {
    browser::teardown();
    browser::remove_temporary_screenshots();
    postgres::teardown();
    oidc::teardown();
    docker::teardown();
}
