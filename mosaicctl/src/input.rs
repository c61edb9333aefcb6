//! Getting secrets and answers from a person or a script: a hidden prompt on a terminal, stdin
//! otherwise. Secrets are never taken as plain flag values (they would show in `ps` and shell history).

use std::io::{IsTerminal, Read};

use mosaic_shared::Sensitive;

use crate::error::{CliError, CliResult};

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The first line of standard input, without its line ending. Empty input is an error.
pub fn read_stdin_line(what: &str) -> CliResult<Sensitive> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::invalid(format!("cannot read {what} from stdin: {e}")))?;
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        return Err(CliError::invalid(format!("no {what} on stdin")));
    }
    Ok(Sensitive::new(line))
}

/// A new password: from stdin when asked to, else prompted twice on the terminal and checked
/// against the password rule before it is sent.
pub fn new_password(username: &str, from_stdin: bool) -> CliResult<Sensitive> {
    if from_stdin {
        return read_stdin_line("password");
    }
    if !stdin_is_terminal() {
        return Err(CliError::invalid(
            "no terminal to prompt for the password: pass --password-stdin and write the password to stdin",
        ));
    }
    let user = username.to_string();
    eprintln!("Password rule: {}", mosaic_shared::policy::PASSWORD_RULE);
    dialoguer::Password::new()
        .with_prompt("Password")
        .with_confirmation("Repeat password", "The passwords do not match; try again")
        .validate_with(move |p: &String| mosaic_shared::policy::check_password(&user, p))
        .interact()
        .map(Sensitive::new)
        .map_err(prompt_error)
}

/// A value prompted for on the terminal, or an error naming the flag that provides it.
pub fn required(value: Option<String>, flag: &str, prompt: &str, default: Option<&str>) -> CliResult<String> {
    if let Some(value) = value {
        return Ok(value);
    }
    if !stdin_is_terminal() {
        return Err(CliError::invalid(format!("{flag} is required when not on a terminal")));
    }
    let mut input = dialoguer::Input::<String>::new().with_prompt(prompt);
    if let Some(default) = default {
        input = input.default(default.to_string());
    }
    input.interact_text().map_err(prompt_error)
}

pub fn prompt_error(e: dialoguer::Error) -> CliError {
    CliError::new(1, format!("prompt failed: {e}"))
}
