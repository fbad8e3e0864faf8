#!/bin/bash
# Negative control for the shellcheck gate (scripts/harness/check-lint.sh): an
# unquoted expansion (SC2086). Never run.
rm -f $1
