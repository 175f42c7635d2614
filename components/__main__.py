"""Entry point of the component provider plugin (``pulumi package add ./components``).

The Python language host runs ``python components/`` with the plugin's arguments (the
engine address first); :func:`components.plugin.build_provider` does what
``pulumi.provider.experimental.component_provider_host`` does, plus secret flags and clean
refusals (see ``components/plugin.py``).
"""

import sys

from pulumi.provider import main

from components.plugin import build_provider

if __name__ == "__main__":
    main(build_provider(), sys.argv[1:])
