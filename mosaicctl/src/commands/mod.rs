//! One module per command group. Each command connects, calls, and prints.

pub mod admin;
pub mod agent_config;
pub mod backup;
pub mod config;
pub mod containers;
pub mod onboard;
pub mod paging;
pub mod providers;
pub mod status;
pub mod system_agents;
pub mod usage;
pub mod users;
