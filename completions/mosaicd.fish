complete -c mosaicd -l config -d 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format)' -r -F
complete -c mosaicd -l data-dir -d 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]' -r -F
complete -c mosaicd -l socket -d 'Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicd -l listen -d 'HTTP API address [default: 127.0.0.1:4000]' -r
complete -c mosaicd -l admin-group -d 'Group whose members may use the admin socket (the socket becomes mode 0660 for it)' -r
complete -c mosaicd -l secret-key-file -d 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]' -r -F
complete -c mosaicd -l log-format -d 'Log format' -r -f -a "text\t''
json\t''"
complete -c mosaicd -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicd -s V -l version -d 'Print version'
