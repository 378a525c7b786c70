#!/usr/bin/env python3
"""Synthesize every stage to platform/aws/cdk.out/ (offline: no account, no Docker, no lookups).

    .venv/bin/python platform/aws/app.py            # both stages
    cdk synth -c stages=production                  # from platform/aws/, through cdk.json

Prints the number of resources of each template.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_cdk.app import build_app  # noqa: E402


def main() -> None:
    assembly = build_app().synth()
    for stack in assembly.stacks:
        template = json.loads(Path(assembly.directory, stack.template_file).read_text())
        print(
            f"{stack.stack_name}: {len(template['Resources'])} resources -> {assembly.directory}/{stack.template_file}"
        )


if __name__ == "__main__":
    main()
