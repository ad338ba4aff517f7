#!/bin/sh
# A stale src/schema.ts would let the client type-check against routes the server no longer has.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh scripts/generate.sh "$tmp/schema.ts" >/dev/null
if ! diff -u src/schema.ts "$tmp/schema.ts"; then
  echo "src/schema.ts differs from ../../openapi/openapi.json: run npm run generate and commit it" >&2
  exit 1
fi
echo "src/schema.ts matches ../../openapi/openapi.json"
