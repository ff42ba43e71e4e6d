"""Pack layer: parameters, the assessment context, the runner, HTML export and the CLI.

The top of the library: it may import every other layer; nothing imports it
except the notebooks (which open their context here) and the ``sa`` command.
"""
