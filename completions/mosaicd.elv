
use builtin;
use str;

set edit:completion:arg-completer[mosaicd] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mosaicd'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mosaicd'= {
            cand --config 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format)'
            cand --data-dir 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]'
            cand --socket 'Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --listen 'HTTP API address [default: 127.0.0.1:4000]'
            cand --admin-group 'Group whose members may use the admin socket (the socket becomes mode 0660 for it)'
            cand --secret-key-file 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]'
            cand --log-format 'Log format'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
