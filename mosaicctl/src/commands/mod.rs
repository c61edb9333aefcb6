//! One module per command group. Each command connects, calls, and prints.

pub mod admin;
pub mod status;
