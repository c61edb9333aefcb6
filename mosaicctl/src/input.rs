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

/// A secret for `what`: from stdin when `from_stdin`, else typed at a hidden prompt. Without a
/// terminal the error names `stdin_flag` (and `alternative`, a flag that makes the secret
/// unnecessary, when there is one). With `optional`, an empty answer at the prompt means none.
pub fn secret(
    what: &str,
    from_stdin: bool,
    stdin_flag: &str,
    alternative: Option<&str>,
    optional: bool,
) -> CliResult<Option<Sensitive>> {
    if from_stdin {
        return read_stdin_line(what).map(Some);
    }
    if !stdin_is_terminal() {
        let or = alternative.map(|a| format!(", or {a}")).unwrap_or_default();
        return Err(CliError::invalid(format!(
            "no terminal to prompt for the {what}: pass {stdin_flag} and write it to stdin{or}"
        )));
    }
    let prompt = if optional {
        format!("{} (input hidden; empty for none)", capitalized(what))
    } else {
        format!("{} (input hidden)", capitalized(what))
    };
    hidden(&prompt, optional)
}

/// A hidden prompt on the terminal; with `optional`, an empty answer means none.
pub fn hidden(prompt: &str, optional: bool) -> CliResult<Option<Sensitive>> {
    let value = dialoguer::Password::new()
        .with_prompt(prompt)
        .allow_empty_password(optional)
        .interact()
        .map_err(prompt_error)?;
    Ok((!value.is_empty()).then(|| Sensitive::new(value)))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The whole text of a file, or of standard input for `-`.
pub fn read_text(path: &std::path::Path, what: &str) -> CliResult<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::invalid(format!("cannot read {what} from stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| CliError::invalid(format!("cannot read {what} from {}: {e}", path.display())))
}
