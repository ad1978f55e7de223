#!/usr/bin/env bash
# One command on a fresh machine: prepares Docker and the lab images, builds twlab, starts the
# control plane with docker compose, then runs a reproduction and streams its connection states.
#   ./demo.sh                                   # S1: the client closes first, TIME_WAIT on the client
#   ./demo.sh nc-timewait --topology nat -p closer=server
set -euo pipefail
cd "$(dirname "$0")"

.ci/setup
./mvnw -q -B package -DskipTests -DskipITs

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "[demo] installing Debian's docker-compose" >&2
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi

echo "[demo] building the server and CLI images, starting the server (gRPC :9090, HTTP :8080)" >&2
"${compose[@]}" build -q server cli >&2
"${compose[@]}" up -d server >&2
for _ in $(seq 1 60); do
  curl -fs http://localhost:8080/healthz >/dev/null 2>&1 && break
  sleep 1
done
curl -fs http://localhost:8080/healthz >/dev/null || { "${compose[@]}" logs server >&2; exit 1; }

if [ $# -eq 0 ]; then set -- nc-timewait; fi
"${compose[@]}" run --rm cli run "$@" --watch
echo "[demo] the server keeps running, with authentication on. From this host, as its admin:" >&2
echo "[demo]   TWLAB_TOKEN=\$(${compose[*]} exec -T server cat /var/lib/twlab/admin.token) bin/twlab login" >&2
echo "[demo]   bin/twlab labs list        ('${compose[*]} down' stops the server)" >&2
