#!/usr/bin/env bash
# The local run [SPEC §10]: the gateway with stand-ins for the Twingate controller and client and, unless
# --kubeconfig FILE names a real cluster, for the Kubernetes API server. Prints the kubeconfig to use;
# Ctrl-C stops everything. Builds what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
./mvnw -B -q -ntp test-compile
if [ ! -s target/test-classpath.txt ] || [ pom.xml -nt target/test-classpath.txt ]; then
  ./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
fi
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  com.twingate.gateway.testkit.LocalRun "$@"
