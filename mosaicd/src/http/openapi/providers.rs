//! The providers operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/api/providers", "providers", "List your LLM providers")
            .signed_in()
            .ok_list::<Provider>(200, "Your providers (never their keys)."),
        post("/api/providers", "providers", "Add an LLM provider")
            .signed_in()
            .body::<NewProvider>()
            .ok::<Provider>(201, "Created.")
            .error(409, "You already have a provider with that name."),
        post(
            "/api/providers/test",
            "providers",
            "Test connection settings before saving",
        )
        .signed_in()
        .body::<ProviderDraft>()
        .ok::<ConnectionTest>(200, "The outcome (reachable with models and latency, or why not)."),
        get("/api/providers/{id}", "providers", "Show one of your providers")
            .signed_in()
            .ok::<Provider>(200, "The provider.")
            .error(
                404,
                "No such provider of yours (another user's provider answers the same).",
            ),
        patch("/api/providers/{id}", "providers", "Change one of your providers")
            .signed_in()
            .body::<ProviderPatch>()
            .ok::<Provider>(200, "The updated provider.")
            .error(404, "No such provider of yours.")
            .error(409, "Name taken."),
        delete("/api/providers/{id}", "providers", "Delete one of your providers")
            .signed_in()
            .empty(204, "Deleted.")
            .error(404, "No such provider of yours."),
        post("/api/providers/{id}/test", "providers", "Test one of your providers")
            .signed_in()
            .ok::<ConnectionTest>(
                200,
                "The outcome: GET {baseUrl}/models (/api/tags for apiType ollama) with \
                the stored key, within the egress policy and the timeout \
                (--provider-test-timeout, 10 s).",
            )
            .error(404, "No such provider of yours."),
    ]
}
