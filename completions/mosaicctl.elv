
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
            cand setup-token 'Issue a new setup token for the WebUI''s onboarding (replaces the one in mosaicd''s log)'
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
        &'mosaicctl;admin;setup-token'= {
            cand --socket 'Admin socket of mosaicd [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --timeout 'Seconds to wait for mosaicd to answer [default: 30, or 300 for slow operations]'
            cand --json 'Print machine-readable JSON instead of tables and sentences'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mosaicctl;admin;help'= {
            cand create-breakglass 'Create a breakglass admin (prompts for the password, or reads it with --password-stdin)'
            cand reset-breakglass 'Set a new password for a breakglass admin and end its sessions'
            cand list-breakglass 'List breakglass admins'
            cand rotate-key 'Re-encrypt every stored secret under a new key and report how many values moved'
            cand setup-token 'Issue a new setup token for the WebUI''s onboarding (replaces the one in mosaicd''s log)'
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
        &'mosaicctl;admin;help;help'= {
        }
        &'mosaicctl;help'= {
            cand status 'Show the daemon''s version, uptime, database, onboarding state and counts'
            cand admin 'Breakglass accounts and the secret key'
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
        &'mosaicctl;help;help'= {
        }
    ]
    $completions[$command]
}
