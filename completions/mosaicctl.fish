# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mosaicctl_global_optspecs
    string join \n socket= json timeout= h/help V/version
end

function __fish_mosaicctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mosaicctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mosaicctl_using_subcommand
    set -l cmd (__fish_mosaicctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -s V -l version -d 'Print version'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "status" -d 'Show the daemon\'s version, uptime, database, onboarding state and counts'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "admin" -d 'Breakglass accounts and the secret key'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "providers" -d 'LLM providers: the admin-level ones system agents use, or a user\'s with --user'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "users" -d 'Users: list, invite, show, update, deactivate, reactivate'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "agent-config" -d 'A user\'s agent: primary model, fallbacks, personality, default provider'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "config" -d 'System settings: WebUI origins, provider URL policy, OIDC'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "containers" -d 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "system-agents" -d 'Always-on system agents (admin-provisioned, using the admin-level providers)'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "onboard" -d 'First-boot onboarding: a guided wizard on a terminal, or an answers file for scripts'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "usage" -d 'Chat usage figures per user and day (never contents): requests, failures, cold starts, tokens as the agents reported them'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "setup-token" -d 'Issue a new setup token for the WebUI\'s onboarding (replaces the one in mosaicd\'s log)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "backup" -d 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key setup-token backup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l username -d 'Account name (prompted for on a terminal when absent)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l password-stdin -d 'Read the password from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l username -d 'Account name (prompted for on a terminal when absent)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l password-stdin -d 'Read the password from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l new-key-stdin -d 'Read the new age identity (AGE-SECRET-KEY-1...) from standard input; required when the key comes from MOSAIC_SECRET_KEY, otherwise mosaicd generates one and stores it in its key file'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from setup-token" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from setup-token" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from setup-token" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from setup-token" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -s o -l output -d 'Where to write the backup; refused if it exists (unless --force)' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -l force -d 'Replace FILE if it exists'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "setup-token" -d 'Issue a new setup token for the WebUI\'s onboarding (replaces the one in mosaicd\'s log)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "ls" -d 'List providers (admin-level ones by default, a user\'s with --user)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "add" -d 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "show" -d 'Show one provider and its models'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "update" -d 'Change a provider; what is not given keeps its value'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "rm" -d 'Delete a provider'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "test" -d 'Test the connection: ask the provider for its models with the stored key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and not __fish_seen_subcommand_from ls add show update rm test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from ls" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l type -d 'Provider type' -r -f -a "zai\t''
openai\t''
anthropic\t''
ollama\t''
custom\t''"
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l display-name -d 'Name shown to people [default: NAME]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l base-url -d 'Base URL of the provider\'s API, e.g. https://api.openai.com/v1 (required for ollama and custom)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l api-type -d 'API the provider speaks [default: anthropic-messages for anthropic, else openai-completions]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l model -d 'A model: ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image]. Repeat for each model; together they replace the provider\'s model list' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l models-file -d 'The models as a JSON array of {"id","name","contextWindow","maxTokens","reasoning","input"} objects, like the `models` field of `providers show --json`; - reads standard input' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l api-key-stdin -d 'Read the API key from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l no-api-key -d 'Save the provider without an API key (no prompt)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l inactive -d 'Save the provider as inactive'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from show" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from show" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l display-name -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l type -r -f -a "zai\t''
openai\t''
anthropic\t''
ollama\t''
custom\t''"
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l base-url -d 'New base URL; an empty value removes it' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l api-type -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l model -d 'A model: ID[,name=NAME][,context=TOKENS][,max-tokens=TOKENS][,reasoning][,input=text+image]. Repeat for each model; together they replace the provider\'s model list' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l models-file -d 'The models as a JSON array of {"id","name","contextWindow","maxTokens","reasoning","input"} objects, like the `models` field of `providers show --json`; - reads standard input' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l api-key-stdin -d 'Read a new API key from standard input (first line)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l replace-api-key -d 'Prompt (hidden) for a new API key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l clear-api-key -d 'Remove the stored API key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l active -d 'Mark the provider active'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l inactive -d 'Mark the provider inactive'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from rm" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from rm" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from rm" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from test" -l user -d 'Whose providers: a user id, email or breakglass username [default: the admin-level providers, used by system agents]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from test" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from test" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List providers (admin-level ones by default, a user\'s with --user)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one provider and its models'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a provider; what is not given keeps its value'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a provider'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "test" -d 'Test the connection: ask the provider for its models with the stored key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand providers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "ls" -d 'List users, one page at a time (or --all), oldest first'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "invite" -d 'Invite a user by email; prints the one-time invite link (shown only this once)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "show" -d 'Show one user'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "update" -d 'Change a user\'s name or role'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "deactivate" -d 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "reactivate" -d 'Let a deactivated user log in again'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and not __fish_seen_subcommand_from ls invite show update deactivate reactivate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l page -d 'Page number, from 1' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l limit -d 'Rows per page [default: 50, at most 100; 100 with --all]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l all -d 'Every page, one after the other, as one list'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -l name -d 'Display name [default: the part of EMAIL before @]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -l role -r -f -a "admin\t''
member\t''"
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from invite" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from show" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -l name -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -l role -r -f -a "admin\t''
member\t''"
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from deactivate" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from deactivate" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from deactivate" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from deactivate" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from reactivate" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from reactivate" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from reactivate" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from reactivate" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List users, one page at a time (or --all), oldest first'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "invite" -d 'Invite a user by email; prints the one-time invite link (shown only this once)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one user'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a user\'s name or role'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "deactivate" -d 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "reactivate" -d 'Let a deactivated user log in again'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -f -a "show" -d 'Show a user\'s agent config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -f -a "set" -d 'Change a user\'s agent config; what is not given keeps its value. A running agent container restarts with the new config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -f -a "render" -d 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and not __fish_seen_subcommand_from show set render help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from show" -l user -d 'Whose agent: a user id, email or breakglass username' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from show" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l user -d 'Whose agent: a user id, email or breakglass username' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l primary-model -d 'Primary model as PROVIDER/MODEL (e.g. my-openai/gpt-4o); an empty value removes it' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l fallbacks -d 'Fallback models, comma-separated, in order; an empty value removes them all' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l personality-file -d 'The personality (the agent\'s SOUL.md) from this file; - reads standard input' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l provider -d 'Default provider: the name or id of one of the user\'s providers; an empty value removes it' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l clear-personality -d 'Remove the personality'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from render" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from render" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from render" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from render" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a user\'s agent config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a user\'s agent config; what is not given keeps its value. A running agent container restarts with the new config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from help" -f -a "render" -d 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand agent-config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -f -a "ls" -d 'List the system settings, their values and what they do'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -f -a "get" -d 'Print one setting\'s value (a secret prints only whether it is set)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -f -a "set" -d 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -f -a "unset" -d 'Return settings to their defaults; `oidc` removes the whole OIDC client'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and not __fish_seen_subcommand_from ls get set unset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from get" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from get" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from set" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from set" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from set" -l value-stdin -d 'Read the secret setting\'s value from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from set" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the system settings, their values and what they do'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one setting\'s value (a secret prints only whether it is set)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Return settings to their defaults; `oidc` removes the whole OIDC client'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "ls" -d 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "doctor" -d 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap doctor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l page -d 'Page number, from 1' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l limit -d 'Rows per page [default: 50, at most 100; 100 with --all]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l all -d 'Every page, one after the other, as one list'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from doctor" -l image -d 'The image to check instead of the configured agent.image' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from doctor" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from doctor" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from doctor" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "doctor" -d 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -f -a "add" -d 'Add a system agent and start its container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -f -a "ls" -d 'List system agents and their containers'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -f -a "rm" -d 'Remove a system agent, its container and its state volume'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l role -d 'What the agent is for (e.g. operations, monitor, scheduler)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l model -d 'Primary model: provider/model, or a model of --provider' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l provider -d 'Admin-level provider used for a bare model name' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l personality-file -d 'Personality (SOUL.md) from this file' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a system agent and start its container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List system agents and their containers'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a system agent, its container and its state volume'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l answers -d 'Answer every step from this TOML file instead of prompting' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l no-complete -d 'Take the steps but do not complete onboarding (step 5)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l status -d 'Only show which steps are done, skipped or still to do'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand onboard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l user -d 'Only this user: a user id, an email or a breakglass username' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l from -d 'First day, YYYY-MM-DD (UTC) [default: 29 days before --to]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l to -d 'Last day, YYYY-MM-DD (UTC) [default: today]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l page -d 'Page number of the per-user rows, from 1' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l limit -d 'Users per page [default: 50, at most 100]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l timeout -d 'How long to wait for mosaicd to answer, not 0, e.g. 90s, 10m, 120 (a bare number is seconds) [default: 30s, or 5m for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "status" -d 'Show the daemon\'s version, uptime, database, onboarding state and counts'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "admin" -d 'Breakglass accounts and the secret key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "providers" -d 'LLM providers: the admin-level ones system agents use, or a user\'s with --user'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "users" -d 'Users: list, invite, show, update, deactivate, reactivate'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "agent-config" -d 'A user\'s agent: primary model, fallbacks, personality, default provider'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "config" -d 'System settings: WebUI origins, provider URL policy, OIDC'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "containers" -d 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "system-agents" -d 'Always-on system agents (admin-provisioned, using the admin-level providers)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "onboard" -d 'First-boot onboarding: a guided wizard on a terminal, or an answers file for scripts'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "usage" -d 'Chat usage figures per user and day (never contents): requests, failures, cold starts, tokens as the agents reported them'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin providers users agent-config config containers system-agents onboard usage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "setup-token" -d 'Issue a new setup token for the WebUI\'s onboarding (replaces the one in mosaicd\'s log)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "backup" -d 'Back up the database while mosaicd serves, into FILE (checked before it is reported)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "ls" -d 'List providers (admin-level ones by default, a user\'s with --user)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "add" -d 'Add a provider; the API key is prompted for (hidden) on a terminal, or read with --api-key-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "show" -d 'Show one provider and its models'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "update" -d 'Change a provider; what is not given keeps its value'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "rm" -d 'Delete a provider'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from providers" -f -a "test" -d 'Test the connection: ask the provider for its models with the stored key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "ls" -d 'List users, one page at a time (or --all), oldest first'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "invite" -d 'Invite a user by email; prints the one-time invite link (shown only this once)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "show" -d 'Show one user'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "update" -d 'Change a user\'s name or role'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "deactivate" -d 'Deactivate a user: ends their sessions, API tokens and open invites, stops their container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "reactivate" -d 'Let a deactivated user log in again'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from agent-config" -f -a "show" -d 'Show a user\'s agent config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from agent-config" -f -a "set" -d 'Change a user\'s agent config; what is not given keeps its value. A running agent container restarts with the new config'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from agent-config" -f -a "render" -d 'Print the openclaw.json and SOUL.md an agent would receive at its next start, API keys masked (--json: both in one document)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "ls" -d 'List the system settings, their values and what they do'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Print one setting\'s value (a secret prints only whether it is set)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set settings: `KEY VALUE`, or `KEY=VALUE ...` for several of one group at once. A secret is given by its KEY alone and read from a hidden prompt, or from stdin with --value-stdin'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Return settings to their defaults; `oidc` removes the whole OIDC client'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "ls" -d 'List the user and system containers, one page at a time (or --all): owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "doctor" -d 'Check an agent image step by step: the Docker engine, the image on the engine or in its registry, its OpenClaw version, and a trial start of a throwaway container (removed afterwards). Exit status 8 when a step fails'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "add" -d 'Add a system agent and start its container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "ls" -d 'List system agents and their containers'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "rm" -d 'Remove a system agent, its container and its state volume'
