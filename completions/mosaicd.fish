# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mosaicd_global_optspecs
    string join \n config= data-dir= socket= listen= admin-group= secret-key-file= log-format= webui-origin= session-ttl= session-idle-timeout= invite-ttl= insecure-cookies cookie-same-site= provider-test-timeout= public-url= oidc-clock-skew= setup-token-ttl= chat-heartbeat-interval= docker-host= runtime= instance= docker-label= agent-api-url= internal-listen= host-firewall= reaper-interval= reconcile-interval= usage-flush-interval= auth-throttle-burst= auth-throttle-delay= h/help V/version
end

function __fish_mosaicd_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mosaicd_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mosaicd_using_subcommand
    set -l cmd (__fish_mosaicd_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mosaicd -n "__fish_mosaicd_needs_command" -l config -d 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format, webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site, provider_test_timeout, chat_heartbeat_interval, docker_host, runtime, instance, docker_labels, agent_api_url, internal_listen, host_firewall, reaper_interval, reconcile_interval, usage_flush_interval, public_url, oidc_clock_skew, setup_token_ttl, auth_throttle_burst, auth_throttle_delay). Durations are written as on the command line ("30s", "7days") or as a number of seconds' -r -F
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l data-dir -d 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]' -r -F
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l socket -d 'Admin socket for mosaicctl [default: /run/mosaic/mosaicd.sock as root, else $XDG_RUNTIME_DIR/mosaic/mosaicd.sock]' -r -F
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l listen -d 'HTTP API address [default: 127.0.0.1:4000]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l admin-group -d 'Group whose members may use the admin socket (the socket becomes mode 0660 for it)' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l secret-key-file -d 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]' -r -F
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l log-format -d 'Log format' -r -f -a "text\t''
json\t''"
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l webui-origin -d 'Origin of the WebUI (scheme://host[:port]) that may call the API from a browser with credentials (CORS); repeat the flag or separate with commas. Admins can add more at runtime (system setting webuiOrigins)' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l session-ttl -d 'Lifetime of a browser session however active, at least 1s, e.g. 7days, 12h, 3600 (a bare number is seconds) [default: 7days]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l session-idle-timeout -d 'A browser session unused this long ends, at least 1s, e.g. 12h, 30m [default: 12h]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l invite-ttl -d 'How long an invite link stays valid, at least 1s, e.g. 7days, 48h [default: 7days]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l cookie-same-site -d 'SameSite attribute of the session cookie; `none` (WebUI on another site) needs Secure [default: lax]' -r -f -a "strict\t''
lax\t''
none\t''"
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l provider-test-timeout -d 'How long a provider connection test waits for the provider, at least 1s, e.g. 10s, 1m [default: 10s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l public-url -d 'The URL browsers and the identity provider reach this API at (scheme://host[:port]); the OpenID Connect redirect URI is PUBLIC_URL/api/auth/oidc/callback [default: http:// and the listen address, localhost for an unspecified address]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l oidc-clock-skew -d 'How long an OpenID Connect ID token may be past its expiry, for clocks that disagree; 0 allows none, e.g. 60s, 2m [default: 60s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l setup-token-ttl -d 'How long the setup token for the WebUI\'s onboarding endpoints stays valid, at least 1s, e.g. 24h, 30m [default: 24h]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l chat-heartbeat-interval -d 'How often a streaming chat client gets an SSE comment (`: …`) while its agent container starts, not 0, e.g. 5s, 500ms [default: 5s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l docker-host -d 'Docker Engine API address: unix://PATH or tcp://HOST:PORT [default: unix:///var/run/docker.sock]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l runtime -d 'What runs the agents: `docker` (containers on the one engine) or `swarm` (services on a Docker Swarm; mosaicd then runs in a container on a manager node) [default: docker]' -r -f -a "docker\t'One Docker Engine: each agent is a container'
swarm\t'A Docker Swarm: each agent is a service; mosaicd runs in a container on a manager'"
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l instance -d 'This daemon\'s name on the Docker engine: every container, volume and network it creates is labelled with it, and it touches no other (lower-case letters, digits, dashes) [default: generated at first start and kept in the database]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l docker-label -d 'An extra label for every Docker object this daemon creates; repeatable (the environment variable takes a comma-separated list)' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l agent-api-url -d 'URL agent containers use to reach mosaicd\'s internal config endpoint; its origin is also their egress proxy (HTTP_PROXY, HTTPS_PROXY) [default: http://INTERNAL_LISTEN]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l internal-listen -d 'Address of the internal config endpoint and the agents\' egress proxy, which only agent containers use [default: the agent network\'s gateway address, port 4001]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l host-firewall -d 'Install the host firewall rules that let agent containers reach only the internal listener among this host\'s own services (needs the iptables command and CAP_NET_ADMIN); `off` only where the operator installs equivalent rules [default: on]' -r -f -a "on\t''
off\t''"
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l reaper-interval -d 'How often the reaper looks for idle containers, not 0, e.g. 30s, 500ms, 2m [default: 60s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l reconcile-interval -d 'How often containers are reconciled with Docker and system agents restarted if they died, not 0, e.g. 30s, 5m [default: 30s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l usage-flush-interval -d 'How often chat usage figures are written to the database; a crash loses at most this interval\'s figures; not 0, e.g. 5s, 1m [default: 5s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l auth-throttle-burst -d 'Failed logins (and invite or setup token attempts) one client may make for one account at once before it must wait; an address gets twice as many over all accounts, an account four times as many over all addresses (1 to 10000) [default: 5]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l auth-throttle-delay -d 'After the burst, one more failure per this delay (twice the delay for an address over all accounts); the answer is 429 with Retry-After meanwhile; not 0, e.g. 1s, 200ms [default: 1s]' -r
complete -c mosaicd -n "__fish_mosaicd_needs_command" -l insecure-cookies -d 'Send the session cookie without the Secure attribute. Only for a deployment reached over plain HTTP on a host other than localhost; browsers keep Secure cookies for localhost'
complete -c mosaicd -n "__fish_mosaicd_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicd -n "__fish_mosaicd_needs_command" -s V -l version -d 'Print version'
complete -c mosaicd -n "__fish_mosaicd_needs_command" -f -a "restore" -d 'Put a backup made by `mosaicctl admin backup` back in place of the SQLite database, with the daemon stopped'
complete -c mosaicd -n "__fish_mosaicd_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mosaicd -n "__fish_mosaicd_using_subcommand restore" -l config -d 'TOML config file (keys: data_dir, socket, listen, admin_group, database_url, secret_key_file, log_format, webui_origins, session_ttl, session_idle_timeout, invite_ttl, insecure_cookies, cookie_same_site, provider_test_timeout, chat_heartbeat_interval, docker_host, runtime, instance, docker_labels, agent_api_url, internal_listen, host_firewall, reaper_interval, reconcile_interval, usage_flush_interval, public_url, oidc_clock_skew, setup_token_ttl, auth_throttle_burst, auth_throttle_delay). Durations are written as on the command line ("30s", "7days") or as a number of seconds' -r -F
complete -c mosaicd -n "__fish_mosaicd_using_subcommand restore" -l data-dir -d 'Directory for the SQLite database, the generated key file and the lock file [default: /var/lib/mosaic as root, else $XDG_DATA_HOME/mosaic]' -r -F
complete -c mosaicd -n "__fish_mosaicd_using_subcommand restore" -l secret-key-file -d 'Key file used when MOSAIC_SECRET_KEY is not set; generated (mode 0600) if missing [default: DATA_DIR/secret.key]' -r -F
complete -c mosaicd -n "__fish_mosaicd_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mosaicd -n "__fish_mosaicd_using_subcommand help; and not __fish_seen_subcommand_from restore help" -f -a "restore" -d 'Put a backup made by `mosaicctl admin backup` back in place of the SQLite database, with the daemon stopped'
complete -c mosaicd -n "__fish_mosaicd_using_subcommand help; and not __fish_seen_subcommand_from restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
