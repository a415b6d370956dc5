# Shared by bench/compare and bench/growth (sourced, not run): binaries, nginx, the processes of a
# run and how they are stopped, equivalent eidgate and nginx settings, and reading a server's CPU
# time and memory from /proc. Every listener is on 127.0.0.1 (but see start_ocsp).
#
# The caller sets BENCH (its name, for messages), ROOT, BIN_DIR (empty: build in release mode),
# OUT, RUN (a fresh folder of this run), PKI, and the ports below if it wants others.

EIDGATE_PORT=${EIDGATE_PORT:-9443} NGINX_PORT=${NGINX_PORT:-9444}
UPSTREAM_PORT=${UPSTREAM_PORT:-9080}
# The port the demo cards name in their AIA extension (eidgate_testpki::DEMO_OCSP_URL).
OCSP_PORT=8089

say() { echo "$BENCH: $*" >&2; }
die() { say "$*"; exit 1; }

# Sets EIDGATE and LOAD, building both in release mode unless BIN_DIR names a folder of them.
find_binaries() {
  if [ -z "$BIN_DIR" ]; then
    say "building eidgate and eidgate-load in release mode"
    (cd "$ROOT" && cargo build --release --locked -p eidgate -p eidgate-loadgen)
    BIN_DIR=$ROOT/target/release
  fi
  EIDGATE=$BIN_DIR/eidgate LOAD=$BIN_DIR/eidgate-load
  [ -x "$EIDGATE" ] && [ -x "$LOAD" ] || die "no eidgate or eidgate-load in $BIN_DIR"
}

# Sets NGINX, installing Debian's nginx when there is none.
find_nginx() {
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    say "installing nginx"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  command -v openssl >/dev/null || die "openssl is needed for the OCSP responder"
}

# Raises the open-files limit to the hard limit; sets NOFILE.
raise_open_files() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  NOFILE=$(ulimit -n)
  [ "$NOFILE" = unlimited ] && NOFILE=65536
  return 0
}

# Sets SERVER_CPU and LOAD_CPU: the server on CPU 1, everything else on CPU 0, when PIN=1 and
# the machine has two CPUs or more.
pin_cpus() {
  SERVER_CPU="" LOAD_CPU=""
  if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU="taskset -c 1" LOAD_CPU="taskset -c 0"
  fi
}

# --- processes, each stopped on exit by its id -----------------------------------------------
PIDS=() EIDGATE_PID="" NGINX_PID=""
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  local _
  for _ in $(seq 1 600); do port_open "$1" && return 0; sleep 0.1; done
  die "nothing listens on 127.0.0.1:$1 (see $RUN/*.log)"
}
ports_free() {
  local port
  for port in "$@"; do
    port_open "$port" && die "127.0.0.1:$port is taken; stop what listens there"
  done
  return 0
}

start_upstream() {
  $LOAD_CPU "$LOAD" upstream --listen "127.0.0.1:$UPSTREAM_PORT" >"$RUN/upstream.log" 2>&1 &
  PIDS+=($!)
  wait_port "$UPSTREAM_PORT"
}

# `openssl ocsp` takes a port, not an address: it listens on every address of this machine for
# the length of the run. Only the servers of the run ask it, over loopback. It answers one
# request at a time, for both servers alike.
start_ocsp() {
  $LOAD_CPU openssl ocsp -index "$PKI/ocsp/index.txt" -port "$OCSP_PORT" \
    -rsigner "$PKI/ocsp/responder.crt" -rkey "$PKI/ocsp/responder.key" \
    -CA "$PKI/ca/issuing.crt" -nmin 10 -ignore_err >"$RUN/ocsp.log" 2>&1 &
  PIDS+=($!)
  # Asked with a real request: `openssl ocsp` spins on a connection closed without one.
  local _
  for _ in $(seq 1 100); do
    openssl ocsp -issuer "$PKI/ca/issuing.crt" -cert "$PKI/cards/valid.crt" \
      -url "http://127.0.0.1:$OCSP_PORT/" -CAfile "$PKI/ca/trust-bundle.pem" >/dev/null 2>&1 &&
      return 0
    sleep 0.1
  done
  die "the OCSP responder does not answer (see $RUN/ocsp.log)"
}

# --- eidgate ---------------------------------------------------------------------------------
# eidgate_config EXTRA: the common settings, then EXTRA (TOML).
eidgate_config() {
  cat <<EOF
[server]
listen = "127.0.0.1:$EIDGATE_PORT"
certificate = "$PKI/server.crt"
private_key = "$PKI/server.key"

[trust]
ca_files = ["$PKI/ca/trust-bundle.pem"]
verify_depth = 2
require_authentication_policy = true
require_document_policy = true
$1
EOF
}

eidgate_accepts() {
  eidgate_config "$1" >"$RUN/probe.toml"
  "$EIDGATE" check-config --config "$RUN/probe.toml" >/dev/null 2>&1
}

