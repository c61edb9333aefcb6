//! One module per command group. Each command connects, calls, and prints.

pub mod admin;
pub mod containers;
pub mod status;
pub mod system_agents;
