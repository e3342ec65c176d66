#!/usr/bin/env bash
# A real `pre-commit try-repo` of this checkout's hook on a throw-away copy of the example organisation.
# It builds a fresh hook environment (network access to the package index), so it is not a unit test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pc=${PRE_COMMIT:-$here/.venv/bin/pre-commit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/qms.yaml" "$here/processes" "$here/records" "$here/audits" "$work/"
cd "$work"
git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.org commit -qm example
echo "== clean example: expect Passed"
"$pc" try-repo "$here" qms-check --all-files
sed -i 's/duration: 6d/duration: 11d/' processes/QT-XD-01.yaml
echo "== broken procedure: expect Failed with QMS214"
if "$pc" try-repo "$here" qms-check --all-files; then echo "unexpected: the hook passed"; exit 1; fi
echo "try-repo: OK"
