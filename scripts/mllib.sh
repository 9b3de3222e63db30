#!/usr/bin/env bash
# Regenerates test/spark/mllib/reference.json: writes the seeded batches (batches.json), then runs
# Spark MLlib's streaming algorithms on them (MllibReference.java, built with Maven on
# spark-mllib_2.13 from Maven Central). test/mllib.test.ts compares sluice's models with it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
dir=test/spark/mllib
node "$dir/batches.ts"
mvn -q -B -f "$dir/pom.xml" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# Spark 3.5 on Java 17 needs its internals opened, as spark-submit's launcher does
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
java "${opens[@]}" -cp "$dir/target/classes:$(cat "$dir/target/classpath.txt")" sluice.MllibReference "$dir/batches.json" "$dir/reference.json"
echo "wrote $dir/reference.json"
