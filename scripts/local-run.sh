#!/usr/bin/env bash
# The local run: the gateway with stand-ins for the Twingate controller and client and, unless
# --kubeconfig FILE names a real cluster, for the Kubernetes API server. Builds what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: scripts/local-run.sh [--kubeconfig FILE] [--dir DIRECTORY] [--prometheus]

Starts, in one process, the gateway (the production code, configured from HOCON), a Twingate controller
stand-in (mints tokens, serves the JWK Set), a Twingate client stand-in (a listener on 127.0.0.1 that
does the outer TLS, CONNECT, token and signature for each connection) and an upstream. Prints the
kubeconfig to use, the gateway's port and its metrics URL; the gateway's log follows on stdout.
Ctrl-C stops everything.

  --kubeconfig FILE   put the current context's cluster of FILE behind the gateway instead of the
                      Kubernetes API stand-in (a token, token file or client certificate; no exec plugins)
  --dir DIRECTORY     where the run keeps its files: gateway.conf, certificates, kubeconfig, pods/,
                      recordings/ (default target/local-run; reused and overwritten by the next run)
  --prometheus        also start Debian's Prometheus scraping the gateway every second, with
                      prometheus/alert-rules.yaml loaded, and print its URL
  --help              print this help
EOF
}

prometheus=false
for argument in "$@"; do
  case "$argument" in
    --help|-h) usage; exit 0 ;;
    --prometheus) prometheus=true ;;
  esac
done

. scripts/java-home.sh

# Debian packages the run uses when it can: bubblewrap contains the stand-in's pod commands, prometheus
# serves --prometheus. Installed when missing and we run as root; otherwise the run says what it lacks.
missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
if [ "$prometheus" = true ]; then command -v prometheus >/dev/null || missing+=(prometheus); fi
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "Could not install ${missing[*]}" >&2
fi

./mvnw -B -q -ntp test-compile
if [ ! -s target/test-classpath.txt ] || [ pom.xml -nt target/test-classpath.txt ]; then
  ./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
fi
# --sun-misc-unsafe-memory-access: Guava, under Guice, calls sun.misc.Unsafe, which JDK 25 warns about.
exec java --sun-misc-unsafe-memory-access=allow -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  com.twingate.gateway.testkit.LocalRun "$@"
