//! The admin operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/api/admin/oidc", "admin", "OIDC client settings")
            .admin()
            .ok::<OidcSettings>(200, "The settings; the client secret only as set/hint."),
        put("/api/admin/oidc", "admin", "Replace the OIDC client settings")
            .admin()
            .body::<OidcInput>()
            .ok::<OidcSettings>(200, "Saved; the secret is stored encrypted."),
        delete("/api/admin/oidc", "admin", "Remove the OIDC settings")
            .admin()
            .empty(204, "Removed: only password logins remain."),
        get("/api/admin/settings", "admin", "Runtime system settings")
            .admin()
            .ok::<SystemSettings>(200, "The settings."),
        patch("/api/admin/settings", "admin", "Change runtime system settings")
            .admin()
            .body::<SettingsPatch>()
            .ok::<SystemSettings>(200, "The updated settings."),
        get(
            "/api/admin/oidc/provisioning",
            "admin",
            "Who becomes an administrator at an OpenID Connect login",
        )
        .admin()
        .ok::<OidcProvisioning>(200, "The settings."),
        put(
            "/api/admin/oidc/provisioning",
            "admin",
            "Replace who becomes an administrator at an OpenID Connect login",
        )
        .describe("Checked at every OIDC login; it only ever promotes (demote in the users page).")
        .admin()
        .body::<OidcProvisioning>()
        .ok::<OidcProvisioning>(200, "Saved."),
    ]
}
