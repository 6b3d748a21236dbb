#!/bin/bash
cd "$(dirname "$0")/../../.."
rm -rf runs/busy/stag-a runs/busy/stag-b
( s=$(date +%s.%N); ./hwnas train --config experiments/results/busy-machine/train-2t.json -o runs/busy/stag-a >/dev/null 2>&1; e=$(date +%s.%N); echo "stagger first policy=default wall_s=$(echo "$e - $s"|bc)" >> runs/busy/times.txt ) &
sleep 6
( export OMP_WAIT_POLICY=PASSIVE; s=$(date +%s.%N); ./hwnas train --config experiments/results/busy-machine/train-2t.json -o runs/busy/stag-b >/dev/null 2>&1; e=$(date +%s.%N); echo "stagger second policy=PASSIVE wall_s=$(echo "$e - $s"|bc)" >> runs/busy/times.txt ) &
wait
