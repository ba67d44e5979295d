"""Entry point of the frozen app: the same ``agentdesk`` command (UI by default, ``agentdesk engine`` etc.).

No ``multiprocessing.freeze_support()``: AgentDesk starts its engine as ``AgentDesk engine`` (a subcommand of
this same executable), never through multiprocessing; importing it here would only slow every start.
"""

import sys

from agentdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
