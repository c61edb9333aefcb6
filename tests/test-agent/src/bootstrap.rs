//! OpenClaw's first-run workspace files: at gateway start, unless
//! `agents.defaults.skipBootstrap` is true, every template file the
//! workspace lacks is written from `docs/reference/templates`, and existing
//! files are never overwritten. So a `SOUL.md` the entrypoint wrote survives,
//! and one it removed comes back as the template.
//!
//! OpenClaw: src/agents/workspace.ts, ensureAgentWorkspace / writeFileIfMissing.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The files written on every start, with a stand-in for each template: the
/// real template's first line (front matter stripped), then a paraphrase.
// OpenClaw: docs/reference/templates/{AGENTS,SOUL,TOOLS,IDENTITY,USER,HEARTBEAT}.md.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "AGENTS.md",
        "# AGENTS.md - Your Workspace\n\nThis folder is home: how to start a session, keep memory and stay safe.\n",
    ),
    (
        "SOUL.md",
        "# SOUL.md - Who You Are\n\nYou are not a chatbot: be genuinely helpful, have opinions, earn trust.\n",
    ),
    (
        "TOOLS.md",
        "# TOOLS.md - Local Notes\n\nSkills say how tools work; this file holds the specifics of this setup.\n",
    ),
    (
        "IDENTITY.md",
        "# IDENTITY.md - Who Am I?\n\nFill in name, creature, vibe and emoji during the first conversation.\n",
    ),
    (
        "USER.md",
        "# USER.md - About Your Human\n\nLearn about the person you are helping and update this as you go.\n",
    ),
    (
        "HEARTBEAT.md",
        "# HEARTBEAT.md Template\n\nKeep this file empty (or with only comments) to skip heartbeat API calls.\n",
    ),
];

/// Written only into a brand-new workspace: one without any of the above.
// OpenClaw: docs/reference/templates/BOOTSTRAP.md.
const BOOTSTRAP: (&str, &str) = (
    "BOOTSTRAP.md",
    "# BOOTSTRAP.md - Hello, World\n\nYou just woke up: find out who you are with your human, then delete this file.\n",
);

/// Creates the missing template files in `dir` (which exists). OpenClaw
/// also runs `git init` in a brand-new workspace; the double has no git.
pub fn ensure_workspace_files(dir: &Path) -> io::Result<()> {
    let brand_new = TEMPLATES.iter().all(|(name, _)| !dir.join(name).exists());
    for (name, content) in TEMPLATES {
        write_if_missing(&dir.join(name), content)?;
    }
    if brand_new {
        write_if_missing(&dir.join(BOOTSTRAP.0), BOOTSTRAP.1)?;
    }
    Ok(())
}

/// `fs.writeFile(path, content, {flag: "wx"})`, ignoring `EEXIST`.
fn write_if_missing(path: &Path, content: &str) -> io::Result<()> {
    let created = OpenOptions::new().write(true).create_new(true).mode(0o644).open(path);
    match created {
        Ok(mut file) => file.write_all(content.as_bytes()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("test-agent-bootstrap-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn first_line(path: &Path) -> String {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_new_workspace_gets_every_template_and_bootstrap() {
        let dir = temp_dir("new");
        ensure_workspace_files(&dir).unwrap();
        for name in [
            "AGENTS.md",
            "SOUL.md",
            "TOOLS.md",
            "IDENTITY.md",
            "USER.md",
            "HEARTBEAT.md",
        ] {
            assert!(first_line(&dir.join(name)).starts_with(&format!("# {name}")), "{name}");
        }
        assert_eq!(first_line(&dir.join("BOOTSTRAP.md")), "# BOOTSTRAP.md - Hello, World");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn existing_files_are_kept_and_bootstrap_needs_a_new_workspace() {
        let dir = temp_dir("existing");
        fs::write(dir.join("SOUL.md"), "# Mosaic personality\n").unwrap();
        ensure_workspace_files(&dir).unwrap();
        assert_eq!(first_line(&dir.join("SOUL.md")), "# Mosaic personality");
        assert_eq!(first_line(&dir.join("USER.md")), "# USER.md - About Your Human");
        assert!(!dir.join("BOOTSTRAP.md").exists());

        // A later start writes back only what was deleted, and never BOOTSTRAP.md.
        fs::remove_file(dir.join("SOUL.md")).unwrap();
        ensure_workspace_files(&dir).unwrap();
        assert_eq!(first_line(&dir.join("SOUL.md")), "# SOUL.md - Who You Are");
        assert!(!dir.join("BOOTSTRAP.md").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
