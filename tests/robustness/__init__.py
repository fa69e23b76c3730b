"""Tests that attack privlint: hostile sources, walks, policies, interrupts, fuzzing (issue 6)."""
