"""Scores the detector on a dataset with ground truth (PLACEHOLDER, to be written)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset_dir")
    p.add_argument("--format", choices=["r3d", "ipa"], default="r3d")
    p.add_argument("--config")
    p.add_argument("--save")


def main(args: argparse.Namespace) -> int:
    raise NotImplementedError
