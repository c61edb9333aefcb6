//! The agent operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/api/agent-config", "agent", "Your agent configuration")
            .signed_in()
            .ok::<AgentConfig>(200, "The configuration (empty until first saved)."),
        put("/api/agent-config", "agent", "Replace your agent configuration")
            .signed_in()
            .body::<AgentConfigInput>()
            .ok::<AgentConfig>(200, "Saved.")
            .error(404, "providerId is not one of your providers."),
    ]
}
