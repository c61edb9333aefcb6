
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
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show the daemon''s version, uptime, database, onboarding state and counts'
            cand admin 'Breakglass accounts and the secret key'
            cand containers 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
            cand system-agents 'Always-on system agents (admin-provisioned, using the admin-level providers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;status'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;admin;create-breakglass'= {
            cand --username 'Account name (prompted for on a terminal when absent)'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --password-stdin 'Read the password from standard input (first line) instead of prompting'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;reset-breakglass'= {
            cand --username 'Account name (prompted for on a terminal when absent)'
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --password-stdin 'Read the password from standard input (first line) instead of prompting'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;list-breakglass'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;rotate-key'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --new-key-stdin 'Read the new age identity (AGE-SECRET-KEY-1...) from standard input; required when the key comes from MOSAIC_SECRET_KEY, otherwise mosaicd generates one and stores it in its key file'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;help'= {
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
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
        &'mosaicctl;admin;help;help'= {
        }
        &'mosaicctl;containers'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
            cand ls 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;containers;ls'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;inspect'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;start'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;stop'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;restart'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;reap'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;containers;help'= {
            cand ls 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
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
        &'mosaicctl;containers;help;help'= {
        }
        &'mosaicctl;system-agents'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
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
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;system-agents;ls'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;system-agents;rm'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
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
        &'mosaicctl;help'= {
            cand status 'Show the daemon''s version, uptime, database, onboarding state and counts'
            cand admin 'Breakglass accounts and the secret key'
            cand containers 'Agent containers: list, inspect, start, stop, restart, reap idle ones'
            cand system-agents 'Always-on system agents (admin-provisioned, using the admin-level providers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicctl;help;status'= {
        }
        &'mosaicctl;help;admin'= {
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
        }
        &'mosaicctl;help;admin;create-breakglass'= {
        }
        &'mosaicctl;help;admin;reset-breakglass'= {
        }
        &'mosaicctl;help;admin;list-breakglass'= {
        }
        &'mosaicctl;help;admin;rotate-key'= {
        }
        &'mosaicctl;help;containers'= {
            cand ls 'List every user and system container: owner, state, image, uptime, last activity, idle timeout, and why and when stopped ones stopped'
            cand inspect 'Show one container in detail, including what Docker says about it'
            cand start 'Start a container (if it is not running) and wait until it is healthy'
            cand stop 'Stop and remove a container; its state volume is kept'
            cand restart 'Restart a container with a freshly generated config and token'
            cand reap 'Stop every user container idle longer than its idle timeout, now (one reaper pass)'
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
        &'mosaicctl;help;help'= {
        }
    ]
    $completions[$command]
}
