#!/bin/sh
# The generator's input and flags live here only, so that check-generated makes exactly what generate makes.
set -eu
exec openapi-typescript ../../openapi/openapi.json --output "${1:-src/schema.ts}"
