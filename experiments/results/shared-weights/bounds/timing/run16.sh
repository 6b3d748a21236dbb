#!/bin/bash
# one warm-up epoch on 10,000 weight images, bounds_every 0 and 8 alternating, 3 rounds per dataset
cd /work/exp4
for ds in fmnist cifar10; do for r in 1 2 3; do for b in 0 16; do
  rm -rf /work/runs/s24/timing/run16-$ds-b$b-r$r
  ./hwnas train --config /work/runs/s24/timing/cfg-$ds-b$b.json -o /work/runs/s24/timing/run16-$ds-b$b-r$r > /work/runs/s24/timing/log16-$ds-b$b-r$r.txt 2>&1
  python3 -c "import json; m=[json.loads(l) for l in open('/work/runs/s24/timing/run16-$ds-b$b-r$r/metrics.jsonl')][-1]; print('$ds', $b, $r, round(m['wall_seconds'],1), round(100*m['weight_accuracy'],2))" >> /work/runs/s24/timing/times16.txt
done; done; done
echo timing16-done >> /work/runs/s24/done
