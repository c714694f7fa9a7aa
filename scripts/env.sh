# Sourced by the scripts: picks JDK 25 and the JVM flags every evomerge process needs.
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "2[5-9]'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "evomerge: JDK 25 not found (set JAVA_HOME to a JDK 25 or newer)" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven itself runs on JDK 25 too; this keeps its own Unsafe warnings out of the logs.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
# PyTorch's intra-op threads are an OpenMP team that, by default, spins at the end of every parallel region
# waiting for the slowest member. On a core shared with another process that member is often descheduled, and
# the rest spin through their time slices: a search of the demo's small models ran 3-4x slower beside one busy
# loop than with passive waiting (threads sleep instead), which costs nothing measurable on an idle machine.
# OpenMP reads this once, when the native library loads, so it has to be set before the JVM starts.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
EVOMERGE_JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow -Dai.djl.offline=true)
EVOMERGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVOMERGE_JAR="$EVOMERGE_ROOT/optimizer/target/evomerge.jar"

# Which PyTorch natives run the models: cpu (bundled in the jar's libraries) or cu124 (CUDA 12.4 libtorch from
# Maven Central, unpacked by 'mvn package -Pcu124' into optimizer/target/torch-cu124 beside the CPU build's
# files, so that switching between the two rebuilds nothing).
EVOMERGE_TORCH="${EVOMERGE_TORCH:-cpu}"
EVOMERGE_BUILD_FLAGS=()
case "$EVOMERGE_TORCH" in
  cpu) ;;
  cu124)
    EVOMERGE_TORCH_DIR="$EVOMERGE_ROOT/optimizer/target/torch-cu124"
    EVOMERGE_BUILD_FLAGS=(-Pcu124)
    # DJL would otherwise choose the natives by asking the system's CUDA runtime, not PyTorch's, and name the JNI
    # flavour after it.
    EVOMERGE_JVM_FLAGS+=(-DPYTORCH_LIBRARY_PATH="$EVOMERGE_TORCH_DIR" -DPYTORCH_FLAVOR=cu124)
    # PyTorch opens libcaffe2_nvrtc.so by name when a kernel needs NVRTC (it needs a driver, so DJL must not
    # load it at start; see optimizer/pom.xml).
    export LD_LIBRARY_PATH="$EVOMERGE_TORCH_DIR/lazy${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    ;;
  *)
    echo "evomerge: EVOMERGE_TORCH=$EVOMERGE_TORCH: expected cpu or cu124" >&2
    exit 2
    ;;
esac

# Builds the runnable jar when it is missing or older than any source or pom, and for EVOMERGE_TORCH=cu124
# fetches and unpacks the CUDA natives when they are not there yet.
evomerge_ensure_jar() {
  local natives_ok=1
  if [ "$EVOMERGE_TORCH" = cu124 ] && [ ! -f "$EVOMERGE_TORCH_DIR/libtorch_cuda.so" ]; then
    natives_ok=0
  fi
  if [ $natives_ok = 1 ] && [ -f "$EVOMERGE_JAR" ] && [ -z "$(find "$EVOMERGE_ROOT" -path "$EVOMERGE_ROOT/.git" -prune -o \
       \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -type f \
       -newer "$EVOMERGE_JAR" -print -quit)" ]; then
    return 0
  fi
  if [ $natives_ok = 0 ]; then
    echo "evomerge: building the CUDA build (mvn package -Pcu124; fetches CUDA 12.4 libtorch, 2.4 GB, once)..." >&2
  else
    echo "evomerge: building (mvn package ${EVOMERGE_BUILD_FLAGS[*]})..." >&2
  fi
  (cd "$EVOMERGE_ROOT" && mvn -q -B -DskipTests "${EVOMERGE_BUILD_FLAGS[@]}" package) >&2 || {
    echo "evomerge: build failed" >&2
    exit 1
  }
}

# Runs the JVM with "$@", dropping the line it prints at every start for the incubator module ("WARNING: Using
# incubator modules: jdk.incubator.vector") so that an error stays one line. The rest of stderr passes through
# as it comes: progress bars redraw with \r, not line by line. Returns the JVM's exit status.
evomerge_java() {
  local status=0 filter pid
  exec {filter}> >(evomerge_drop_incubator_warning >&2)
  pid=$!
  "$JAVA_HOME/bin/java" "$@" 2>&"$filter" || status=$?
  exec {filter}>&-
  wait "$pid" 2>/dev/null || true   # the filter's last bytes reach the terminal before the prompt does
  return $status
}

evomerge_drop_incubator_warning() {
  local first
  if IFS= read -r first; then
    [[ $first == "WARNING: Using incubator modules: "* ]] || printf '%s\n' "$first"
  elif [ -n "$first" ]; then
    printf '%s' "$first"
  fi
  exec cat
}
