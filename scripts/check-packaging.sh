#!/usr/bin/env bash
# What a Maven user gets: deploys the build into a file repository, checks what is there (each library's jar,
# -sources and -javadoc jars, the bom; no benchmarks, stress tests or docs), then builds and runs the README's
# example in a project of its own whose pom holds the README's dependency snippet, resolved from that repository.
# Run by .ci/run after ./build; removes everything it made.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
work=$(mktemp -d /tmp/aioring-packaging-XXXXXX)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)

./build -q deploy -DskipTests -DaltDeploymentRepository="check::default::file://$repo"

fail() { echo "check-packaging: $*" >&2; exit 1; }
for module in linux ring abi attributes nio; do
  dir=$repo/io/aioring/aioring-$module/$version
  for kind in "[0-9].jar" "-sources.jar" "-javadoc.jar" "[0-9].pom"; do
    compgen -G "$dir/aioring-$module-*$kind" >/dev/null || fail "aioring-$module has no *$kind in $dir"
  done
  jar=$(compgen -G "$dir/aioring-$module-*[0-9].jar" | head -1)
  unzip -l "$jar" META-INF/LICENSE >/dev/null || fail "$jar carries no META-INF/LICENSE"
done
compgen -G "$repo/io/aioring/aioring-bom/$version/aioring-bom-*.pom" >/dev/null || fail "no aioring-bom"
for module in benchmarks stress-tests docs; do
  [ ! -e "$repo/io/aioring/aioring-$module" ] || fail "aioring-$module was deployed; it is not a library"
done

consumer=$work/consumer
mkdir -p "$consumer/src/main/java"
# The README's "Using the library" section: its java block is the program, its xml block the dependencies.
awk '/^## Using the library/{on=1} on && /^```java$/{f=1; next} f && /^```$/{exit} f' README.md \
  > "$consumer/src/main/java/ReadOneBlock.java"
snippet=$(awk '/^## Using the library/{on=1} on && /^```xml$/{f=1; next} f && /^```$/{exit} f' README.md)
[ -s "$consumer/src/main/java/ReadOneBlock.java" ] && [ -n "$snippet" ] || fail "README.md's library section lost its java or xml block"
cat > "$consumer/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>reads-one-block</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>25</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository>
      <id>check</id>
      <url>file://$repo</url>
      <snapshots><enabled>true</enabled></snapshots>
    </repository>
  </repositories>
$snippet
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
(cd "$consumer" && mvn -B -q -ntp -U compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=classpath.txt) || fail "the example project did not build from the deployed artifacts"
classpath=$(cat "$consumer/classpath.txt")
case "$classpath" in
  *aioring-abi-*[0-9].jar*) ;;
  *) fail "aioring-abi did not come from the deployed repository: $classpath" ;;
esac
# shellcheck disable=SC2086
output=$("$JAVA_HOME/bin/java" $AIORING_JVM_FLAGS -cp "$consumer/target/classes:$classpath" ReadOneBlock 2>&1) \
  || fail "the example failed: $output"
[[ "$output" =~ ^read\ 4096\ bytes\ in\ [0-9]+\ ns,\ page\ cache\ hit$ ]] || fail "the example printed: $output"
echo "check-packaging: the libraries, their sources, javadoc and bom deploy; the README's example builds from them and prints: $output"
