# SPDX-License-Identifier: Apache-2.0
# fish completion for vfiokit: the candidates come from vfiokit itself
# (`vfiokit __complete`), from its own command model and the live host.
function __vfiokit_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l candidates ($words[1] __complete -- $words[2..-1] 2>/dev/null)
    if test "$candidates[1]" = __files__
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $candidates
    end
end
complete -c vfiokit -f -a '(__vfiokit_complete)'
