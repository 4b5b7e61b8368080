"""Train one model in a child process: `python -m bot.understanding.train OUT.npz` with the
(text, label) pairs as JSON on stdin. The parent then loads OUT.npz with numpy alone, so
scikit-learn's memory goes away with this process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.understanding.model import train


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.understanding.train OUT.npz < pairs.json", file=sys.stderr)
        return 2
    pairs = [(str(text), str(label)) for text, label in json.load(sys.stdin)]
    train(pairs).save(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
