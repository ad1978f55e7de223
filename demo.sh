#!/usr/bin/env bash
# One command on a fresh machine: prepares Docker and the lab images, builds twlab, starts the
# control plane with docker compose, then runs a reproduction and streams its connection states,
# and prints the web console's URL.
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
# An instructor for the next steps, made once by the admin (the cli service holds the admin's token).
instructor_token=instructor.token
if [ ! -s "$instructor_token" ]; then
  (umask 077 && "${compose[@]}" run --rm -T cli -o json admin instructors add "demo instructor" \
    | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' > "$instructor_token")
fi
echo "[demo] the server keeps running, with authentication on ('${compose[*]} down' stops it)." >&2
echo "[demo] An instructor's token is in $instructor_token (readable by you only). Run a workshop:" >&2
echo "[demo]   export TWLAB_TOKEN_FILE=$instructor_token" >&2
echo "[demo]   bin/twlab workshops create 'TCP teardown' --seats 30 --hours 3     # prints the join code" >&2
echo "[demo]   students: twlab login --server THIS-HOST:9090 --insecure --join CODE --name NAME" >&2
echo "[demo]   (for a real class serve TLS and give students --ca: README, 'Running twlab for a workshop')" >&2
echo "[demo]   bin/twlab workshops show WORKSHOP --watch                          # every seat, live" >&2
echo "[demo] The admin's token: ${compose[*]} exec -T server cat /var/lib/twlab/admin.token" >&2
echo "[demo] The web console: open http://localhost:8080 (from another machine http://THIS-HOST:8080, after" >&2
echo "[demo]   setting TWLAB_PUBLIC_HOST in docker-compose.yml) and sign in with the token in $instructor_token;" >&2
echo "[demo]   students join there with a workshop's code. The run above is the admin's: sign in with the admin's" >&2
echo "[demo]   token to replay it under History." >&2
echo "[demo] An instructor follows the room under Classroom (a tile per seat, extend or end every lab, export the" >&2
echo "[demo]   grades); a student opens a shell in a node from their lab's page, or: bin/twlab shell LAB client" >&2
