# HOST PORT COUNT: COUNT connections to redis, each closed by the client first: nc -N shuts its side
# down as soon as PING is sent, so every local port stays in TIME_WAIT for 60 s, and with 50 ports
# connect() fails from the 51st on.
host=$1 port=$2 count=$3
for i in $(seq "$count"); do
  printf 'PING\r\n' | nc -N -w 5 "$host" "$port" > /dev/null || echo "connection $i failed" >&2
done
