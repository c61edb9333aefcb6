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
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -s V -l version -d 'Print version'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "status" -d 'Show the daemon\'s version, uptime, database, onboarding state and counts'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "admin" -d 'Breakglass accounts and the secret key'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "containers" -d 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "system-agents" -d 'Always-on system agents (admin-provisioned, using the admin-level providers)'
complete -c mosaicctl -n "__fish_mosaicctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and not __fish_seen_subcommand_from create-breakglass reset-breakglass list-breakglass rotate-key help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l username -d 'Account name (prompted for on a terminal when absent)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l password-stdin -d 'Read the password from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from create-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l username -d 'Account name (prompted for on a terminal when absent)' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l password-stdin -d 'Read the password from standard input (first line) instead of prompting'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from reset-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from list-breakglass" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l new-key-stdin -d 'Read the new age identity (AGE-SECRET-KEY-1...) from standard input; required when the key comes from MOSAIC_SECRET_KEY, otherwise mosaicd generates one and stores it in its key file'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from rotate-key" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "ls" -d 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and not __fish_seen_subcommand_from ls inspect start stop restart reap help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from reap" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand containers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and not __fish_seen_subcommand_from add ls rm help" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
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
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l socket -d 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l timeout -d 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]' -r
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables and sentences'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a system agent and start its container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List system agents and their containers'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a system agent, its container and its state volume'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand system-agents; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin containers system-agents help" -f -a "status" -d 'Show the daemon\'s version, uptime, database, onboarding state and counts'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin containers system-agents help" -f -a "admin" -d 'Breakglass accounts and the secret key'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin containers system-agents help" -f -a "containers" -d 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin containers system-agents help" -f -a "system-agents" -d 'Always-on system agents (admin-provisioned, using the admin-level providers)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and not __fish_seen_subcommand_from status admin containers system-agents help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "create-breakglass" -d 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "reset-breakglass" -d 'Set a new password for a breakglass admin and end its sessions'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "list-breakglass" -d 'List breakglass admins'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "rotate-key" -d 'Re-encrypt every stored secret under a new key and report how many values moved'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "ls" -d 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "inspect" -d 'Show one container in detail, including what Docker says about it'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "start" -d 'Start a container (if it is not running) and wait until it is healthy'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "stop" -d 'Stop and remove a container; its state volume is kept'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "restart" -d 'Restart a container with a freshly generated config and token'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from containers" -f -a "reap" -d 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "add" -d 'Add a system agent and start its container'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "ls" -d 'List system agents and their containers'
complete -c mosaicctl -n "__fish_mosaicctl_using_subcommand help; and __fish_seen_subcommand_from system-agents" -f -a "rm" -d 'Remove a system agent, its container and its state volume'
