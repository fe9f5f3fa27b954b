# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# bash completion for vfiokit: the candidates come from vfiokit itself
# (`vfiokit __complete`), which knows its commands and options from its own
# command model and reads live values (BDFs, IOMMU groups, BAR indexes,
# mdev types) from the host the line names.
_vfiokit() {
  local line=${COMP_LINE:0:COMP_POINT} words cur
  # The words as vfiokit sees them: bash would also split at ':' (a BDF's
  # separators are in COMP_WORDBREAKS).
  read -ra words <<<"$line"
  [[ $line == *[[:space:]] ]] && words+=("")
  cur=${words[${#words[@]} - 1]}
  local IFS=$'\n' candidates
  candidates=$("${words[0]}" __complete -- "${words[@]:1}" 2>/dev/null) || return
  if [[ $candidates == __files__ ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  # bash replaces only what follows the last word break in the word: drop
  # the part before it from each candidate.
  local keep=${cur%"${cur##*[:=]}"}
  COMPREPLY=()
  local c
  for c in $candidates; do COMPREPLY+=("${c#"$keep"}"); done
}
complete -F _vfiokit vfiokit
