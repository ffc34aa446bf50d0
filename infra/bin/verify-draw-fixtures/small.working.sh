#!/usr/bin/env bash
# Independent shell working for small.json (no JavaScript): bash small.working.sh ceremony-2026-12-07-0002
# Prints the commitment, the populationHash, the ranks per class, the selection, the caps and, per
# selected enterprise and agency, every active inspector's rank, load and exclusions (回避 / at-cap), then the pick.
set -euo pipefail
export LC_ALL=C
SEED=$1; TASK=T-2026-007; P=2
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# population: uscc class
POP="91310000MA1K000001 A
91310000MA1K000002 C
91310000MA1K000003 B
91310000MA1K000004 C
91310000MA1K000005 C
91310000MA1K000006 A
91310000MA1K000007 C
91310000MA1K000008 B
91310000MA1K000009 C
91310000MA1K000010 D"
echo "commitment $(h "$SEED")"
echo "populationHash $(echo "$POP" | tr ' ' ':' | sort | head -c -1 | sha256sum | cut -d' ' -f1)"
declare -A K=([A]=1 [B]=1 [C]=3 [D]=1)   # quotas by hand: ceil(.05*2)=1 ceil(.1*2)=1 0.6*5=3 exactly, 1*1=1
SEL=()
for c in A B C D; do
  echo "class $c ranks:"
  ranked=$(echo "$POP" | awk -v c=$c '$2==c{print $1}' | while read u; do echo "$(h "$SEED:$TASK:$u") $u"; done | sort)
  echo "$ranked" | sed 's/^/  /'
  while read r u; do SEL+=("$u"); done < <(echo "$ranked" | head -n ${K[$c]})
done
echo "selected: ${SEL[*]}"
S=${#SEL[@]}
# rosters (active only) and previous pairs
declare -A ACTIVE=([samr.sh]="i-01 i-02 i-04 i-05 i-06" [mem.sh]="m-01 m-02 m-03 m-04 m-05")
declare -A AVOID=([samr.sh:91310000MA1K000005]="i-06" [samr.sh:91310000MA1K000007]="i-01")
declare -A LOAD CAP
for a in samr.sh mem.sh; do n=$(wc -w <<<"${ACTIVE[$a]}"); CAP[$a]=$(( (S*P + n - 1) / n )); echo "cap $a = ceil($S*$P/$n) = ${CAP[$a]}"; done
for u in "${SEL[@]}"; do
  for a in samr.sh mem.sh; do
    echo "  $u $a:"
    cands=""
    for i in ${ACTIVE[$a]}; do
      r=$(h "$SEED:$u:$a:$i"); l=${LOAD[$a:$i]:-0}; note=""
      [[ " ${AVOID[$a:$u]:-} " == *" $i "* ]] && note="回避"
      (( l >= CAP[$a] )) && note="$note at-cap($l)"
      echo "    $r $i load=$l $note"
      [[ -z $note ]] && cands+="$r $i"$'\n'
    done
    picked=$(printf '%s' "$cands" | sort | head -n $P | cut -d' ' -f2 | tr '\n' ' ')
    [[ $(wc -w <<<"$picked") -lt $P ]] && { echo "NOT_ENOUGH at $u $a"; exit 1; }
    echo "    -> $picked"
    for i in $picked; do LOAD[$a:$i]=$(( ${LOAD[$a:$i]:-0} + 1 )); done
  done
done
