//! The containers operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get(
            "/api/admin/containers",
            "containers",
            "List agent containers, a page at a time",
        )
        .describe(
            "User and system containers: owner, state, image, uptime, last \
                activity, idle timeout, why and when they stopped. Status only: no \
                token, key or chat content. System containers come first (by name), \
                then user containers oldest first.",
        )
        .admin()
        .query("page", page_number(), None)
        .query("limit", page_size(), Some("Capped at 100."))
        .ok_page::<ContainerStatus>(200, "A page of containers.")
        .error(
            400,
            "page or limit not a whole number of at least 1, or an unknown query \
                parameter.",
        ),
        get("/api/admin/system-agents", "containers", "List the system agents")
            .admin()
            .ok_list::<SystemAgent>(200, "The system agents with their containers."),
        post("/api/admin/system-agents", "containers", "Add a system agent")
            .describe(
                "An always-on agent container with the admin-level providers; it is \
                started before the answer.",
            )
            .admin()
            .body::<SystemAgentSpec>()
            .ok::<SystemAgent>(201, "Added and running.")
            .error(400, "Malformed JSON, unknown fields or an invalid value.")
            .error(404, "No admin-level provider of that name.")
            .error(409, "A system agent of that name exists.")
            .error(413, "Body larger than 256 KiB.")
            .error(
                503,
                "Added, but its container did not start (it is retried); or Docker is \
                unreachable.",
            ),
        delete("/api/admin/system-agents/{name}", "containers", "Remove a system agent")
            .describe("Stops and removes its container and state volume.")
            .admin()
            .empty(204, "Removed.")
            .error(404, "No system agent of that name."),
    ]
}
