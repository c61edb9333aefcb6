//! The users operations.

use mosaic_shared::types::*;

use super::op::*;

pub fn operations() -> Vec<Op> {
    vec![
        get("/api/admin/users", "users", "List users, a page at a time")
            .admin()
            .query("page", page_number(), None)
            .query("limit", page_size(), Some("Capped at 100."))
            .query(
                "includeDeactivated",
                flag(true),
                Some("false leaves deactivated users out of the list and its counts."),
            )
            .ok_page::<AdminUser>(200, "A page of users, oldest first.")
            .error(
                400,
                "page or limit not a whole number of at least 1, includeDeactivated \
                neither true nor false, or an unknown query parameter.",
            ),
        post("/api/admin/users/invite", "users", "Invite a user by email")
            .describe(
                "Creates the account without a password and a one-time link (valid for \
                --invite-ttl, 7 days by default). Inviting a pending invitee again \
                replaces their link.",
            )
            .admin()
            .body::<InviteRequest>()
            .ok::<Invitation>(201, "The invite; its token and link are shown this once.")
            .error(
                409,
                "A user with that email exists (or is deactivated: reactivate instead).",
            ),
        get("/api/admin/users/{id}", "users", "Show a user")
            .admin()
            .ok::<AdminUser>(200, "The user.")
            .error(404, "No such user."),
        patch("/api/admin/users/{id}", "users", "Change a user's name or role")
            .admin()
            .body::<UserPatch>()
            .ok::<AdminUser>(200, "The updated user.")
            .error(404, "No such user.")
            .error(409, "Changing your own role, or a breakglass account's role."),
        post("/api/admin/users/{id}/deactivate", "users", "Deactivate a user")
            .admin()
            .ok::<AdminUser>(
                200,
                "Deactivated: their sessions, API tokens and open invites have ended.",
            )
            .error(404, "No such user.")
            .error(409, "You cannot deactivate your own account."),
        post("/api/admin/users/{id}/reactivate", "users", "Reactivate a user")
            .admin()
            .ok::<AdminUser>(200, "Active again (old sessions and tokens stay ended).")
            .error(404, "No such user."),
    ]
}