# Sets REVOCATION_TOML and PROXY_TOML to what this eidgate understands, empty for what it lacks.
detect_eidgate() {
  REVOCATION_TOML="" PROXY_TOML=""
  if eidgate_accepts "[revocation]"; then REVOCATION_TOML="[revocation]"; fi
  local route
  for route in "[[route]]
prefix = \"/\"
upstream = \"http://127.0.0.1:$UPSTREAM_PORT\"" "[[route]]
upstream = \"http://127.0.0.1:$UPSTREAM_PORT\""; do
    if [ -z "$PROXY_TOML" ] && eidgate_accepts "$route"; then PROXY_TOML=$route; fi
  done
}

# start_eidgate EXTRA: serves the common settings plus EXTRA; sets EIDGATE_PID.
start_eidgate() {
  eidgate_config "$1" >"$RUN/eidgate.toml"
  EIDGATE_LOG=info $SERVER_CPU "$EIDGATE" serve --config "$RUN/eidgate.toml" \
    >>"$RUN/eidgate.log" 2>&1 &
  EIDGATE_PID=$!
  PIDS+=($EIDGATE_PID)
  wait_port "$EIDGATE_PORT"
}

# --- nginx -----------------------------------------------------------------------------------
# start_nginx REVOCATION LOCATION: nginx with the same server certificate, trust and depth as
# eidgate, REVOCATION lines in the server block and LOCATION lines in `location /`; sets
# NGINX_PID.
start_nginx() {
  local user="" workers=auto
  [ "$(id -u)" -eq 0 ] && user="user root;"
  [ -n "$SERVER_CPU" ] && workers=1
  mkdir -p "$RUN/nginx/logs"
  cat >"$RUN/nginx/nginx.conf" <<EOF
$user
worker_processes $workers;
worker_rlimit_nofile $NOFILE;
daemon off;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/logs/error.log warn;
events { worker_connections $((NOFILE - 100)); }
http {
  access_log $RUN/nginx/logs/access.log combined buffer=64k flush=1s;
  client_body_temp_path $RUN/nginx/body; proxy_temp_path $RUN/nginx/proxy;
  fastcgi_temp_path $RUN/nginx/fastcgi; uwsgi_temp_path $RUN/nginx/uwsgi;
  scgi_temp_path $RUN/nginx/scgi;
  # As many idle upstream connections kept as eidgate keeps (its MAX_IDLE_CONNECTIONS_PER_UPSTREAM).
  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    server_name localhost;
    ssl_certificate $PKI/server.crt;
    ssl_certificate_key $PKI/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_client_certificate $PKI/ca/trust-bundle.pem;
    ssl_verify_client on;
    ssl_verify_depth 2;
    $1
    location / {
      $2
    }
  }
}
EOF
  $SERVER_CPU "$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" >>"$RUN/nginx.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=($NGINX_PID)
  wait_port "$NGINX_PORT"
}

# What nginx does in `location /`: proxy to the upstream as eidgate does, or, with an eidgate
# that cannot proxy yet, answer itself as eidgate's greeting page does.
nginx_location() {
  if [ -n "$PROXY_TOML" ]; then
    echo "proxy_pass http://app; proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-Client-Verify \$ssl_client_verify;
      proxy_set_header X-Client-DN \$ssl_client_s_dn;"
  else
    echo "return 200 \"hello \$ssl_client_s_dn\\n\";"
  fi
}

# nginx's OCSP lines. "leaf": eidgate checks the card, not its CAs, and no responder here
# answers for the issuing CA. The responder is named because nginx asks by GET with the request
# in the path, which `openssl ocsp` reads only at the root; it is the address in the cards' AIA
# all the same.
nginx_ocsp() {
  echo "ssl_ocsp leaf; ssl_ocsp_cache shared:ocsp:10m;
    ssl_ocsp_responder http://127.0.0.1:$OCSP_PORT/;"
}

# --- measuring -------------------------------------------------------------------------------
server_port() { if [ "$1" = nginx ]; then echo "$NGINX_PORT"; else echo "$EIDGATE_PORT"; fi; }

# The server's processes: eidgate, or nginx's master and its workers.
server_pids() {
  local pid=$EIDGATE_PID
  if [ "$1" = nginx ]; then pid=$NGINX_PID; fi
  [ -n "$pid" ] || return 0
  echo "$pid"
  awk -v p="$pid" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true
}

# User plus system time of the server's processes, in clock ticks.
cpu_ticks() {
  local total=0 pid
  for pid in $(server_pids "$1"); do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

# Resident memory of the server's processes, KiB.
rss_kib() {
  local total=0 pid
  for pid in $(server_pids "$1"); do
    [ -r "/proc/$pid/status" ] || continue
    total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
  done
  echo "$total"
}

# json_number FILE KEY: the first number written as `"KEY": N` in a pretty-printed report.
json_number() { sed -n "s/^ *\"$2\": \([0-9.]*\).*/\1/p" "$1" | head -1; }
