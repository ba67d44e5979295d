"""Support scripts: guided call flows the agent follows, reference articles, search, packages, lint.

Qt-free. The panel in ``agentdesk/ui/scripts`` shows what this package loads and runs.

- :mod:`.model`    the flow, step and article data
- :mod:`.loader`   YAML -> model with line/column of every node, JSON Schema validation
- :mod:`.lint`     every problem of a set of files as ``FILE:LINE:COLUMN: message``
- :mod:`.runner`   one flow on one call: choices, back, restart, the path taken with timestamps
- :mod:`.search`   Japanese-aware search (NFKC, kana folding, bigrams) over flows and articles
- :mod:`.library`  a set of loaded flows and articles; broken files are skipped with a notice
- :mod:`.packages` versioned packages from the center, verified, cached; the bundled set is the fallback
"""

from agentdesk.support_scripts.library import Library, load_bundled, load_paths
from agentdesk.support_scripts.model import Article, Flow, Step
from agentdesk.support_scripts.runner import FlowRunner, variables_from_contract

__all__ = ["Article", "Flow", "FlowRunner", "Library", "Step", "load_bundled", "load_paths", "variables_from_contract"]
