#!/usr/bin/env bash
# The local stack: real servers as processes on 127.0.0.1, data under .stack/ (git-ignored).
#   deploy/stack.sh provision   install what is missing (apt, go, maven, pnpm); fast when already there
#   deploy/stack.sh up [name]   provision, start the servers that are not running, wait until healthy
#   deploy/stack.sh platform    the servers, then the platform's services and the web app; prints the URLs
#   deploy/stack.sh down [name] stop what this stack started
#   deploy/stack.sh restart [name]
#   deploy/stack.sh status      one line per server
#   deploy/stack.sh logs NAME   follow one server's log
# Binaries and jars are cached per version under $PROCTOR_TOOLS_DIR (default ~/.cache/proctor-stack),
# so a fresh clone on a warm machine starts in seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY="$ROOT/deploy"
STACK_DIR=${PROCTOR_STACK_DIR:-$ROOT/.stack}
TOOLS_DIR=${PROCTOR_TOOLS_DIR:-$HOME/.cache/proctor-stack}
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
DATA_DIR="$STACK_DIR/data"

LIVEKIT_VERSION=v1.13.5
VERSITYGW_VERSION=v1.7.0
KAFKA_VERSION=4.3.1
APT_PACKAGES=(chromium nats-server poppler-utils fonts-liberation fonts-dejavu-core ffmpeg)
SERVERS=(nats kafka mongo clickhouse s3 livekit)
# The platform's own services, in start order (each has services/NAME/src/index.ts and a /readyz endpoint).
ALL_SERVICES=(event-store projector ingestion gateway verifier)

set -a
# shellcheck source=stack.env
source "$DEPLOY/stack.env"
set +a

GOBIN_DIR="$TOOLS_DIR/gobin"
KAFKA_LIBS="$TOOLS_DIR/kafka-$KAFKA_VERSION/libs"

say() { printf '\033[1m[stack]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[stack] error:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- provisioning

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"; }

provision_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "Debian packages missing: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
  say "installing Debian packages: ${missing[*]} (a few minutes the first time)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install failed; see $LOG_DIR/apt.log"
}

