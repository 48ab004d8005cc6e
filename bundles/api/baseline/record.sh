#!/bin/bash
# Records the API as built now as the baseline release.
set -e
# Only for a NEW version in ferry.api.baseline: a recorded release is immutable (see README.md).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
v=$(grep -o '<ferry.api.baseline>[^<]*' pom.xml | cut -d'>' -f2)
mvn -B -q -o package -DskipTests -Dbnd.baseline.skip=true
d=baseline/dev/ferry/ferry-api/$v
rm -rf baseline/dev; mkdir -p $d
cp target/ferry-api-0.1.0-SNAPSHOT.jar $d/ferry-api-$v.jar
cat > $d/ferry-api-$v.pom <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>dev.ferry</groupId><artifactId>ferry-api</artifactId><version>$v</version></project>
POM
cat > baseline/dev/ferry/ferry-api/maven-metadata.xml <<META
<?xml version="1.0" encoding="UTF-8"?>
<metadata><groupId>dev.ferry</groupId><artifactId>ferry-api</artifactId>
  <versioning><release>$v</release><versions><version>$v</version></versions></versioning></metadata>
META
for f in $d/*.jar $d/*.pom baseline/dev/ferry/ferry-api/maven-metadata.xml; do sha1sum $f | cut -d" " -f1 > $f.sha1; done
# Maven caches the baseline in the local repository: forget it, so the next build compares with this one.
rm -rf "${HOME}/.m2/repository/dev/ferry/ferry-api/$v"
ls -la $d
