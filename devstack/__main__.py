"""``python -m devstack``: run the whole local system (what ``make run`` does)."""

from devstack.run import main

main()
