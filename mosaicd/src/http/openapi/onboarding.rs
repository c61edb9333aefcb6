//! The onboarding operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/api/onboarding/status", "onboarding", "Onboarding status")
            .describe(
                "Which onboarding steps are done. Without a token the answer (401, or \
                409 once complete) tells the WebUI whether to show onboarding at all.",
            )
            .setup()
            .ok::<OnboardingStatus>(200, "Which steps are done, skipped or pending."),
        post(
            "/api/onboarding/breakglass",
            "onboarding",
            "Step 1: the breakglass admin",
        )
        .describe(
            "Creates the breakglass admin, or sets a new password when the name \
            exists (so the step can be redone). Passwords: at least 12 characters \
            of at least two kinds, not containing the username.",
        )
        .setup()
        .body::<BreakglassRequest>()
        .ok::<OnboardingStatus>(200, "Saved; the new status."),
        post("/api/onboarding/oidc/check", "onboarding", "Step 2: check an issuer")
            .describe("Fetches and checks the issuer's discovery document and key set, as saving does.")
            .setup()
            .body::<IssuerRequest>()
            .ok::<OidcIssuerCheck>(200, "The issuer's discovery document and keys are usable.")
            .error(
                400,
                "Invalid issuer URL (invalid_input), or the issuer cannot be used \
                (oidc_discovery_failed, with what was tried and why).",
            ),
        put("/api/onboarding/oidc", "onboarding", "Step 2: OpenID Connect")
            .describe(
                "Checks the issuer's discovery document, then saves the client settings \
                (the secret encrypted). Replaces earlier settings; clears a skip.",
            )
            .setup()
            .body::<OidcInput>()
            .ok::<OnboardingStatus>(200, "Checked and saved; the new status.")
            .error(
                400,
                "Invalid settings (invalid_input), or the issuer cannot be used \
                (oidc_discovery_failed, with what was tried and why).",
            ),
        post("/api/onboarding/oidc/skip", "onboarding", "Step 2: skip OpenID Connect")
            .setup()
            .ok::<OnboardingStatus>(200, "Skipped; OIDC settings saved earlier are removed."),
        post(
            "/api/onboarding/provider/test",
            "onboarding",
            "Step 3: test provider settings",
        )
        .describe("The same test as POST /api/providers/test, under the same egress policy.")
        .setup()
        .body::<ProviderDraft>()
        .ok::<ConnectionTest>(200, "The outcome of the connection test."),
        put(
            "/api/onboarding/provider",
            "onboarding",
            "Step 3: the first LLM provider",
        )
        .describe(
            "Tests the connection with these settings and saves the provider only \
            if the test passes (a provider without a base URL, OpenClaw's built-in \
            endpoint, cannot be tested and is saved with that said). It is \
            admin-level (used by system agents) and becomes the default one. Run \
            again, it edits the same provider; an absent apiKey keeps the stored \
            key.",
        )
        .setup()
        .body::<NewProvider>()
        .ok::<ProviderSaved>(200, "Tested and saved as the default admin-level provider.")
        .error(
            400,
            "Invalid settings (invalid_input), or the connection test failed and \
            nothing was saved (provider_test_failed).",
        ),
        put("/api/onboarding/system-agents", "onboarding", "Step 4: system agents")
            .describe(
                "Adds the listed always-on system agents that do not exist yet and \
                starts their containers (which can take a while). Every new agent is \
                checked before the first is added, so an invalid entry writes nothing. \
                An agent already present by name is kept as it is, so the step can be \
                repeated after a container failed to start; none is removed here. \
                Without a provider, a bare model name belongs to the default \
                admin-level provider (the one step 3 saved).",
            )
            .setup()
            .body::<SystemAgentsInput>()
            .ok::<SystemAgentsSaved>(200, "Every listed agent, and which of them were added now.")
            .error(
                400,
                "Invalid agents (invalid_input): an empty or too long list, a name \
                listed twice, a bad name, role or model.",
            )
            .error(404, "A named provider is not an admin-level provider (not_found).")
            .error(413, "Body larger than 1 MiB.")
            .error(
                503,
                "Docker is unavailable, or an agent was added but its container did not \
                start (unavailable); repeat the step to retry.",
            ),
        post(
            "/api/onboarding/system-agents/skip",
            "onboarding",
            "Step 4: skip system agents",
        )
        .setup()
        .ok::<OnboardingStatus>(200, "Skipped."),
        post("/api/onboarding/complete", "onboarding", "Step 5: complete onboarding")
            .setup()
            .ok::<OnboardingStatus>(
                200,
                "Complete; the setup token is retired and these endpoints answer 409 \
                from now on.",
            )
            .error(
                409,
                "Already complete (onboarding_complete), or a step is still pending \
                (conflict, naming it).",
            ),
    ]
}
