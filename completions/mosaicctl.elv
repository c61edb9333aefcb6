
use builtin;
use str;

set edit:completion:arg-completer[mosaicctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mosaicctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mosaicctl'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show the daemon''s version, uptime, database, onboarding state and counts'
            cand admin 'Breakglass accounts and the secret key'
            cand providers 'LLM providers: the admin-level ones system agents use, or a user''s with --user'
            cand users 'Users: list, invite, show, update, deactivate, reactivate'
            cand agent-config 'A user''s agent: primary model, fallbacks, personality, default provider'
            cand config 'System settings: WebUI origins, provider URL policy, OIDC'
            cand containers 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
            cand system-agents 'Always-on system agents (admin-provisioned, using the admin-level providers)'
            cand onboard 'First-boot onboarding: a guided wizard on a terminal, or an answers file for scripts'
            cand usage 'Chat usage figures per user and day (never contents): requests, failures, cold starts, tokens as the agents reported them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;status'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
            cand setup-token 'Issue a new setup token for the WebUI''s onboarding (replaces the one in mosaicd''s log)'
            cand backup 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;admin;create-breakglass'= {
            cand --username 'Account name (prompted for on a terminal when absent)'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --password-stdin 'Read the password from standard input (first line) instead of prompting'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;reset-breakglass'= {
            cand --username 'Account name (prompted for on a terminal when absent)'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --password-stdin 'Read the password from standard input (first line) instead of prompting'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;list-breakglass'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;rotate-key'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --new-key-stdin 'Read the new age identity (AGE-SECRET-KEY-1...) from standard input; required when the key comes from MOSAIC_SECRET_KEY, otherwise mosaicd generates one and stores it in its key file'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;setup-token'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;backup'= {
            cand -o 'Where to write the backup; refused if it exists (unless --force)'
            cand --output 'Where to write the backup; refused if it exists (unless --force)'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --force 'Replace FILE if it exists'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mosaicctl;admin;help'= {
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
            cand setup-token 'Issue a new setup token for the WebUI''s onboarding (replaces the one in mosaicd''s log)'
            cand backup 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;admin;help;create-breakglass'= {
        }
        &'mosaicctl;admin;help;reset-breakglass'= {
        }
        &'mosaicctl;admin;help;list-breakglass'= {
        }
        &'mosaicctl;admin;help;rotate-key'= {
        }
        &'mosaicctl;admin;help;setup-token'= {
        }
        &'mosaicctl;admin;help;backup'= {
        }
        &'mosaicctl;admin;help;help'= {
        }
        &'mosaicctl;providers'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List providers (admin-level ones by default, a user''s with --user)'
            cand add 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
            cand show 'Show one provider and its models'
            cand update 'Change a provider; what is not given keeps its value'
            cand rm 'Delete a provider'
            cand test 'Test the connection: ask the provider for its models with the stored key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;providers;ls'= {
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;add'= {
            cand --type 'Provider type'
            cand --display-name 'Name shown to people [default: NAME]'
            cand --base-url 'Base URL of the provider''s API, e.g. https://api.openai.com/v1 (required for ollama and custom)'
            cand --api-type 'API the provider speaks [default: anthropic-messages for anthropic, else openai-completions]'
            cand --model 'A model: ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image]. Repeat for each model; together they replace the provider''s model list'
            cand --models-file 'The models as a JSON array of {"id","name","contextWindow","maxTokens","reasoning","input"} objects, like the `models` field of `providers show --json`; - reads standard input'
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --api-key-stdin 'Read the API key from standard input (first line) instead of prompting'
            cand --no-api-key 'Save the provider without an API key (no prompt)'
            cand --inactive 'Save the provider as inactive'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;show'= {
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;update'= {
            cand --name 'New name'
            cand --display-name 'display-name'
            cand --type 'type'
            cand --base-url 'New base URL; an empty value removes it'
            cand --api-type 'api-type'
            cand --model 'A model: ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image]. Repeat for each model; together they replace the provider''s model list'
            cand --models-file 'The models as a JSON array of {"id","name","contextWindow","maxTokens","reasoning","input"} objects, like the `models` field of `providers show --json`; - reads standard input'
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --api-key-stdin 'Read a new API key from standard input (first line)'
            cand --replace-api-key 'Prompt (hidden) for a new API key'
            cand --clear-api-key 'Remove the stored API key'
            cand --active 'Mark the provider active'
            cand --inactive 'Mark the provider inactive'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;rm'= {
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;test'= {
            cand --user 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;providers;help'= {
            cand ls 'List providers (admin-level ones by default, a user''s with --user)'
            cand add 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
            cand show 'Show one provider and its models'
            cand update 'Change a provider; what is not given keeps its value'
            cand rm 'Delete a provider'
            cand test 'Test the connection: ask the provider for its models with the stored key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;providers;help;ls'= {
        }
        &'mosaicctl;providers;help;add'= {
        }
        &'mosaicctl;providers;help;show'= {
        }
        &'mosaicctl;providers;help;update'= {
        }
        &'mosaicctl;providers;help;rm'= {
        }
        &'mosaicctl;providers;help;test'= {
        }
        &'mosaicctl;providers;help;help'= {
        }
        &'mosaicctl;users'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List users, one page at a time (or --all), oldest first'
            cand invite 'Invite a user by email; prints the one-time invite link (shown only this once)'
            cand show 'Show one user'
            cand update 'Change a user''s name or role'
            cand deactivate 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
            cand reactivate 'Let a deactivated user log in again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;users;ls'= {
            cand --page 'Page number, from 1'
            cand --limit 'Rows per page [default: 50, at most 100; 100 with --all]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --all 'Every page, one after the other, as one list'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;invite'= {
            cand --name 'Display name [default: the part of EMAIL before @]'
            cand --role 'role'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;show'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;update'= {
            cand --name 'name'
            cand --role 'role'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;deactivate'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;reactivate'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;users;help'= {
            cand ls 'List users, one page at a time (or --all), oldest first'
            cand invite 'Invite a user by email; prints the one-time invite link (shown only this once)'
            cand show 'Show one user'
            cand update 'Change a user''s name or role'
            cand deactivate 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
            cand reactivate 'Let a deactivated user log in again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;users;help;ls'= {
        }
        &'mosaicctl;users;help;invite'= {
        }
        &'mosaicctl;users;help;show'= {
        }
        &'mosaicctl;users;help;update'= {
        }
        &'mosaicctl;users;help;deactivate'= {
        }
        &'mosaicctl;users;help;reactivate'= {
        }
        &'mosaicctl;users;help;help'= {
        }
        &'mosaicctl;agent-config'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Show a user''s agent config'
            cand set 'Change a user''s agent config; what is not given keeps its value. A running agent container restarts with the new config'
            cand render 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;agent-config;show'= {
            cand --user 'Whose agent: a user id, email or breakglass username'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;agent-config;set'= {
            cand --user 'Whose agent: a user id, email or breakglass username'
            cand --primary-model 'Primary model as PROVIDER/MODEL (e.g. my-openai/gpt-4o); an empty value removes it'
            cand --fallbacks 'Fallback models, comma-separated, in order; an empty value removes them all'
            cand --personality-file 'The personality (the agent''s SOUL.md) from this file; - reads standard input'
            cand --provider 'Default provider: the name or id of one of the user''s providers; an empty value removes it'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --clear-personality 'Remove the personality'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;agent-config;render'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;agent-config;help'= {
            cand show 'Show a user''s agent config'
            cand set 'Change a user''s agent config; what is not given keeps its value. A running agent container restarts with the new config'
            cand render 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;agent-config;help;show'= {
        }
        &'mosaicctl;agent-config;help;set'= {
        }
        &'mosaicctl;agent-config;help;render'= {
        }
        &'mosaicctl;agent-config;help;help'= {
        }
        &'mosaicctl;config'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List the system settings, their values and what they do'
            cand get 'Print one setting''s value (a secret prints only whether it is set)'
            cand set 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
            cand unset 'Return settings to their defaults; `oidc` removes the whole OIDC client'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;config;ls'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;config;get'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;config;set'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --value-stdin 'Read the secret setting''s value from standard input (first line) instead of prompting'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;config;unset'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;config;help'= {
            cand ls 'List the system settings, their values and what they do'
            cand get 'Print one setting''s value (a secret prints only whether it is set)'
            cand set 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
            cand unset 'Return settings to their defaults; `oidc` removes the whole OIDC client'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;config;help;ls'= {
        }
        &'mosaicctl;config;help;get'= {
        }
        &'mosaicctl;config;help;set'= {
        }
        &'mosaicctl;config;help;unset'= {
        }
        &'mosaicctl;config;help;help'= {
        }
        &'mosaicctl;containers'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
            cand doctor 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;containers;ls'= {
            cand --page 'Page number, from 1'
            cand --limit 'Rows per page [default: 50, at most 100; 100 with --all]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --all 'Every page, one after the other, as one list'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;inspect'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;start'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;stop'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;restart'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;reap'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;doctor'= {
            cand --image 'The image to check instead of the configured agent.image'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;help'= {
            cand ls 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
            cand doctor 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;containers;help;ls'= {
        }
        &'mosaicctl;containers;help;inspect'= {
        }
        &'mosaicctl;containers;help;start'= {
        }
        &'mosaicctl;containers;help;stop'= {
        }
        &'mosaicctl;containers;help;restart'= {
        }
        &'mosaicctl;containers;help;reap'= {
        }
        &'mosaicctl;containers;help;doctor'= {
        }
        &'mosaicctl;containers;help;help'= {
        }
        &'mosaicctl;system-agents'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a system agent and start its container'
            cand ls 'List system agents and their containers'
            cand rm 'Remove a system agent, its container and its state volume'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;system-agents;add'= {
            cand --role 'What the agent is for (e.g. operations, monitor, scheduler)'
            cand --model 'Primary model: provider/model, or a model of --provider'
            cand --provider 'Admin-level provider used for a bare model name'
            cand --personality-file 'Personality (SOUL.md) from this file'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;system-agents;ls'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;system-agents;rm'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;system-agents;help'= {
            cand add 'Add a system agent and start its container'
            cand ls 'List system agents and their containers'
            cand rm 'Remove a system agent, its container and its state volume'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;system-agents;help;add'= {
        }
        &'mosaicctl;system-agents;help;ls'= {
        }
        &'mosaicctl;system-agents;help;rm'= {
        }
        &'mosaicctl;system-agents;help;help'= {
        }
        &'mosaicctl;onboard'= {
            cand --answers 'Answer every step from this TOML file instead of prompting'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --no-complete 'Take the steps but do not complete onboarding (step 5)'
            cand --status 'Only show which steps are done, skipped or still to do'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mosaicctl;usage'= {
            cand --user 'Only this user: a user id, an email or a breakglass username'
            cand --from 'First day, YYYY-MM-DD (UTC) [default: 29 days before --to]'
            cand --to 'Last day, YYYY-MM-DD (UTC) [default: today]'
            cand --page 'Page number of the per-user rows, from 1'
            cand --limit 'Users per page [default: 50, at most 100]'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mosaicctl;help'= {
            cand status 'Show the daemon''s version, uptime, database, onboarding state and counts'
            cand admin 'Breakglass accounts and the secret key'
            cand providers 'LLM providers: the admin-level ones system agents use, or a user''s with --user'
            cand users 'Users: list, invite, show, update, deactivate, reactivate'
            cand agent-config 'A user''s agent: primary model, fallbacks, personality, default provider'
            cand config 'System settings: WebUI origins, provider URL policy, OIDC'
            cand containers 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
            cand system-agents 'Always-on system agents (admin-provisioned, using the admin-level providers)'
            cand onboard 'First-boot onboarding: a guided wizard on a terminal, or an answers file for scripts'
            cand usage 'Chat usage figures per user and day (never contents): requests, failures, cold starts, tokens as the agents reported them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;help;status'= {
        }
        &'mosaicctl;help;admin'= {
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
            cand setup-token 'Issue a new setup token for the WebUI''s onboarding (replaces the one in mosaicd''s log)'
            cand backup 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
        }
        &'mosaicctl;help;admin;create-breakglass'= {
        }
        &'mosaicctl;help;admin;reset-breakglass'= {
        }
        &'mosaicctl;help;admin;list-breakglass'= {
        }
        &'mosaicctl;help;admin;rotate-key'= {
        }
        &'mosaicctl;help;admin;setup-token'= {
        }
        &'mosaicctl;help;admin;backup'= {
        }
        &'mosaicctl;help;providers'= {
            cand ls 'List providers (admin-level ones by default, a user''s with --user)'
            cand add 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
            cand show 'Show one provider and its models'
            cand update 'Change a provider; what is not given keeps its value'
            cand rm 'Delete a provider'
            cand test 'Test the connection: ask the provider for its models with the stored key'
        }
        &'mosaicctl;help;providers;ls'= {
        }
        &'mosaicctl;help;providers;add'= {
        }
        &'mosaicctl;help;providers;show'= {
        }
        &'mosaicctl;help;providers;update'= {
        }
        &'mosaicctl;help;providers;rm'= {
        }
        &'mosaicctl;help;providers;test'= {
        }
        &'mosaicctl;help;users'= {
            cand ls 'List users, one page at a time (or --all), oldest first'
            cand invite 'Invite a user by email; prints the one-time invite link (shown only this once)'
            cand show 'Show one user'
            cand update 'Change a user''s name or role'
            cand deactivate 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
            cand reactivate 'Let a deactivated user log in again'
        }
        &'mosaicctl;help;users;ls'= {
        }
        &'mosaicctl;help;users;invite'= {
        }
        &'mosaicctl;help;users;show'= {
        }
        &'mosaicctl;help;users;update'= {
        }
        &'mosaicctl;help;users;deactivate'= {
        }
        &'mosaicctl;help;users;reactivate'= {
        }
        &'mosaicctl;help;agent-config'= {
            cand show 'Show a user''s agent config'
            cand set 'Change a user''s agent config; what is not given keeps its value. A running agent container restarts with the new config'
            cand render 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
        }
        &'mosaicctl;help;agent-config;show'= {
        }
        &'mosaicctl;help;agent-config;set'= {
        }
        &'mosaicctl;help;agent-config;render'= {
        }
        &'mosaicctl;help;config'= {
            cand ls 'List the system settings, their values and what they do'
            cand get 'Print one setting''s value (a secret prints only whether it is set)'
            cand set 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
            cand unset 'Return settings to their defaults; `oidc` removes the whole OIDC client'
        }
        &'mosaicctl;help;config;ls'= {
        }
        &'mosaicctl;help;config;get'= {
        }
        &'mosaicctl;help;config;set'= {
        }
        &'mosaicctl;help;config;unset'= {
        }
        &'mosaicctl;help;containers'= {
            cand ls 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
            cand doctor 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
        }
        &'mosaicctl;help;containers;ls'= {
        }
        &'mosaicctl;help;containers;inspect'= {
        }
        &'mosaicctl;help;containers;start'= {
        }
        &'mosaicctl;help;containers;stop'= {
        }
        &'mosaicctl;help;containers;restart'= {
        }
        &'mosaicctl;help;containers;reap'= {
        }
        &'mosaicctl;help;containers;doctor'= {
        }
        &'mosaicctl;help;system-agents'= {
            cand add 'Add a system agent and start its container'
            cand ls 'List system agents and their containers'
            cand rm 'Remove a system agent, its container and its state volume'
        }
        &'mosaicctl;help;system-agents;add'= {
        }
        &'mosaicctl;help;system-agents;ls'= {
        }
        &'mosaicctl;help;system-agents;rm'= {
        }
        &'mosaicctl;help;onboard'= {
        }
        &'mosaicctl;help;usage'= {
        }
        &'mosaicctl;help;help'= {
        }
    ]
    $completions[$command]
}
