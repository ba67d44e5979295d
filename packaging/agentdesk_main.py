"""Entry point of the frozen app: the same ``agentdesk`` command (UI by default, ``agentdesk engine`` etc.)."""

import multiprocessing
import sys

from agentdesk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
