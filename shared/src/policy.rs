//! Input rules both sides apply: the CLI to tell a person at the prompt before anything is sent,
//! the daemon because it is the authority. One definition, so the two never disagree.

/// The minimum password length for local accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused so a single login cannot make argon2 hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The rule, as shown to a person choosing a password.
pub const PASSWORD_RULE: &str = "at least 12 characters, using at least two kinds of character \
(letters, digits, symbols or spaces), and not containing the username";

/// Checks a new password against the rule. The error says which part failed.
pub fn check_password(username: &str, password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("password too short ({chars} characters): {PASSWORD_RULE}"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("password too long: at most {MAX_PASSWORD_BYTES} bytes"));
    }
    let letters = password.chars().any(|c| c.is_alphabetic());
    let digits = password.chars().any(|c| c.is_numeric());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|k| **k).count() < 2 {
        return Err(format!("password too simple: {PASSWORD_RULE}"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(format!("password contains the username: {PASSWORD_RULE}"));
    }
    Ok(())
}

/// Breakglass and other local account names: short, printable, unambiguous in logs.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok_len = (1..=64).contains(&username.len());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let ok_start = username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err(format!(
            "invalid username {username:?}: 1 to 64 characters from a-z, A-Z, 0-9, '.', '_' and '-', starting with a letter or digit"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rule() {
        assert!(check_password("admin", "short1!").is_err());
        assert!(check_password("admin", "onlyletterslong").is_err());
        assert!(check_password("admin", "123456789012345").is_err());
        assert!(check_password("admin", "my-admin-password-1").is_err());
        assert!(check_password("admin", "correct horse battery").is_ok());
        assert!(check_password("admin", "tr0ub4dor&3xyz").is_ok());
        assert!(check_password("admin", &"a1".repeat(600)).is_err());
    }

    #[test]
    fn username_rule() {
        assert!(check_username("admin").is_ok());
        assert!(check_username("ops.admin-2").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("-x").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username(&"a".repeat(65)).is_err());
    }
}
