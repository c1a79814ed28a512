"""The fixture packs' test cases use the test catalogue of helpers.py; test_plugin.py runs them in their own pytest."""

from __future__ import annotations

collect_ignore_glob = ["fixtures/*"]
