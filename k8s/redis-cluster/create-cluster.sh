#!/bin/sh
# Forms the cluster from the StatefulSet's pods once; a second run finds it formed and exits 0.
set -eu
nodes=""
for i in 0 1 2 3 4 5; do
    host="redis-cluster-$i.redis-cluster"
    until redis-cli -h "$host" ping >/dev/null 2>&1; do echo "waiting for $host"; sleep 2; done
    ip=$(getent hosts "$host" | awk '{print $1}')
    nodes="$nodes $ip:6379"
done
if redis-cli -h redis-cluster-0.redis-cluster cluster info | grep -q 'cluster_state:ok'; then
    echo "cluster already formed"
    exit 0
fi
# shellcheck disable=SC2086
redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes
