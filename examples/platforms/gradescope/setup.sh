#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (Ubuntu): Java for the twlab CLI.
# Zip this directory with twlab.jar (client-cli/target/twlab.jar), twlab and twlab-grade
# (lab-images/grader/) and twlab.env beside it, and upload the zip as the autograder.
set -euo pipefail
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless jq
install -d /opt/twlab
install -m 0644 /autograder/source/twlab.jar /opt/twlab/twlab.jar
install -m 0755 /autograder/source/twlab /autograder/source/twlab-grade /usr/local/bin/
