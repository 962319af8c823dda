# Sourced by ./build and ./aioring: sets AIORING_JAVA_HOME to a JDK >= 25 (or explains and exits), and
# AIORING_JVM_FLAGS to the flags every aioring JVM needs.
# Order: $JAVA_HOME if it is new enough, then the newest JDK in the usual places, then `java` on PATH.

aioring_required_jdk=25

aioring_jdk_major() { # $1 = a JDK home; prints its feature version, or nothing
  local home=$1 v=
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  printf '%s' "$v"
}

aioring_find_jdk() {
  local best= best_major=0 home major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(aioring_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$aioring_required_jdk" ]; then
      AIORING_JAVA_HOME=$JAVA_HOME
      return 0
    fi
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] || continue
    [ -L "$home" ] && continue
    major=$(aioring_jdk_major "$home")
    if [ -n "$major" ] && [ "$major" -gt "$best_major" ]; then
      best=$home
      best_major=$major
    fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    best=$home
    best_major=$(aioring_jdk_major "$home")
    best_major=${best_major:-0}
  fi
  if [ -n "$best" ] && [ "$best_major" -ge "$aioring_required_jdk" ]; then
    AIORING_JAVA_HOME=$best
    return 0
  fi
  echo "aioring: needs a JDK $aioring_required_jdk or newer; found none (JAVA_HOME=${JAVA_HOME:-unset}, newest seen: ${best:-none} ${best_major})." >&2
  echo "aioring: install one (e.g. Temurin 25 under /usr/lib/jvm) or point JAVA_HOME at it, then run this again." >&2
  exit 1
}

aioring_find_jdk
export JAVA_HOME=$AIORING_JAVA_HOME
# The flags every aioring JVM needs (Agrona's Unsafe, FFM downcalls); the same as JvmFlags and pom.xml say.
AIORING_JVM_FLAGS="--add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED"
