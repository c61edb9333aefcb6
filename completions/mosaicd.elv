
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
            cand --config 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format, webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site, provider_test_timeout, chat_heartbeat_interval, docker_host, runtime, instance, docker_labels, agent_api_url, internal_listen, host_firewall, reaper_interval, reconcile_interval, usage_flush_interval, public_url, oidc_clock_skew, setup_token_ttl, auth_throttle_burst, auth_throttle_delay). Durations are written as on the command line ("30s", "7days") or as a number of seconds'
            cand --data-dir 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]'
            cand --socket 'Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]'
            cand --listen 'HTTP API address [default: 127.0.0.1:4000]'
            cand --admin-group 'Group whose members may use the admin socket (the socket becomes mode 0660 for it)'
            cand --secret-key-file 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]'
            cand --log-format 'Log format'
            cand --webui-origin 'Origin of the WebUI (scheme://host[:port]) that may call the API from a browser with credentials (CORS); repeat the flag or separate with commas. Admins can add more at runtime (system setting webuiOrigins)'
            cand --session-ttl 'Lifetime of a browser session however active, at least 1s, e.g. 7days, 12h, 3600 (a bare number is seconds) [default: 7days]'
            cand --session-idle-timeout 'A browser session unused this long ends, at least 1s, e.g. 12h, 30m [default: 12h]'
            cand --invite-ttl 'How long an invite link stays valid, at least 1s, e.g. 7days, 48h [default: 7days]'
            cand --cookie-same-site 'SameSite attribute of the session cookie; `none` (WebUI on another site) needs Secure [default: lax]'
            cand --provider-test-timeout 'How long a provider connection test waits for the provider, at least 1s, e.g. 10s, 1m [default: 10s]'
            cand --public-url 'The URL browsers and the identity provider reach this API at (scheme://host[:port]); the OpenID Connect redirect URI is PUBLIC_URL/api/auth/oidc/callback [default: http:// and the listen address, localhost for an unspecified address]'
            cand --oidc-clock-skew 'How long an OpenID Connect ID token may be past its expiry, for clocks that disagree; 0 allows none, e.g. 60s, 2m [default: 60s]'
            cand --setup-token-ttl 'How long the setup token for the WebUI''s onboarding endpoints stays valid, at least 1s, e.g. 24h, 30m [default: 24h]'
            cand --chat-heartbeat-interval 'How often a streaming chat client gets an SSE comment (`: …`) while its agent container starts, not 0, e.g. 5s, 500ms [default: 5s]'
            cand --docker-host 'Docker Engine API address: unix://PATH or tcp://HOST:PORT [default: unix:///var/run/docker.sock]'
            cand --runtime 'What runs the agents: `docker` (containers on the one engine) or `swarm` (services on a Docker Swarm; mosaicd then runs in a container on a manager node) [default: docker]'
            cand --instance 'This daemon''s name on the Docker engine: every container, volume and network it creates is labelled with it, and it touches no other (lower-case letters, digits, dashes) [default: generated at first start and kept in the database]'
            cand --docker-label 'An extra label for every Docker object this daemon creates; repeatable (the environment variable takes a comma-separated list)'
            cand --agent-api-url 'URL agent containers use to reach mosaicd''s internal config endpoint; its origin is also their egress proxy (HTTP_PROXY, HTTPS_PROXY) [default: http://INTERNAL_LISTEN]'
            cand --internal-listen 'Address of the internal config endpoint and the agents'' egress proxy, which only agent containers use [default: the agent network''s gateway address, port 4001]'
            cand --host-firewall 'Install the host firewall rules that let agent containers reach only the internal listener among this host''s own services (needs the iptables command and CAP_NET_ADMIN); `off` only where the operator installs equivalent rules [default: on]'
            cand --reaper-interval 'How often the reaper looks for idle containers, not 0, e.g. 30s, 500ms, 2m [default: 60s]'
            cand --reconcile-interval 'How often containers are reconciled with Docker and system agents restarted if they died, not 0, e.g. 30s, 5m [default: 30s]'
            cand --usage-flush-interval 'How often chat usage figures are written to the database; a crash loses at most this interval''s figures; not 0, e.g. 5s, 1m [default: 5s]'
            cand --auth-throttle-burst 'Failed logins (and invite or setup token attempts) one client may make for one account at once before it must wait; an address gets twice as many over all accounts, an account four times as many over all addresses (1 to 10000) [default: 5]'
            cand --auth-throttle-delay 'After the burst, one more failure per this delay (twice the delay for an address over all accounts); the answer is 429 with Retry-After meanwhile; not 0, e.g. 1s, 200ms [default: 1s]'
            cand --insecure-cookies 'Send the session cookie without the Secure attribute. Only for a deployment reached over plain HTTP on a host other than localhost; browsers keep Secure cookies for localhost'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand restore 'Put a backup made by `mosaicctl admin backup` back in place of the SQLite database, with the daemon stopped'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicd;restore'= {
            cand --config 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format, webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site, provider_test_timeout, chat_heartbeat_interval, docker_host, runtime, instance, docker_labels, agent_api_url, internal_listen, host_firewall, reaper_interval, reconcile_interval, usage_flush_interval, public_url, oidc_clock_skew, setup_token_ttl, auth_throttle_burst, auth_throttle_delay). Durations are written as on the command line ("30s", "7days") or as a number of seconds'
            cand --data-dir 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]'
            cand --secret-key-file 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mosaicd;help'= {
            cand restore 'Put a backup made by `mosaicctl admin backup` back in place of the SQLite database, with the daemon stopped'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mosaicd;help;restore'= {
        }
        &'mosaicd;help;help'= {
        }
    ]
    $completions[$command]
}
