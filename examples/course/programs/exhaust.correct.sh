# HOST PORT COUNT: COUNT connections to redis, each closed by redis first: QUIT makes redis reply
# +OK and close, and nc (without -N) closes its side only after it has read redis' end of file.
host=$1 port=$2 count=$3
for i in $(seq "$count"); do
  printf 'QUIT\r\n' | nc -w 5 "$host" "$port" > /dev/null || echo "connection $i failed" >&2
done
