#!/bin/bash
# usage: run.sh LABEL POLICY(default|PASSIVE|ACTIVE) N(1|2)
cd "$(dirname "$0")/../../.."
mkdir -p runs/busy; label=$1; pol=$2; n=$3
for i in $(seq 1 $n); do
  rm -rf runs/busy/$label-$i
  ( case "$pol" in default) ;; SPIN=*) export GOMP_SPINCOUNT=${pol#SPIN=} ;; *) export OMP_WAIT_POLICY=$pol ;; esac
    s=$(date +%s.%N); ./hwnas train --config experiments/results/busy-machine/train-2t.json -o runs/busy/$label-$i > /dev/null 2>&1; e=$(date +%s.%N)
    echo "$label policy=$pol concurrent=$n proc=$i wall_s=$(echo "$e - $s" | bc)" >> runs/busy/times.txt ) &
done
wait
