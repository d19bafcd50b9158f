#!/usr/bin/env python3
"""Runs tests/console/test_console.py in tests/run.sh's "daemon" suite.

The console tests live in tests/console/; this file only makes run.sh
pick them up (it runs tests/api/daemon_*.py). Same arguments and output.
"""
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(os.path.dirname(HERE), "console", "test_console.py")
sys.path.insert(0, os.path.dirname(TARGET))
sys.argv[0] = TARGET
runpy.run_path(TARGET, run_name="__main__")
