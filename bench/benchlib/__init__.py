"""The benchmark's parts, one module per concern; `bench/run` puts them together."""