# go_tool NAME VERSION INSTALL-COMMAND...: builds once per version into $GOBIN_DIR/NAME-VERSION.
go_tool() {
  local name=$1 version=$2; shift 2
  local bin="$GOBIN_DIR/$name-$version"
  [ -x "$bin" ] && return
  say "building $name $version with Go (uses the Go module and build caches; ~3 min cold)"
  local tmp; tmp=$(mktemp -d)
  (GOBIN="$tmp" GOFLAGS=-mod=mod "$@") >"$LOG_DIR/build-$name.log" 2>&1 || die "building $name failed; see $LOG_DIR/build-$name.log"
  mv "$tmp"/* "$bin" && rmdir "$tmp"
}

provision_kafka() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return
  say "resolving Kafka $KAFKA_VERSION from Maven Central"
  mvn -q -B -f "$DEPLOY/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" \
    >"$LOG_DIR/build-kafka.log" 2>&1 || die "resolving Kafka failed; see $LOG_DIR/build-kafka.log"
}

provision() {
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR" "$GOBIN_DIR"
  need_cmd node "install Node.js 20"
  need_cmd go "install Go >= 1.24 (https://go.dev/doc/install)"
  need_cmd java "install a Java 17 runtime (apt-get install openjdk-17-jre-headless)"
  need_cmd mvn "install Maven (apt-get install maven)"
  provision_apt
  go_tool livekit-server "$LIVEKIT_VERSION" go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION"
  go_tool versitygw "$VERSITYGW_VERSION" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  local ferret_rev; ferret_rev=$(cd "$DEPLOY/tools" && sha1sum go.sum ferretdb/main.go | sha1sum | cut -c1-12)
  go_tool ferretdb "$ferret_rev" bash -c "cd '$DEPLOY/tools' && go install ./ferretdb"
  FERRETDB_BIN="$GOBIN_DIR/ferretdb-$ferret_rev"
  provision_kafka
  # shellcheck source=bootstrap.sh
  source "$DEPLOY/bootstrap.sh"
}

# ---------------------------------------------------------------- processes

pid_of() { local f="$RUN_DIR/$1.pid"; [ -f "$f" ] && cat "$f" || true; }
is_running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# The port each server must own; a foreign process there is an error, not a silent success.
port_of() {
  case $1 in
    nats) echo 4222 ;; kafka) echo 9092 ;; mongo) echo 27017 ;; clickhouse) echo 8123 ;;
    s3) echo 9000 ;; livekit) echo 7880 ;;
    gateway) echo 4000 ;; ingestion) echo 4100 ;; event-store) echo 4110 ;; projector) echo 4120 ;; verifier) echo 4130 ;;
  esac
}

is_service() { [[ " ${ALL_SERVICES[*]} " == *" $1 "* ]]; }
existing_services() { for s in "${ALL_SERVICES[@]}"; do [ -f "$ROOT/services/$s/src/index.ts" ] && echo "$s"; done; }

healthy() {
  case $1 in
    nats) http_ok "$NATS_MONITOR_URL/healthz?js-enabled-only=true" ;;
    clickhouse) http_ok "$CLICKHOUSE_URL/ping" ;;
    livekit) http_ok "http://127.0.0.1:7880/" ;;
    s3) curl -s -o /dev/null --max-time 2 "$S3_ENDPOINT/" ;;
    *) if is_service "$1"; then http_ok "http://127.0.0.1:$(port_of "$1")/readyz"; else port_open "$(port_of "$1")"; fi ;;
  esac
}

# spawn NAME CMD...: starts a detached process group logging to .stack/logs/NAME.log.
spawn() {
  local name=$1; shift
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

start_nats() { spawn nats nats-server -c "$DEPLOY/nats/nats.conf" -sd "$DATA_DIR/nats"; }

start_kafka() {
  local dir="$DATA_DIR/kafka" props="$DATA_DIR/kafka.properties"
  { cat "$DEPLOY/kafka/server.properties"; echo "log.dirs=$dir"; } >"$props"
  local cp="$KAFKA_LIBS/*"
  if [ ! -f "$dir/meta.properties" ]; then
    local cluster_id; cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$LOG_DIR/kafka.log")
    java -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >>"$LOG_DIR/kafka.log" 2>&1 || die "formatting Kafka storage failed; see $LOG_DIR/kafka.log"
  fi
  spawn kafka java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DEPLOY/kafka/log4j2.properties" -cp "$cp" kafka.Kafka "$props"
}

start_mongo() { spawn mongo "$FERRETDB_BIN" --listen-addr 127.0.0.1:27017 --sqlite-dir "$DATA_DIR/ferretdb"; }

start_clickhouse() {
  spawn clickhouse node --import tsx "$DEPLOY/clickhouse/src/main.ts" --port 8123 --data "$DATA_DIR/clickhouse"
}

start_s3() {
  mkdir -p "$DATA_DIR/s3"
  ROOT_ACCESS_KEY=$S3_ACCESS_KEY ROOT_SECRET_KEY=$S3_SECRET_KEY \
    spawn s3 "$GOBIN_DIR/versitygw-$VERSITYGW_VERSION" --port 127.0.0.1:9000 posix "$DATA_DIR/s3"
}

start_livekit() {
  LIVEKIT_KEYS="$LIVEKIT_API_KEY: $LIVEKIT_API_SECRET" \
    spawn livekit "$GOBIN_DIR/livekit-server-$LIVEKIT_VERSION" --config "$DEPLOY/livekit/livekit.yaml" --bind 127.0.0.1
}

# A platform service: TypeScript run by tsx, configured from stack.env (already exported) and its defaults.
start_service() {
  local name=$1
  # The verifier spools recordings under the stack's data folder, so they survive a restart of the service.
  (cd "$ROOT/services/$name" && VERIFIER_SPOOL_DIR="$DATA_DIR/verifier-spool" spawn "$name" node --import tsx src/index.ts)
}

start_one() {
  local name=$1 port; port=$(port_of "$name")
  if is_running "$name"; then
    healthy "$name" && { say "$name already running on :$port"; return; }
  elif port_open "$port"; then
    die "port $port (for $name) is in use by another process: stop it (ss -ltnp 'sport = :$port') or run 'deploy/stack.sh down'"
  elif is_service "$name"; then
    start_service "$name"
  else
    "start_$name"
  fi
  say "starting $name on :$port"
  local waited=0
  until healthy "$name"; do
    is_running "$name" || die "$name exited during start; last lines of $LOG_DIR/$name.log:
$(tail -n 15 "$LOG_DIR/$name.log")"
    sleep 0.5; waited=$((waited + 1))
    if [ $waited -gt 240 ]; then die "$name did not become healthy in 120 s; see $LOG_DIR/$name.log"; fi
  done
  return 0
}

stop_one() {
  local name=$1 pid; pid=$(pid_of "$name")
  [ -z "$pid" ] && return
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    say "stopped $name"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

up() {
  provision
  local names=("$@"); [ ${#names[@]} -eq 0 ] && names=("${SERVERS[@]}")
  for n in "${names[@]}"; do start_one "$n"; done
  say "stack is up ($(printf '%s ' "${names[@]}")); data in $STACK_DIR"
}

platform() {
  up
  say "building the web app"
  (cd "$ROOT" && pnpm --filter @proctor/web build) >"$LOG_DIR/web-build.log" 2>&1 || die "web build failed; see $LOG_DIR/web-build.log"
  local names; mapfile -t names < <(existing_services)
  for n in "${names[@]}"; do start_one "$n"; done
  cat >&2 <<URLS

  Proctor is running (logs: deploy/stack.sh logs NAME; stop: deploy/stack.sh down)
    Web app and GraphQL     http://127.0.0.1:4000          (GraphQL at /graphql)
    Interviewer             http://127.0.0.1:4000/interview?role=interviewer
    Ingestion               http://127.0.0.1:4100/api/logs (candidates' events; PATCH /api/sessions/:id/end and GET /api/reports/:id are the gateway's, :4000)
    Verifier status         http://127.0.0.1:4130/status   (rooms watched, sampling rate, detector pool)
    LiveKit                 $LIVEKIT_URL
    Object storage (S3)     $S3_ENDPOINT
URLS
}

down() {
  local names=("$@"); [ ${#names[@]} -eq 0 ] && names=("${SERVERS[@]}" "${ALL_SERVICES[@]}")
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do stop_one "${names[$i]}"; done
}

status() {
  local names; mapfile -t names < <(existing_services)
  for n in "${SERVERS[@]}" "${names[@]}"; do
    local state=stopped
    if is_running "$n"; then healthy "$n" && state=healthy || state=unhealthy; fi
    printf '%-11s %-9s :%s\n' "$n" "$state" "$(port_of "$n")"
  done
  printf '%-11s %s\n' chromium "$( (chromium --version 2>/dev/null || echo 'not installed') | head -1)"
}

cmd=${1:-}; shift || true
case $cmd in
  provision) provision ;;
  up) up "$@" ;;
  platform) platform ;;
  down) down "$@" ;;
  restart) down "$@"; up "$@" ;;
  status) status ;;
  logs) [ -n "${1:-}" ] || die "usage: stack.sh logs NAME (one of: ${SERVERS[*]})"; tail -n 50 -F "$LOG_DIR/$1.log" ;;
  *) die "usage: stack.sh provision|up [name...]|platform|down [name...]|restart [name...]|status|logs NAME" ;;
esac
