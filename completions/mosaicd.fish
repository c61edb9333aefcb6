complete -c mosaicd -l config -d 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format, webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site, provider_test_timeout, public_url, oidc_clock_skew, setup_token_ttl)' -r -F
complete -c mosaicd -l data-dir -d 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]' -r -F
complete -c mosaicd -l socket -d 'Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicd -l listen -d 'HTTP API address [default: 127.0.0.1:4000]' -r
complete -c mosaicd -l admin-group -d 'Group whose members may use the admin socket (the socket becomes mode 0660 for it)' -r
complete -c mosaicd -l secret-key-file -d 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]' -r -F
complete -c mosaicd -l log-format -d 'Log format' -r -f -a "text\t''
json\t''"
complete -c mosaicd -l webui-origin -d 'Origin of the WebUI (scheme://host[:port]) that may call the API from a browser with credentials (CORS); repeat the flag or separate with commas. Admins can add more at runtime (system setting webuiOrigins)' -r
complete -c mosaicd -l session-ttl -d 'Lifetime of a browser session in seconds, however active [default: 604800, 7 days]' -r
complete -c mosaicd -l session-idle-timeout -d 'A browser session unused for this many seconds ends [default: 43200, 12 hours]' -r
complete -c mosaicd -l invite-ttl -d 'How long an invite link stays valid, in seconds [default: 604800, 7 days]' -r
complete -c mosaicd -l cookie-same-site -d 'SameSite attribute of the session cookie; `none` (WebUI on another site) needs Secure [default: lax]' -r -f -a "strict\t''
lax\t''
none\t''"
complete -c mosaicd -l provider-test-timeout -d 'How long a provider connection test waits for the provider, in seconds [default: 10]' -r
complete -c mosaicd -l public-url -d 'The URL browsers and the identity provider reach this API at (scheme://host[:port]); the OpenID Connect redirect URI is PUBLIC_URL/api/auth/oidc/callback [default: http:// and the listen address, localhost for an unspecified address]' -r
complete -c mosaicd -l oidc-clock-skew -d 'Seconds an OpenID Connect ID token may be past its expiry, for clocks that disagree [default: 60]' -r
complete -c mosaicd -l setup-token-ttl -d 'How long the setup token for the WebUI\'s onboarding endpoints stays valid, in seconds [default: 86400, 24 hours]' -r
complete -c mosaicd -l insecure-cookies -d 'Send the session cookie without the Secure attribute. Only for a deployment reached over plain HTTP on a host other than localhost; browsers keep Secure cookies for localhost'
complete -c mosaicd -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicd -s V -l version -d 'Print version'
