#!/usr/bin/env bash
# scripts/check_test_names.sh — fails when a doctest TEST_CASE name holds a ';'. CTest reads a test's name as a
# CMake list, so doctest_discover_tests registers each part of such a name as a test of its own, whose filter
# matches no test case: it runs nothing and passes, and the real test case never runs in CTest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if found=$(grep -rn --include='*.cpp' 'TEST_CASE("[^"]*;' "$root/tests"); then
  echo "$found" | sed "s|^$root/||; s|\$|  <- a ';' in a test name splits it in CTest: use a comma|"
  exit 1
fi
echo "check_test_names: no test name holds a ';'"
