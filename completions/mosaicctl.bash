_mosaicctl() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="mosaicctl"
                ;;
            mosaicctl,admin)
                cmd="mosaicctl__subcmd__admin"
                ;;
            mosaicctl,help)
                cmd="mosaicctl__subcmd__help"
                ;;
            mosaicctl,status)
                cmd="mosaicctl__subcmd__status"
                ;;
            mosaicctl__subcmd__admin,create-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__create__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin,help)
                cmd="mosaicctl__subcmd__admin__subcmd__help"
                ;;
            mosaicctl__subcmd__admin,list-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__list__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin,reset-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__reset__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin,rotate-key)
                cmd="mosaicctl__subcmd__admin__subcmd__rotate__subcmd__key"
                ;;
            mosaicctl__subcmd__admin,setup-token)
                cmd="mosaicctl__subcmd__admin__subcmd__setup__subcmd__token"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,create-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__create__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,help)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__help"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,list-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__list__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,reset-breakglass)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__reset__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,rotate-key)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__rotate__subcmd__key"
                ;;
            mosaicctl__subcmd__admin__subcmd__help,setup-token)
                cmd="mosaicctl__subcmd__admin__subcmd__help__subcmd__setup__subcmd__token"
                ;;
            mosaicctl__subcmd__help,admin)
                cmd="mosaicctl__subcmd__help__subcmd__admin"
                ;;
            mosaicctl__subcmd__help,help)
                cmd="mosaicctl__subcmd__help__subcmd__help"
                ;;
            mosaicctl__subcmd__help,status)
                cmd="mosaicctl__subcmd__help__subcmd__status"
                ;;
            mosaicctl__subcmd__help__subcmd__admin,create-breakglass)
                cmd="mosaicctl__subcmd__help__subcmd__admin__subcmd__create__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__help__subcmd__admin,list-breakglass)
                cmd="mosaicctl__subcmd__help__subcmd__admin__subcmd__list__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__help__subcmd__admin,reset-breakglass)
                cmd="mosaicctl__subcmd__help__subcmd__admin__subcmd__reset__subcmd__breakglass"
                ;;
            mosaicctl__subcmd__help__subcmd__admin,rotate-key)
                cmd="mosaicctl__subcmd__help__subcmd__admin__subcmd__rotate__subcmd__key"
                ;;
            mosaicctl__subcmd__help__subcmd__admin,setup-token)
                cmd="mosaicctl__subcmd__help__subcmd__admin__subcmd__setup__subcmd__token"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        mosaicctl)
            opts="-h -V --socket --json --timeout --help --version status admin help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin)
            opts="-h --socket --json --timeout --help create-breakglass reset-breakglass list-breakglass rotate-key setup-token help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__create__subcmd__breakglass)
            opts="-h --username --password-stdin --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help)
            opts="create-breakglass reset-breakglass list-breakglass rotate-key setup-token help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__create__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__list__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__reset__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__rotate__subcmd__key)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__help__subcmd__setup__subcmd__token)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__list__subcmd__breakglass)
            opts="-h --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__reset__subcmd__breakglass)
            opts="-h --username --password-stdin --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__rotate__subcmd__key)
            opts="-h --new-key-stdin --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__admin__subcmd__setup__subcmd__token)
            opts="-h --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help)
            opts="status admin help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin)
            opts="create-breakglass reset-breakglass list-breakglass rotate-key setup-token"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin__subcmd__create__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin__subcmd__list__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin__subcmd__reset__subcmd__breakglass)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin__subcmd__rotate__subcmd__key)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__admin__subcmd__setup__subcmd__token)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        mosaicctl__subcmd__status)
            opts="-h --socket --json --timeout --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _mosaicctl -o nosort -o bashdefault -o default mosaicctl
else
    complete -F _mosaicctl -o bashdefault -o default mosaicctl
fi
